/**
 * The allocator layer (kernel: mm/page_alloc.c): {@link io.jdax.alloc.BuddyAllocator}, a buddy allocator of
 * folios over a pool page map, with striped caches of prepped folios for every order up to the PMD order
 * (the large orders under a byte budget), a shared depot between them, an optional limit, exact statistics
 * and a full invariant check.
 */
package io.jdax.alloc;
