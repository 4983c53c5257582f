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

/**
 * A free into a slab races that slab's reuse by an allocation on another stripe (kernel-semantics 5b: a free
 * into a slab that is not the freeing CPU's goes to the slab's list; another CPU's refill takes it from
 * there). The freed object is handed out at most once, and only after its free; the slab is on exactly one
 * list; nothing is lost. The arbiter runs the slab and buddy {@code verify()} and frees every object it
 * believes live (a free of an object not live throws).
 *
 * <p>Setup on a {@link TinySlab} with two stripes (2 objects per slab, no empty slab kept): the setup thread's
 * stripe filled slab S ({@code a}, {@code b}) and then slab T ({@code c}, {@code d}), so S is full and on no
 * list and T is that stripe's full current slab. The allocating actor hashes to the setup stripe (T is
 * exhausted: refill) or to the other one (no current slab: refill); either way its refill takes S from the
 * partial list if the free relisted it first, or a fresh page, and S becomes a current slab on its stripe.
 *
 * <p>r1: where the allocation landed (1 = {@code a}'s place, 3 = a fresh slab, 0 = {@code b}, 2 = T);
 * r2: live objects afterwards; r3: invariants held and every live object freed cleanly (1).
 */
public class Slab_02_FreeVsReuseOnAnotherStripe {

    @JCStressTest
    @Outcome(id = "1, 4, 1", expect = ACCEPTABLE, desc = "the free relisted S first; the refill reused a's place")
    @Outcome(id = "3, 4, 1", expect = ACCEPTABLE, desc = "the refill took a fresh page; S went to the partial list")
    @Outcome(id = "0, .*, .*", expect = FORBIDDEN, desc = "b handed out while still live")
    @Outcome(id = "2, .*, .*", expect = FORBIDDEN, desc = "an object of the full slab T handed out twice")
    @Outcome(expect = FORBIDDEN, desc = "a lost object or page, a slab on two lists, or a broken invariant")
    @State
    public static class FreeVsRefill {
        final TinySlab tiny = new TinySlab(2);
        final long a = tiny.allocate();
        final long b = tiny.allocate();
        final long c = tiny.allocate();
        final long d = tiny.allocate();
        long x;

        public FreeVsRefill() {
            if (TinySlab.page(a) != TinySlab.page(b) || TinySlab.page(c) != TinySlab.page(d)
                    || TinySlab.page(a) == TinySlab.page(c)) {
                throw new IllegalStateException("setup expects two full slabs: " + a + " " + b + " " + c + " " + d);
            }
        }

        @Actor
        public void free() {
            tiny.slab.free(a);
        }

        @Actor
        public void allocate() {
            x = tiny.allocate();
        }

        @Arbiter
        public void check(III_Result r) {
            r.r1 = x == a ? 1 : x == b ? 0 : TinySlab.page(x) == TinySlab.page(c) ? 2 : 3;
            SlabStats s = tiny.verifyFreeAndClose(x, b, c, d);
            r.r2 = s == null ? -1 : (int) s.objectsInUse();
            r.r3 = s != null ? 1 : 0;
        }
    }

    /**
     * The same free against an allocation that may reach S while it is another stripe's current slab: the
     * setup stripe's current slab is S itself, with {@code a} live and one object free. The allocation takes
     * the free object, or {@code a}'s place once freed, or (if S is busy under the free) tries the other
     * stripe, which has no current slab, and refills from a fresh page.
     *
     * <p>r1: where the allocation landed (1 = {@code a}'s place, 2 = S's other object, 3 = a fresh slab);
     * r2: live objects afterwards; r3: invariants held and every live object freed cleanly (1).
     */
    @JCStressTest
    @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "the free came first and its place was reused")
    @Outcome(id = "2, 1, 1", expect = ACCEPTABLE, desc = "the allocation took S's free object")
    @Outcome(id = "3, 1, 1", expect = ACCEPTABLE, desc = "S was busy; the other stripe refilled from a fresh page")
    @Outcome(expect = FORBIDDEN, desc = "a live object handed out, a lost object or page, or a broken invariant")
    @State
    public static class FreeVsCurrentSlab {
        final TinySlab tiny = new TinySlab(2);
        final long a = tiny.allocate(); // S: current slab of the setup stripe, one object free
        long x;

        @Actor
        public void free() {
            tiny.slab.free(a);
        }

        @Actor
        public void allocate() {
            x = tiny.allocate();
        }

        @Arbiter
        public void check(III_Result r) {
            r.r1 = x == a ? 1 : TinySlab.page(x) == TinySlab.page(a) ? 2 : 3;
            SlabStats s = tiny.verifyFreeAndClose(x);
            r.r2 = s == null ? -1 : (int) s.objectsInUse();
            r.r3 = s != null ? 1 : 0;
        }
    }
}
