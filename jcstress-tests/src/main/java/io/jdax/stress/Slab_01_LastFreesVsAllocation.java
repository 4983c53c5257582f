package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.slab.SlabStats;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * The last two objects of a slab are freed while an allocation may take an object from it (kernel-semantics
 * 5b; mm/slub.c's free vs {@code get_partial}). A slab is never returned to the buddy allocator while one of
 * its objects is live, and an object is never handed out twice: the arbiter checks that the allocated object
 * is in a page still marked as a live slab, runs the slab and buddy {@code verify()}, and frees every object
 * it believes live (a free of an object not live throws).
 *
 * <p>Setup on a {@link TinySlab} (2 objects per slab, no empty slab kept, one stripe): slab S holds {@code a}
 * and {@code b}, full and retired; slab T, the stripe's current slab, holds {@code c} and {@code d}, full.
 */
public class Slab_01_LastFreesVsAllocation {

    abstract static class Setup {
        final TinySlab tiny = new TinySlab(1);
        final long a = tiny.allocate();
        final long b = tiny.allocate();
        final long c = tiny.allocate(); // retires S (full), T becomes current
        final long d = tiny.allocate();

        Setup() {
            if (TinySlab.page(a) != TinySlab.page(b) || TinySlab.page(c) != TinySlab.page(d)
                    || TinySlab.page(a) == TinySlab.page(c)) {
                throw new IllegalStateException("setup expects two full slabs: " + a + " " + b + " " + c + " " + d);
            }
        }
    }

    /**
     * One thread frees S's two objects; the other allocates, finds T exhausted and refills from S (if a
     * free relisted it first) or from a fresh page.
     *
     * <p>r1: where the allocation landed (1 = in S, 2 = a fresh slab, 0 = T, whose objects are all live);
     * r2: pages held by slabs afterwards; r3: invariants held and every live object freed cleanly (1).
     */
    @JCStressTest
    @Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "the object is on S's page: a free relisted S and the "
            + "allocation reused it (S stayed, its last old object freed), or S went back and its page made a new slab")
    @Outcome(id = "2, 2, 1", expect = ACCEPTABLE, desc = "the allocation took a fresh page; S emptied and went back")
    @Outcome(id = "0, .*, .*", expect = FORBIDDEN, desc = "an object of T handed out twice")
    @Outcome(expect = FORBIDDEN, desc = "S returned with a live object, a lost page, or a broken invariant")
    @State
    public static class FreesVsRefill extends Setup {
        long x;

        @Actor
        public void freeBoth() {
            tiny.slab.free(a);
            tiny.slab.free(b);
        }

        @Actor
        public void allocate() {
            x = tiny.allocate();
        }

        @Arbiter
        public void check(III_Result r) {
            long page = TinySlab.page(x);
            r.r1 = page == TinySlab.page(a) ? 1 : page == TinySlab.page(c) ? 0 : 2;
            long pages = tiny.allocatedPages();
            SlabStats s = tiny.verifyFreeAndClose(x, c, d);
            r.r2 = (int) pages;
            r.r3 = s != null && s.objectsInUse() == 3 ? 1 : 0;
        }
    }

    /**
     * Both last objects of S freed at once, no allocation: exactly one of the frees empties S and returns
     * it, once (a second return would fail the buddy allocator's put, or its verify).
     *
     * <p>r1: pages held by slabs afterwards (1: T only); r2: invariants held (1).
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "S emptied and went back once; T remains")
    @Outcome(expect = FORBIDDEN, desc = "S kept on a list while empty, returned twice, or a broken invariant")
    @State
    public static class TwoLastFrees extends Setup {
        @Actor
        public void freeA() {
            tiny.slab.free(a);
        }

        @Actor
        public void freeB() {
            tiny.slab.free(b);
        }

        @Arbiter
        public void check(II_Result r) {
            r.r1 = (int) tiny.allocatedPages();
            SlabStats s = tiny.verifyFreeAndClose(c, d);
            r.r2 = s != null && s.objectsInUse() == 2 ? 1 : 0;
        }
    }
}
