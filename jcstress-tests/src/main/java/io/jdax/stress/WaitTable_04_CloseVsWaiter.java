package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.wait.WaitTable;

import java.util.concurrent.TimeUnit;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Closing a wait table races a waiter (kernel-semantics property 20: a close of a page map or region vs an
 * idle waiter: the waiter always returns or throws, never stays parked). The waits are bounded at 10 s, far
 * beyond any legitimate wake, and measured: a wait that ends only at its deadline was never woken by the
 * close. Variants: a plain waiter, an exclusive one, and a closer that makes the condition true first (the
 * waiter must then return normally: the condition is tested before the closed mark).
 *
 * <p>r1: 1 = returned with its condition true, 2 = threw IllegalStateException naming the close's reason,
 * 3 = ran into its deadline (a lost wake), 4 = anything else; r2: waiters left queued.
 */
public class WaitTable_04_CloseVsWaiter {

    static final int RETURNED = 1;
    static final int CLOSED = 2;
    static final int STRANDED = 3;
    static final int OTHER = 4;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final String REASON = "page map closed";

    interface TimedWait {
        boolean await() throws InterruptedException;
    }

    /** Runs a bounded wait and classifies how it ended. */
    static int outcome(TimedWait wait) {
        long start = System.nanoTime();
        try {
            boolean satisfied = wait.await();
            if (System.nanoTime() - start >= TIMEOUT_NANOS) {
                return STRANDED;
            }
            return satisfied ? RETURNED : OTHER;
        } catch (IllegalStateException e) {
            return e.getMessage() != null && e.getMessage().contains(REASON) ? CLOSED : OTHER;
        } catch (InterruptedException | RuntimeException e) {
            return OTHER;
        }
    }

    @JCStressTest
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the waiter was woken by the close and threw with its reason")
    @Outcome(id = "3, .*", expect = FORBIDDEN, desc = "the waiter stayed parked after the close")
    @Outcome(expect = FORBIDDEN, desc = "returned without its condition, another exception, or left queued")
    @State
    public static class PlainWaiter {
        final WaitTable table = new WaitTable(1);

        @Actor
        public void waiter(II_Result r) {
            r.r1 = outcome(() -> table.await(5, () -> false, TIMEOUT_NANOS, TimeUnit.NANOSECONDS, null));
        }

        @Actor
        public void closer() {
            table.close(REASON);
        }

        @Arbiter
        public void queued(II_Result r) {
            r.r2 = table.waitersOn(5);
        }
    }

    @JCStressTest
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the exclusive waiter was woken by the close and threw with its reason")
    @Outcome(id = "3, .*", expect = FORBIDDEN, desc = "the exclusive waiter stayed parked after the close")
    @Outcome(expect = FORBIDDEN, desc = "returned without its condition, another exception, or left queued")
    @State
    public static class ExclusiveWaiter {
        final WaitTable table = new WaitTable(1);

        @Actor
        public void waiter(II_Result r) {
            r.r1 = outcome(() -> table.awaitExclusive(5, 512, () -> false, TIMEOUT_NANOS, TimeUnit.NANOSECONDS, null));
        }

        @Actor
        public void closer() {
            table.close(REASON);
        }

        @Arbiter
        public void queued(II_Result r) {
            r.r2 = table.waitersOn(5, 512);
        }
    }

    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the waiter saw its condition, before or after the close")
    @Outcome(id = "2, .*", expect = FORBIDDEN, desc = "the waiter threw although its condition held before the close")
    @Outcome(id = "3, .*", expect = FORBIDDEN, desc = "the waiter stayed parked after the close")
    @Outcome(expect = FORBIDDEN, desc = "another exception, or left queued")
    @State
    public static class ConditionThenClose {
        final WaitTable table = new WaitTable(1);
        volatile boolean idle;

        @Actor
        public void waiter(II_Result r) {
            r.r1 = outcome(() -> table.await(5, () -> idle, TIMEOUT_NANOS, TimeUnit.NANOSECONDS, null));
        }

        @Actor
        public void idleThenClose() {
            idle = true; // nobody wakes key 5 but the close
            table.close(REASON);
        }

        @Arbiter
        public void queued(II_Result r) {
            r.r2 = table.waitersOn(5);
        }
    }
}
