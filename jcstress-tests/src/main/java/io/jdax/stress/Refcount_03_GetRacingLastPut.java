package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.page.PageMap;
import io.jdax.page.RefcountException;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * A {@code get} whose caller holds no reference (a use after the last put) races the last put. On dax and
 * device maps {@code get} is one atomic add after a plain check, undone when it finds the count at 0; on a
 * pool map it is a compare-and-set. Either way the misuse may only fail its own caller: the get either came
 * first (and then legitimately holds a reference the put did not drop), or it throws and the count ends at 0.
 * Never a count of 2, never a negative count, never a get that "succeeded" on an idle folio.
 *
 * <p>r1: the put was the last; r2: the get succeeded; r3: refcount afterwards.
 */
public class Refcount_03_GetRacingLastPut {

    static boolean tryMisusedGet(PageMap map, long head) {
        try {
            map.get(head);
            return true;
        } catch (RefcountException refused) {
            return false;
        }
    }

    @JCStressTest
    @Outcome(id = "true, false, 0", expect = ACCEPTABLE, desc = "the put dropped the last reference; the get was refused")
    @Outcome(id = "false, true, 1", expect = ACCEPTABLE, desc = "the get came first; the put was not the last")
    @Outcome(expect = FORBIDDEN, desc = "the misused get changed the count or revived an idle folio")
    @State
    public static class Dax {
        final PageMap map = StressMaps.DAX;
        final long head = StressMaps.folio(map, 0, 1);

        @Actor
        public void lastPut(ZZI_Result r) {
            r.r1 = map.put(head);
        }

        @Actor
        public void get(ZZI_Result r) {
            r.r2 = tryMisusedGet(map, head);
        }

        @Arbiter
        public void count(ZZI_Result r) {
            r.r3 = map.refCount(head);
        }
    }

    @JCStressTest
    @Outcome(id = "true, false, 0", expect = ACCEPTABLE, desc = "the put dropped the last reference; the get was refused")
    @Outcome(id = "false, true, 1", expect = ACCEPTABLE, desc = "the get came first; the put was not the last")
    @Outcome(expect = FORBIDDEN, desc = "the misused get changed the count or revived an idle folio")
    @State
    public static class DeviceOrder2 {
        final PageMap map = StressMaps.DEVICE;
        final long head = StressMaps.folio(map, 2, 1);

        @Actor
        public void lastPut(ZZI_Result r) {
            r.r1 = map.put(head);
        }

        @Actor
        public void get(ZZI_Result r) {
            r.r2 = tryMisusedGet(map, head);
        }

        @Arbiter
        public void count(ZZI_Result r) {
            r.r3 = map.refCount(head);
        }
    }
}
