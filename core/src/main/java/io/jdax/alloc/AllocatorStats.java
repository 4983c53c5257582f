package io.jdax.alloc;

import java.util.Arrays;

/**
 * A consistent snapshot of a {@link BuddyAllocator}: every page is free (in a free block), cached (in a folio
 * waiting in a cache) or allocated, and the three add up to the total.
 *
 * @param totalPages     pages the allocator manages
 * @param freePages      pages in free blocks
 * @param freeBlocks     free blocks per order, index = order
 * @param cachedPages    pages in cached folios
 * @param allocatedPages pages in folios handed out and not yet released
 * @param limitPages     the cap on cached + allocated pages ({@code Long.MAX_VALUE} when unlimited)
 * @param allocations    allocations served so far
 * @param failures       allocations refused so far
 */
public record AllocatorStats(long totalPages, long freePages, long[] freeBlocks, long cachedPages,
                             long allocatedPages, long limitPages, long allocations, long failures) {

    /**
     * Copies the free block counts.
     *
     * @param totalPages     pages managed
     * @param freePages      pages in free blocks
     * @param freeBlocks     free blocks per order
     * @param cachedPages    pages in the stripes' caches
     * @param allocatedPages pages in allocated folios
     * @param limitPages     the cap on allocated plus cached pages
     * @param allocations    allocations so far
     * @param failures       failed allocations so far
     */
    public AllocatorStats {
        freeBlocks = freeBlocks.clone();
    }

    /**
     * Free blocks per order.
     *
     * @return a copy of the counts, index = order
     */
    @Override
    public long[] freeBlocks() {
        return freeBlocks.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AllocatorStats s && totalPages == s.totalPages && freePages == s.freePages
                && Arrays.equals(freeBlocks, s.freeBlocks) && cachedPages == s.cachedPages
                && allocatedPages == s.allocatedPages && limitPages == s.limitPages
                && allocations == s.allocations && failures == s.failures;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(freePages) * 31 + Arrays.hashCode(freeBlocks) + Long.hashCode(allocatedPages);
    }

    @Override
    public String toString() {
        return "AllocatorStats[total=" + totalPages + " free=" + freePages + " cached=" + cachedPages + " allocated="
                + allocatedPages + " limit=" + (limitPages == Long.MAX_VALUE ? "none" : limitPages) + " freeBlocks="
                + Arrays.toString(freeBlocks) + " allocations=" + allocations + " failures=" + failures + "]";
    }
}
