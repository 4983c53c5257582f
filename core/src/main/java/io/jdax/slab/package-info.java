/**
 * The slab layer (kernel: mm/slub.c): {@link io.jdax.slab.SlabAllocator} carves objects below half a page out
 * of folios of a {@link io.jdax.alloc.BuddyAllocator}, in size classes, with striped current slabs, partial
 * and empty lists, slab marks in the folio descriptors, requested-vs-held statistics and a full invariant
 * check.
 */
package io.jdax.slab;
