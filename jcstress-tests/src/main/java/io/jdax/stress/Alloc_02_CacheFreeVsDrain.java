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
 * A free into a cache races a drain of every cache from another thread (issue 4, kernel-semantics property
 * 16): the page is either still cached (free after the drain) or merged back (drain after the free), never
 * lost, never in two places; the arbiter's {@code verify()} checks free + cached + allocated == total and
 * that each page is in exactly one place. Variants: an order-0 and an order-1 folio.
 *
 * <p>r1: cached pages; r2: free pages; r3: invariants held (1).
 */
public class Alloc_02_CacheFreeVsDrain {

    @JCStressTest
    @Outcome(id = "1, 3, 1", expect = ACCEPTABLE, desc = "the drain ran first; the freed page waits in a cache")
    @Outcome(id = "0, 4, 1", expect = ACCEPTABLE, desc = "the free ran first; the drain merged the page back")
    @Outcome(expect = FORBIDDEN, desc = "a page lost or counted twice, or a broken invariant")
    @State
    public static class OrderZero {
        final TinyAllocator tiny = new TinyAllocator(2);
        final long pfn = tiny.allocator.allocate(0);

        @Actor
        public void free() {
            tiny.map.put(pfn);
        }

        @Actor
        public void drain() {
            tiny.allocator.drainCaches();
        }

        @Arbiter
        public void check(JJI_Result r) {
            AllocatorStats s = tiny.verifyAndClose();
            r.r1 = s == null ? -1 : s.cachedPages();
            r.r2 = s == null ? -1 : s.freePages();
            r.r3 = s == null || s.allocatedPages() != 0 ? 0 : 1;
        }
    }

    @JCStressTest
    @Outcome(id = "2, 2, 1", expect = ACCEPTABLE, desc = "the drain ran first; the freed folio waits in a cache")
    @Outcome(id = "0, 4, 1", expect = ACCEPTABLE, desc = "the free ran first; the drain merged the folio back")
    @Outcome(expect = FORBIDDEN, desc = "a page lost or counted twice, or a broken invariant")
    @State
    public static class OrderOne {
        final TinyAllocator tiny = new TinyAllocator(2);
        final long pfn = tiny.allocator.allocate(1);

        @Actor
        public void free() {
            tiny.map.put(pfn);
        }

        @Actor
        public void drain() {
            tiny.allocator.drainCaches();
        }

        @Arbiter
        public void check(JJI_Result r) {
            AllocatorStats s = tiny.verifyAndClose();
            r.r1 = s == null ? -1 : s.cachedPages();
            r.r2 = s == null ? -1 : s.freePages();
            r.r3 = s == null || s.allocatedPages() != 0 ? 0 : 1;
        }
    }
}
