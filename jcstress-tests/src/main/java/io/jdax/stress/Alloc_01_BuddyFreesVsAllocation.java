package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.alloc.AllocatorStats;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJI_Result;

/**
 * Frees of two buddy pages race each other, or one free races an allocation (issue 4, kernel-semantics
 * property 15), on a four-page allocator holding two order-0 buddies {@code a} and {@code b} (which pages
 * they are depends on whether a cache refill took the region first). Never a page handed out twice, never
 * two free buddies of one order left unmerged, never a page lost: the arbiter runs the allocator's full
 * {@code verify()}, after draining the caches where they exist.
 *
 * <p>For the frees: r1, r2: each put was the folio's last (1); r3: everything merged back into one block (1).
 */
public class Alloc_01_BuddyFreesVsAllocation {

    abstract static class Scenario {
        final TinyAllocator tiny;
        final long a;
        final long b;

        Scenario(int stripes) {
            tiny = new TinyAllocator(stripes);
            a = tiny.allocator.allocate(0);
            b = tiny.allocator.allocate(0);
            if ((a ^ b) != 1) {
                throw new IllegalStateException("setup expects buddies, got pages " + a + " and " + b);
            }
        }

        /** r3: 1 if every invariant held and the whole region merged back to one order-2 block, else 0. */
        int mergedWhole() {
            tiny.allocator.drainCaches();
            AllocatorStats s = tiny.verifyAndClose();
            return s != null && s.freeBlocks()[2] == 1 && s.freePages() == 4 ? 1 : 0;
        }
    }

    /** Both buddies freed at once: they must end up merged (after the caches drain) into the original block. */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "both frees done; the pair merged with its order-1 buddy")
    @Outcome(expect = FORBIDDEN, desc = "an unmerged free pair, a lost page, or a broken invariant")
    @State
    public static class BothBuddiesNoCache extends Scenario {
        public BothBuddiesNoCache() {
            super(0);
        }

        @Actor
        public void freeA(JJI_Result r) {
            r.r1 = tiny.map.put(a) ? 1 : 0;
        }

        @Actor
        public void freeB(JJI_Result r) {
            r.r2 = tiny.map.put(b) ? 1 : 0;
        }

        @Arbiter
        public void check(JJI_Result r) {
            r.r3 = mergedWhole();
        }
    }

    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "both frees done; after draining, everything merged")
    @Outcome(expect = FORBIDDEN, desc = "an unmerged free pair, a lost page, or a broken invariant")
    @State
    public static class BothBuddiesOneStripe extends Scenario {
        public BothBuddiesOneStripe() {
            super(1); // one stripe: both threads contend for its try-lock, the loser goes to the zone
        }

        @Actor
        public void freeA(JJI_Result r) {
            r.r1 = tiny.map.put(a) ? 1 : 0;
        }

        @Actor
        public void freeB(JJI_Result r) {
            r.r2 = tiny.map.put(b) ? 1 : 0;
        }

        @Arbiter
        public void check(JJI_Result r) {
            r.r3 = mergedWhole();
        }
    }

    /**
     * {@code a} freed while an order-0 allocation runs, both contending for the one stripe: the allocation
     * gets {@code a} or another free page, never {@code b} (still held) and never nothing.
     *
     * <p>r1: what the allocation got (1 = {@code a}, 2 = another free page, 0 = {@code b}, -1 = nothing);
     * r2: pages allocated afterwards; r3: invariants held (1).
     */
    @JCStressTest
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "the free came first and the allocation reused its page")
    @Outcome(id = "2, 2, 1", expect = ACCEPTABLE, desc = "the allocation took another free page")
    @Outcome(id = "0, .*, .*", expect = FORBIDDEN, desc = "double allocation: b is still held")
    @Outcome(expect = FORBIDDEN, desc = "a failed allocation, a lost page or a broken invariant")
    @State
    public static class FreeVsAllocationOneStripe extends Scenario {
        public FreeVsAllocationOneStripe() {
            super(1);
        }

        @Actor
        public void free() {
            tiny.map.put(a);
        }

        @Actor
        public void allocate(JJI_Result r) {
            long c = tiny.allocator.tryAllocate(0);
            r.r1 = c == a ? 1 : c == b ? 0 : c < 0 ? -1 : 2;
        }

        @Arbiter
        public void check(JJI_Result r) {
            AllocatorStats s = tiny.verifyAndClose();
            r.r2 = s == null ? -1 : s.allocatedPages();
            r.r3 = s == null ? 0 : 1;
        }
    }
}
