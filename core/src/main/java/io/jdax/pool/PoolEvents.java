package io.jdax.pool;

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
