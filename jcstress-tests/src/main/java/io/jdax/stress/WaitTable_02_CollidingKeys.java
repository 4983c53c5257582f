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
import org.openjdk.jcstress.infra.results.ZII_Result;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * Keys that share a bucket (issue 3, kernel-semantics property 4): a wake for one key releases that key's
 * waiter and no other. Every key here collides: the tables have a single bucket.
 */
public class WaitTable_02_CollidingKeys {

    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * Whether the condition was seen before the deadline. A wait whose wake was lost re-tests the condition
     * at its deadline and returns true, only late: the elapsed time is what tells it from a woken one.
     */
    static boolean await(WaitTable table, long key, java.util.function.BooleanSupplier condition) {
        long start = System.nanoTime();
        try {
            boolean held = table.await(key, condition, TIMEOUT_NANOS, TimeUnit.NANOSECONDS, null);
            return held && System.nanoTime() - start < TIMEOUT_NANOS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * One shared table holds a waiter on key -1 for the whole run (its condition never holds), so every
     * state's waiter shares a bucket with it and with the other states' waiters. The wake for the state's
     * key must release the state's waiter (a timeout is a lost wake) and must leave the permanent waiter
     * queued.
     *
     * <p>r1: the state's waiter was released before its deadline; r2: the waker's condition store was seen (always
     * true); r3: permanent waiters still queued afterwards.
     */
    @JCStressTest
    @Outcome(id = "true, true, 1", expect = ACCEPTABLE, desc = "the right waiter released, the colliding one still waiting")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "lost wake: the key's waiter timed out")
    @Outcome(id = ".*, .*, 0", expect = FORBIDDEN, desc = "the colliding key's waiter was released or dequeued")
    @Outcome(expect = FORBIDDEN, desc = "anything else")
    @State
    public static class RightKeyReleased {
        static final long PERMANENT = -1;
        static final WaitTable TABLE = withPermanentWaiter();
        static final AtomicLong KEYS = new AtomicLong();

        /**
         * Starts the permanent waiter and returns once it is queued. Its code lives in another class: a lambda
         * here would be a static method of this class, and the thread would block on this class's unfinished
         * initialisation while the initialiser waits for it.
         */
        private static WaitTable withPermanentWaiter() {
            WaitTable table = new WaitTable(1);
            Thread.ofPlatform().daemon().name("permanent-colliding-waiter").start(new PermanentWaiter(table));
            while (table.waitersOn(PERMANENT) == 0) {
                Thread.onSpinWait();
            }
            return table;
        }

        final long key = KEYS.incrementAndGet();
        volatile boolean done;

        @Actor
        public void waiter(ZZI_Result r) {
            r.r1 = await(TABLE, key, () -> done);
        }

        @Actor
        public void waker(ZZI_Result r) {
            done = true;
            TABLE.wakeAll(key);
            r.r2 = true;
        }

        @Arbiter
        public void permanentStillWaits(ZZI_Result r) {
            r.r3 = TABLE.waitersOn(PERMANENT);
        }
    }

    /** Waits for ever on key -1 of its table. */
    static final class PermanentWaiter implements Runnable {
        private final WaitTable table;

        PermanentWaiter(WaitTable table) {
            this.table = table;
        }

        @Override
        public void run() {
            table.awaitUninterruptibly(RightKeyReleased.PERMANENT, () -> false, null);
        }
    }

    /**
     * A waiter on key 2 and a waker that first wakes key 1 (same bucket, nobody's condition changes), and only
     * then makes key 2's condition true and wakes key 2. The waiter records the waker's phase when it
     * returns: returning during phase 1 means the key-1 wake released it.
     *
     * <p>r1: the waiter was released; r2: waker phase seen by the waiter on return; r3: waiters left queued.
     */
    @JCStressTest
    @Outcome(id = "true, 2, 0", expect = ACCEPTABLE, desc = "released only after its own key's wake")
    @Outcome(id = "true, [01], .*", expect = FORBIDDEN, desc = "released by the wake for the colliding key")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "lost wake: the waiter timed out")
    @Outcome(expect = FORBIDDEN, desc = "a waiter left queued")
    @State
    public static class OtherKeyStays {
        final WaitTable table = new WaitTable(1);
        volatile int phase;
        volatile boolean ownCondition;

        @Actor
        public void waiterOnKey2(ZII_Result r) {
            r.r1 = await(table, 2, () -> ownCondition);
            r.r2 = phase;
        }

        @Actor
        public void wakerOfKey1ThenKey2() {
            phase = 1;
            table.wakeAll(1);
            phase = 2;
            ownCondition = true;
            table.wakeAll(2);
        }

        @Arbiter
        public void queued(ZII_Result r) {
            r.r3 = table.waitersOn(1) + table.waitersOn(2);
        }
    }
}
