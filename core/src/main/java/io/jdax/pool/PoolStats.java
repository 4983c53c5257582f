package io.jdax.pool;

import io.jdax.alloc.AllocatorStats;
import io.jdax.slab.SlabStats;

import java.util.List;

/**
 * A snapshot of a {@link BufferPool}. Buffers up to {@code SlabAllocator.maxObjectSize()} bytes are slab
 * objects, larger ones folios; {@link #sizeClasses()} has both, and the difference between the bytes they
 * hold and the bytes their buffers asked for is the pool's internal fragmentation. A slice that outlives its
 * parent keeps the parent's request counted. The snapshot is not atomic across classes.
 *
 * @param mode          the pool's safety mode
 * @param capacityBytes bytes of memory the pool manages
 * @param pageSize      bytes per page; folio buffers are rounded up to {@code pageSize * 2^order}
 * @param pages         the page-level picture: free, cached and allocated pages (slabs included), allocations,
 *                      failures
 * @param leaks         leaked buffers reported so far
 * @param slab          the slab layer's own picture, per object size
 * @param sizeClasses   the slab classes, then the folio orders, smallest first
 */
public record PoolStats(PoolMode mode, long capacityBytes, long pageSize, AllocatorStats pages, long leaks,
                        SlabStats slab, List<PoolSizeClass> sizeClasses) {

    /**
     * Copies the list of size classes.
     *
     * @param mode          the pool's safety mode
     * @param capacityBytes bytes of memory the pool manages
     * @param pageSize      bytes per page
     * @param pages         the page-level picture
     * @param leaks         leaked buffers reported so far
     * @param slab          the slab layer's picture
     * @param sizeClasses   the size classes, smallest first
     */
    public PoolStats {
        sizeClasses = List.copyOf(sizeClasses);
    }

    /**
     * Bytes held by buffers now, caches excluded: allocated pages, whole slabs included.
     *
     * @return allocated pages times the page size
     */
    public long allocatedBytes() {
        return pages.allocatedPages() * pageSize;
    }

    /**
     * What the live buffers asked for, over every size class.
     *
     * @return the sum of {@link PoolSizeClass#bytesRequested()}
     */
    public long bytesRequested() {
        long sum = 0;
        for (PoolSizeClass c : sizeClasses) {
            sum += c.bytesRequested();
        }
        return sum;
    }

    /**
     * What the size classes hold for them.
     *
     * @return the sum of {@link PoolSizeClass#bytesHeld()}
     */
    public long bytesHeld() {
        long sum = 0;
        for (PoolSizeClass c : sizeClasses) {
            sum += c.bytesHeld();
        }
        return sum;
    }

    /**
     * Internal fragmentation: held but not requested, over held.
     *
     * @return {@code (bytesHeld - bytesRequested) / bytesHeld}, 0 when nothing is held
     */
    public double fragmentation() {
        long held = bytesHeld();
        return held == 0 ? 0 : (double) (held - bytesRequested()) / held;
    }
}
