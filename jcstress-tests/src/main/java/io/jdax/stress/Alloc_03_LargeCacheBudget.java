package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.alloc.AllocatorStats;
import io.jdax.alloc.BuddyAllocator;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJI_Result;

/**
 * Releases and allocations of large folios (order 4 here) race for the byte budget of the large-order
 * caches. The budget is never overrun, never leaks, and always equals what the caches hold: the arbiter runs
 * {@code verify()}, which checks the budget's count against the cached folios and every page's place.
 *
 * <p>Setup: 32 pages, two cache stripes, a budget of 16 pages (one order-4 folio), two order-4 folios
 * {@code a} and {@code b} allocated. r1, r2, r3 as each variant says.
 */
public class Alloc_03_LargeCacheBudget {

    abstract static class Setup {
        final Region region = Region.anonymous(32 * PageMap.DEFAULT_PAGE_SIZE);
        final BuddyAllocator allocator = BuddyAllocator.builder(region).cacheStripes(2)
                .largeFolioCacheBytes(16 * PageMap.DEFAULT_PAGE_SIZE).build();
        final PageMap map = allocator.pageMap();
        final long a = allocator.allocate(4);
        final long b = allocator.allocate(4);

        /** The verified snapshot, closing the region; null if an invariant broke. */
        AllocatorStats verifyAndClose() {
            try {
                return allocator.verify();
            } catch (IllegalStateException broken) {
                return null;
            } finally {
                region.close();
            }
        }
    }

    /**
     * Both folios released at once with room for one: exactly one is cached, the other merged.
     *
     * <p>r1: cached pages; r2: free pages; r3: invariants held (1).
     */
    @JCStressTest
    @Outcome(id = "16, 16, 1", expect = ACCEPTABLE, desc = "one release took the budget, the other merged")
    @Outcome(id = "32, .*, .*", expect = FORBIDDEN, desc = "both cached: the budget was overrun")
    @Outcome(expect = FORBIDDEN, desc = "budget leaked or miscounted, a page lost, or a broken invariant")
    @State
    public static class TwoReleasesOneRoom extends Setup {
        @Actor
        public void releaseA() {
            map.put(a);
        }

        @Actor
        public void releaseB() {
            map.put(b);
        }

        @Arbiter
        public void check(JJI_Result r) {
            AllocatorStats s = verifyAndClose();
            r.r1 = s == null ? -1 : s.cachedPages();
            r.r2 = s == null ? -1 : s.freePages();
            r.r3 = s == null ? 0 : 1;
        }
    }

    /**
     * {@code a} released while an order-4 allocation runs (with {@code b} given back beforehand, merged, so
     * a free block exists): the allocation pops {@code a} from a cache or splits the free block, and the
     * budget follows the folio in and out.
     *
     * <p>r1: what the allocation got (1 = {@code a}, 2 = another block, -1 = nothing); r2: cached pages;
     * r3: invariants held (1).
     */
    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "a was cached first and the allocation popped it")
    @Outcome(id = "2, 16, 1", expect = ACCEPTABLE, desc = "the allocation split the free block; a stays cached")
    @Outcome(expect = FORBIDDEN, desc = "a failed allocation, a budget out of step with the caches, or a broken "
            + "invariant")
    @State
    public static class ReleaseVsAllocation extends Setup {
        public ReleaseVsAllocation() {
            allocator.drainCaches(); // nothing cached yet: b, below, goes in and is drained back out
            map.put(b);
            allocator.drainCaches();
        }

        @Actor
        public void release() {
            map.put(a);
        }

        @Actor
        public void allocate(JJI_Result r) {
            long c = allocator.tryAllocate(4);
            r.r1 = c == a ? 1 : c < 0 ? -1 : 2;
        }

        @Arbiter
        public void check(JJI_Result r) {
            AllocatorStats s = verifyAndClose();
            r.r2 = s == null ? -1 : s.cachedPages();
            r.r3 = s == null ? 0 : 1;
        }
    }
}
