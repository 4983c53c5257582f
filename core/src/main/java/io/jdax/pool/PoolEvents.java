package io.jdax.pool;

import io.jdax.alloc.AllocatorStats;
import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JDK Flight Recorder events of the buffer pool, so that allocation trouble shows in JMC and {@code jfr print}
 * next to GC and I/O. Disabled events cost a field check.
 */
final class PoolEvents {

    private PoolEvents() {
    }

    /**
     * JFR events of a failed allocation; {@code e} is null on the try-path, where the limit question is
     * answered from a snapshot only if a recording wants the events.
     */
    static void allocationFailed(BuddyAllocator allocator, long bytes, int order, OutOfPagesException e) {
        AllocationFailure failure = new AllocationFailure();
        PoolExhausted exhausted = new PoolExhausted();
        if (!failure.isEnabled() && !exhausted.isEnabled()) {
            return;
        }
        AllocatorStats s = allocator.stats();
        boolean overLimit = e != null ? e.overLimit()
                : s.cachedPages() + s.allocatedPages() + (1L << order) > s.limitPages();
        if (failure.isEnabled()) {
            failure.bytes = bytes;
            failure.order = order;
            failure.overLimit = overLimit;
            failure.commit();
        }
        if (!overLimit) {
            if (exhausted.isEnabled()) {
                exhausted.order = order;
                exhausted.freePages = s.freePages();
                exhausted.cachedPages = s.cachedPages();
                exhausted.allocatedPages = s.allocatedPages();
                long[] blocks = s.freeBlocks();
                int largest = -1;
                for (int o = 0; o < blocks.length; o++) {
                    if (blocks[o] > 0) {
                        largest = o;
                    }
                }
                exhausted.largestFreeOrder = largest;
                exhausted.commit();
            }
        }
    }

    @Name("io.jdax.AllocationFailure")
    @Label("Allocation Failure")
    @Category({"jdax", "Buffer Pool"})
    @Description("A buffer allocation the pool refused")
    static final class AllocationFailure extends Event {
        @Label("Requested") @DataAmount long bytes;
        @Label("Order") int order;
        @Label("Over Limit") @Description("The configured limit, not the free memory, refused it") boolean overLimit;
    }

    @Name("io.jdax.PoolExhausted")
    @Label("Pool Exhausted")
    @Category({"jdax", "Buffer Pool"})
    @Description("No free block large enough, even after draining the caches")
    @StackTrace(false)
    static final class PoolExhausted extends Event {
        @Label("Order") int order;
        @Label("Free Pages") long freePages;
        @Label("Cached Pages") long cachedPages;
        @Label("Allocated Pages") long allocatedPages;
        @Label("Largest Free Order") int largestFreeOrder;
    }

    @Name("io.jdax.Leak")
    @Label("Buffer Leak")
    @Category({"jdax", "Buffer Pool"})
    @Description("A buffer that was never released")
    @StackTrace(false)
    static final class Leak extends Event {
        @Label("Size") @DataAmount long bytes;
        @Label("Reclaimed") boolean reclaimed;
        @Label("Allocation Site") String allocationSite;
    }
}
