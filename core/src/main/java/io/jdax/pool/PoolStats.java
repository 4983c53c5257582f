package io.jdax.pool;

import io.jdax.alloc.AllocatorStats;

/**
 * A snapshot of a {@link BufferPool}.
 *
 * @param mode          the pool's safety mode
 * @param capacityBytes bytes of memory the pool manages
 * @param pageSize      bytes per page; buffers are rounded up to {@code pageSize * 2^order}
 * @param pages         the page-level picture: free, cached and allocated pages, allocations, failures
 * @param leaks         leaked buffers reported so far
 */
public record PoolStats(PoolMode mode, long capacityBytes, long pageSize, AllocatorStats pages, long leaks) {

    /** Bytes held by buffers now (rounded up to their folios). */
    public long allocatedBytes() {
        return pages.allocatedPages() * pageSize;
    }
}
