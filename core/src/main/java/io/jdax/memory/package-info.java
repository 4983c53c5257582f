/**
 * The memory layer: {@link io.jdax.memory.Region}, a contiguous range of anonymous off-heap memory or of a
 * mapped file (with {@code MAP_SYNC}, msync or automatic persistence), exact-range flushes, and revocable
 * second mappings of a range. Everything above reaches bytes through a region.
 */
package io.jdax.memory;
