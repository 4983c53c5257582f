package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.page.PageMap;

import java.util.concurrent.TimeUnit;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * A waiter for idleness races the last put of a dax folio (issue 3, kernel-semantics property 3): the waiter
 * must never stay parked once the count is 0. The wait is bounded (10 s, far beyond any legitimate wake) and
 * measured: a wait whose wake was lost sleeps to its deadline, where it re-tests the count and returns true,
 * only late, so a wait that returns at or after its deadline counts as lost, whatever it returned. Breaking
 * either half of the ordering contract (the putter's "any waiters?" check before its decrement, or the
 * waiter's condition test before its enqueue) produces it.
 *
 * <p>r1: the wait saw the folio idle before its deadline; r2: the put was the last; r3: waiters left queued.
 */
public class IdleWait_01_WaiterVsLastPut {

    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Whether the folio was seen idle before the deadline: a wake ended the wait, or none was needed. */
    static boolean awaitIdle(PageMap map, long head) {
        long start = System.nanoTime();
        try {
            boolean idle = map.awaitIdle(head, TIMEOUT_NANOS, TimeUnit.NANOSECONDS, null);
            return idle && System.nanoTime() - start < TIMEOUT_NANOS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @JCStressTest
    @Outcome(id = "true, true, 0", expect = ACCEPTABLE, desc = "the waiter saw the folio become idle")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "lost wake-up: the waiter slept to its deadline after the last put")
    @Outcome(expect = FORBIDDEN, desc = "a waiter was left queued, or the put was not the last")
    @State
    public static class OrderZero {
        final PageMap map = StressMaps.DAX;
        final long head = StressMaps.folio(map, 0, 1);

        @Actor
        public void waiter(ZZI_Result r) {
            r.r1 = awaitIdle(map, head);
        }

        @Actor
        public void lastPut(ZZI_Result r) {
            r.r2 = map.put(head);
        }

        @Arbiter
        public void queued(ZZI_Result r) {
            r.r3 = map.idleWaiterCount(head);
        }
    }

    @JCStressTest
    @Outcome(id = "true, true, 0", expect = ACCEPTABLE, desc = "the waiter saw the folio become idle")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "lost wake-up: the waiter slept to its deadline after the last put")
    @Outcome(expect = FORBIDDEN, desc = "a waiter was left queued, or the put was not the last")
    @State
    public static class Order2Unpin {
        final PageMap map = StressMaps.DAX;
        final long head = StressMaps.folio(map, 2, 1);
        final long pinned = map.pins().pin(head + 2, false); // the folio's last reference goes with this pin

        {
            map.put(head);
        }

        @Actor
        public void waiter(ZZI_Result r) {
            r.r1 = awaitIdle(map, head);
        }

        @Actor
        public void lastPut(ZZI_Result r) {
            map.pins().unpin(pinned);
            r.r2 = map.refCount(head) == 0;
        }

        @Arbiter
        public void queued(ZZI_Result r) {
            r.r3 = map.idleWaiterCount(head);
        }
    }
}
