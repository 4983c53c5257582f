package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.wait.SleepCallback;
import io.jdax.wait.WaitTable;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * Wake-one unlock against exclusive waiters of one entry lock (kernel-semantics property 7: never "unlocked,
 * waiters queued, none runnable"). The lock is modelled as the mapping layer builds it: a {@code locked}
 * flag guarded by the mapping's lock, grabbed by an exclusive wait whose condition tests and sets the flag
 * under that lock and whose callback drops the lock around each sleep; every unlock is followed by one
 * {@code wakeOne}. Each grab is bounded (10 s, far beyond any legitimate wake) and measured: a grab that
 * succeeds only when its deadline re-test finds the lock free was stranded by a lost wake, even though it
 * returns true.
 *
 * <p>r1, r2: each grabber held the lock before its deadline; r3: waiters left queued, plus 100 if the lock
 * is still held at the end.
 */
public class WaitTable_01_WakeOneVsExclusiveWaiters {

    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Shared by every state: distinct mapping ids, so states collide in buckets but never share a key. */
    static final WaitTable TABLE = new WaitTable(64);
    static final AtomicLong MAPPINGS = new AtomicLong();

    /** One entry lock: (mapping, aligned index) is the wait key. */
    abstract static class EntryLock {
        final long mapping = MAPPINGS.incrementAndGet();
        final long index = 512;
        final ReentrantLock mappingLock = new ReentrantLock();
        boolean locked = true; // guarded by mappingLock; the state starts out holding it

        /** Grabs the entry lock, and unlocks it at once if it got it; returns whether a wake came in time. */
        boolean grabAndUnlock() {
            long start = System.nanoTime();
            boolean got;
            mappingLock.lock();
            try {
                got = TABLE.awaitExclusive(mapping, index, () -> {
                    if (locked) {
                        return false;
                    }
                    locked = true;
                    return true;
                }, TIMEOUT_NANOS, TimeUnit.NANOSECONDS, SleepCallback.of(mappingLock::unlock, mappingLock::lock));
            } finally {
                mappingLock.unlock();
            }
            boolean inTime = System.nanoTime() - start < TIMEOUT_NANOS;
            if (got) {
                unlock();
            }
            return got && inTime;
        }

        void unlock() {
            mappingLock.lock();
            try {
                locked = false;
            } finally {
                mappingLock.unlock();
            }
            TABLE.wakeOne(mapping, index); // after the unlock of mappingLock: a volatile write, then the check
        }

        int leftOver() {
            mappingLock.lock();
            try {
                return TABLE.waitersOn(mapping, index) + (locked ? 100 : 0);
            } finally {
                mappingLock.unlock();
            }
        }
    }

    /**
     * Two actors each grab and unlock twice; one of them first unlocks the state's hold. Unlocks and grabs
     * interleave, so a waiter is often handed a wake that a faster grabber makes useless, and must then be
     * woken again by that grabber's unlock.
     */
    @JCStressTest
    @Outcome(id = "true, true, 0", expect = ACCEPTABLE, desc = "every grab got the lock in time; nothing left queued")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "a grab of the first actor stranded: a wake-one went nowhere")
    @Outcome(id = ".*, false, .*", expect = FORBIDDEN, desc = "a grab of the second actor stranded: a wake-one went nowhere")
    @Outcome(expect = FORBIDDEN, desc = "a waiter left queued, or the lock left held")
    @State
    public static class RepeatedGrabs extends EntryLock {
        @Actor
        public void unlockThenGrabTwice(ZZI_Result r) {
            unlock();
            boolean first = grabAndUnlock();
            r.r1 = grabAndUnlock() & first;
        }

        @Actor
        public void grabTwice(ZZI_Result r) {
            boolean first = grabAndUnlock();
            r.r2 = grabAndUnlock() & first;
        }

        @Arbiter
        public void end(ZZI_Result r) {
            r.r3 = leftOver();
        }
    }

    /**
     * Two actors: one unlocks the state's hold and then grabs again, the other grabs; whichever waits must
     * be woken by the other's unlock.
     */
    @JCStressTest
    @Outcome(id = "true, true, 0", expect = ACCEPTABLE, desc = "both got the lock in time; nothing left queued")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "the grabber stranded: a wake-one went nowhere")
    @Outcome(id = ".*, false, .*", expect = FORBIDDEN, desc = "the unlocker's re-grab stranded: a wake-one went nowhere")
    @Outcome(expect = FORBIDDEN, desc = "a waiter left queued, or the lock left held")
    @State
    public static class UnlockThenRegrabVsGrab extends EntryLock {
        @Actor
        public void grabber(ZZI_Result r) {
            r.r1 = grabAndUnlock();
        }

        @Actor
        public void unlockThenRegrab(ZZI_Result r) {
            unlock();
            r.r2 = grabAndUnlock();
        }

        @Arbiter
        public void end(ZZI_Result r) {
            r.r3 = leftOver();
        }
    }
}
