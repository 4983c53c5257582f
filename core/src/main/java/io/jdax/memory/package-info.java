/**
 * The memory layer: {@link io.jdax.memory.Region}, a contiguous range of anonymous off-heap memory (backed in
 * a memory filesystem of the caller's choice) or of a mapped file (with {@code MAP_SYNC}, msync or automatic
 * persistence), exact-range flushes, and revocable second mappings of a range;
 * {@link io.jdax.memory.WindowGroup}, many views revoked by one arena close; and
 * {@link io.jdax.memory.KernelMappings}, the process-wide budget every kernel mapping of the library counts
 * against. Everything above reaches bytes through a region.
 */
package io.jdax.memory;
