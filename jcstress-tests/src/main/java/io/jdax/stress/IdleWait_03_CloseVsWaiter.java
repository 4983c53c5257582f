package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.concurrent.TimeUnit;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Closing a dax page map (or its region) races a thread waiting for one of its busy folios to become idle
 * (kernel-semantics property 20): the waiter must always return or throw a clear exception, never stay
 * parked. The folio stays busy, so a wait can only end by the close; one that runs to its deadline was
 * stranded. Each state has its own small region, since the test closes it.
 *
 * <p>r1: 1 the waiter threw an IllegalStateException naming the close, 2 it reached its deadline (stranded),
 * 3 anything else; r2: 1 once the closer returned.
 */
public class IdleWait_03_CloseVsWaiter {

    static final long DEADLINE_S = 10;

    static int await(PageMap map, long head) {
        // closing a shared arena can leave a thread that was reading it with its interrupt status set (JDK 25):
        // a previous round's close must not interrupt this round's wait
        Thread.interrupted();
        try {
            return map.awaitIdle(head, DEADLINE_S, TimeUnit.SECONDS, null) ? 3 : 2;
        } catch (IllegalStateException e) {
            return e.getMessage() != null && e.getMessage().contains("closed") ? 1 : 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 3;
        }
    }

    @State
    public static class Busy {
        final Region region = Region.anonymous(PageMap.DEFAULT_PAGE_SIZE);
        final PageMap map = PageMap.dax(region);
        final long head = 0;

        Busy() {
            map.incRef(head);
        }
    }

    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the waiter was woken by the close, or found the map closed")
    @Outcome(id = "2, .*", expect = FORBIDDEN, desc = "the waiter stayed parked after the close")
    @Outcome(expect = FORBIDDEN, desc = "the waiter ended some other way")
    public static class MapClose {
        @Actor
        public void waiter(Busy s, II_Result r) {
            r.r1 = await(s.map, s.head);
        }

        @Actor
        public void closer(Busy s, II_Result r) {
            s.map.close();
            r.r2 = 1;
        }

        @Arbiter
        public void cleanUp(Busy s, II_Result r) {
            s.region.close();
        }
    }

    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the waiter was woken by the close, or found the map closed")
    @Outcome(id = "2, .*", expect = FORBIDDEN, desc = "the waiter stayed parked after the close")
    @Outcome(expect = FORBIDDEN, desc = "the waiter ended some other way")
    public static class RegionClose {
        @Actor
        public void waiter(Busy s, II_Result r) {
            r.r1 = await(s.map, s.head);
        }

        @Actor
        public void closer(Busy s, II_Result r) {
            s.region.close();
            r.r2 = 1;
        }
    }
}
