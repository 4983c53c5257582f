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
 * {@code shrink()} gives back a stripe's current slab when no object of it is in use (kernel:
 * {@code kmem_cache_shrink} flushing the per-CPU slabs); here it races an allocation from that very slab. The
 * slab goes back only if the allocation has not taken an object from it, and the allocation then gets an
 * object of a fresh slab: an object is never handed out of a slab that was returned. The arbiter runs the
 * slab and buddy {@code verify()} and frees the allocated object (a free of an object not live throws).
 *
 * <p>Setup on a {@link TinySlab} with one stripe: an object allocated and freed, so the stripe's current slab
 * S is there with no object in use.
 *
 * <p>r1: pages shrink gave back; r2: live objects afterwards; r3: invariants held and the object freed
 * cleanly (1).
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "shrink returned S first; the allocation refilled from a fresh page")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "the allocation took an object of S first; shrink kept S")
@Outcome(expect = FORBIDDEN, desc = "a slab returned with a live object, a lost page, or a broken invariant")
@State
public class Slab_03_ShrinkVsAllocation {

    final TinySlab tiny = new TinySlab(1);
    long x;
    long shrunk;

    public Slab_03_ShrinkVsAllocation() {
        tiny.slab.free(tiny.allocate());
    }

    @Actor
    public void shrink() {
        shrunk = tiny.slab.shrink();
    }

    @Actor
    public void allocate() {
        x = tiny.allocate();
    }

    @Arbiter
    public void check(III_Result r) {
        r.r1 = (int) shrunk;
        SlabStats s = tiny.verifyFreeAndClose(x);
        r.r2 = s == null ? -1 : (int) s.objectsInUse();
        r.r3 = s != null ? 1 : 0;
    }
}
