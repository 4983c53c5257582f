package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * tryGet races the last put (kernel-semantics property 2): a reference must never be taken once the count
 * has reached 0, because the folio may already be on its way back to an allocator. A tryGet written as a
 * plain increment, or a put that reports "last" without owning the 1 -> 0 step, shows up as the forbidden
 * outcome. Variants: an order-0 folio and an order-2 folio (the count lives on the head either way).
 *
 * <p>r1: the put dropped the last reference; r2: tryGet took a reference; r3: refcount afterwards.
 */
public class Refcount_01_TryGetVsLastPut {

    @JCStressTest
    @Outcome(id = "true, false, 0", expect = ACCEPTABLE, desc = "put dropped the last reference first; tryGet saw 0 and failed")
    @Outcome(id = "false, true, 1", expect = ACCEPTABLE, desc = "tryGet took a reference first; the put was not the last")
    @Outcome(id = "true, true, .*", expect = FORBIDDEN, desc = "tryGet revived a folio whose last reference was gone")
    @Outcome(expect = FORBIDDEN, desc = "lost or doubled reference")
    @State
    public static class OrderZero {
        final PageMap map = StressMaps.DEVICE;
        final long head = StressMaps.folio(map, 0, 1);

        @Actor
        public void lastPut(ZZI_Result r) {
            r.r1 = map.put(head);
        }

        @Actor
        public void tryGet(ZZI_Result r) {
            r.r2 = map.tryGet(head);
        }

        @Arbiter
        public void count(ZZI_Result r) {
            r.r3 = map.refCount(head);
        }
    }

    @JCStressTest
    @Outcome(id = "true, false, 0", expect = ACCEPTABLE, desc = "put dropped the last reference first; tryGet saw 0 and failed")
    @Outcome(id = "false, true, 1", expect = ACCEPTABLE, desc = "tryGet took a reference first; the put was not the last")
    @Outcome(id = "true, true, .*", expect = FORBIDDEN, desc = "tryGet revived a folio whose last reference was gone")
    @Outcome(expect = FORBIDDEN, desc = "lost or doubled reference")
    @State
    public static class Order2Folio {
        final PageMap map = StressMaps.DEVICE;
        final long head = StressMaps.folio(map, 2, 1);

        @Actor
        public void lastPut(ZZI_Result r) {
            r.r1 = map.put(head);
        }

        @Actor
        public void tryGet(ZZI_Result r) {
            r.r2 = map.tryGet(head);
        }

        @Arbiter
        public void count(ZZI_Result r) {
            r.r3 = map.refCount(head);
        }
    }
}
