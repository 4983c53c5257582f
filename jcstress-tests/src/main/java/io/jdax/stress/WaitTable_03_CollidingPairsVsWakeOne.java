package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.wait.WaitTable;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * A wake-one for one key pair against exclusive waiters of other pairs in the same bucket (kernel-semantics
 * property 4 for entry waits): the wake must reach the pair's own waiter, never be consumed by a colliding
 * one. The table has one bucket; ahead of every state's waiter in its FIFO sits a permanent exclusive waiter
 * on a pair whose halves sum to the same value as those of every state's pair, so a wake-one that picked
 * "the first exclusive waiter in the bucket" or compared a folded key would hand it the wake and strand the
 * state's waiter. A wait stranded by a lost wake returns only at its deadline: measured, and forbidden.
 *
 * <p>r1: the state's waiter got its resource before its deadline; r2: the permanent waiter is still queued;
 * r3: the state's pair still has waiters queued.
 */
public class WaitTable_03_CollidingPairsVsWakeOne {

    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    @JCStressTest
    @Outcome(id = "true, true, 0", expect = ACCEPTABLE, desc = "the pair's own waiter woke; the colliding one stays queued")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "the wake-one was consumed by another pair: waiter stranded")
    @Outcome(id = ".*, false, .*", expect = FORBIDDEN, desc = "the colliding waiter was released or dequeued")
    @Outcome(expect = FORBIDDEN, desc = "a waiter left queued")
    @State
    public static class RightPairWoken {
        static final long PERMANENT_1 = 1L << 40;
        static final long PERMANENT_2 = 0;
        static final WaitTable TABLE = withPermanentWaiter();
        static final AtomicLong IDS = new AtomicLong();

        /** Queues the permanent waiter first; its code lives in another class (see WaitTable_02). */
        private static WaitTable withPermanentWaiter() {
            WaitTable table = new WaitTable(1);
            Thread.ofPlatform().daemon().name("permanent-exclusive-waiter").start(new PermanentWaiter(table));
            while (table.waitersOn(PERMANENT_1, PERMANENT_2) == 0) {
                Thread.onSpinWait();
            }
            return table;
        }

        // (id, 2^40 - id): the halves of every state's pair sum to those of the permanent pair
        final long id = IDS.incrementAndGet();
        final long key1 = id;
        final long key2 = PERMANENT_1 - id;
        volatile boolean free;

        @Actor
        public void waiter(ZZI_Result r) {
            long start = System.nanoTime();
            boolean got = TABLE.awaitExclusive(key1, key2, () -> free, TIMEOUT_NANOS, TimeUnit.NANOSECONDS, null);
            r.r1 = got && System.nanoTime() - start < TIMEOUT_NANOS;
        }

        @Actor
        public void unlocker() {
            free = true;
            TABLE.wakeOne(key1, key2);
        }

        @Arbiter
        public void end(ZZI_Result r) {
            r.r2 = TABLE.waitersOn(PERMANENT_1, PERMANENT_2) == 1;
            r.r3 = TABLE.waitersOn(key1, key2);
        }
    }

    /** Waits for ever, exclusively, on the permanent pair of its table. */
    static final class PermanentWaiter implements Runnable {
        private final WaitTable table;

        PermanentWaiter(WaitTable table) {
            this.table = table;
        }

        @Override
        public void run() {
            table.awaitExclusive(RightPairWoken.PERMANENT_1, RightPairWoken.PERMANENT_2, () -> false, null);
        }
    }
}
