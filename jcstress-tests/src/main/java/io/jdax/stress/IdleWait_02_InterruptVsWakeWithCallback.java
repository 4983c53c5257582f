package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.page.PageMap;
import io.jdax.wait.SleepCallback;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * An interruptible idle-wait whose callback drops the filesystem lock around each sleep (kernel:
 * {@code wait_page_idle} with xfs's {@code xfs_wait_dax_page}) races an actor that interrupts it and makes the
 * last put, which needs that lock (issue 3, kernel-semantics property 5). Whatever the interleaving, the
 * waiter never returns "idle" while the count is above 0, always holds the lock again when it returns, and
 * never leaves itself queued. Variants: interrupt before the put, and a put after which the interrupt comes
 * only once the waiter has returned.
 *
 * <p>A lost wake must show as an outcome, not as a late success: after its last step the second actor waits
 * (10 s at most, far beyond any legitimate wake) for the waiter to return, and records a waiter still
 * waiting by then as stranded; then it interrupts the waiter if it is still in its wait, which rescues a
 * waiter whose put wake was lost (it then ends with InterruptedException, forbidden after the put).
 *
 * <p>r1: 1 = returned idle, 2 = InterruptedException, 3 = anything else; r2: violations (1 = idle reported
 * while referenced, 2 = lock not held on return); r3: waiters left queued, plus 100 if the waiter was still
 * waiting 10 s after the second actor's last step (a lost wake-up).
 */
public class IdleWait_02_InterruptVsWakeWithCallback {

    static final int IDLE = 1;
    static final int INTERRUPTED = 2;
    static final int OTHER = 3;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Per state: the folio, the lock, and a registration so that an interrupt never outlives the wait. */
    abstract static class Scenario {
        final PageMap map = StressMaps.DAX;
        final long head = StressMaps.folio(map, 0, 1);
        final ReentrantLock fsLock = new ReentrantLock();
        private final Object registration = new Object();
        private Thread waiterThread; // guarded by registration
        private volatile boolean returned;
        private boolean stranded; // written by the second actor, read by the arbiter

        void waitIdle(III_Result r) {
            synchronized (registration) {
                waiterThread = Thread.currentThread();
            }
            fsLock.lock();
            try {
                map.awaitIdle(head, SleepCallback.of(fsLock::unlock, fsLock::lock));
                r.r1 = IDLE;
                r.r2 |= map.refCount(head) != 0 ? 1 : 0;
            } catch (InterruptedException e) {
                r.r1 = INTERRUPTED;
            } catch (RuntimeException e) {
                r.r1 = OTHER;
            } finally {
                r.r2 |= fsLock.isHeldByCurrentThread() ? 0 : 2;
                if (fsLock.isHeldByCurrentThread()) {
                    fsLock.unlock();
                }
                synchronized (registration) {
                    waiterThread = null;
                }
                Thread.interrupted(); // an interrupt that came after the wait must not leak into the next test
                returned = true;
            }
        }

        /** Waits (bounded) for the waiter to return; records a waiter that does not as stranded. */
        void awaitWaiterReturn() {
            long start = System.nanoTime();
            while (!returned) {
                if (System.nanoTime() - start >= TIMEOUT_NANOS) {
                    stranded = true;
                    return;
                }
                Thread.yield(); // two CPUs: let the waiter's thread run
            }
        }

        int leftOver() {
            return map.idleWaiterCount(head) + (stranded ? 100 : 0);
        }

        void interruptWaiter() {
            synchronized (registration) {
                if (waiterThread != null) {
                    waiterThread.interrupt();
                }
            }
        }

        void lastPutUnderLock() {
            fsLock.lock();
            try {
                map.put(head);
            } finally {
                fsLock.unlock();
            }
        }
    }

    @JCStressTest
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "saw the folio idle (before or despite the interrupt)")
    @Outcome(id = "2, 0, 0", expect = ACCEPTABLE, desc = "interrupted while the folio was busy")
    @Outcome(id = ".*, [123], .*", expect = FORBIDDEN, desc = "idle reported while referenced, or the lock not retaken")
    @Outcome(id = ".*, .*, 1[0-9][0-9]", expect = FORBIDDEN, desc = "lost wake-up: still waiting 10 s after the interrupt and the put")
    @Outcome(id = ".*, .*, [1-9]", expect = FORBIDDEN, desc = "a waiter left queued")
    @Outcome(expect = FORBIDDEN, desc = "unexpected exception")
    @State
    public static class InterruptThenPut extends Scenario {
        @Actor
        public void waiter(III_Result r) {
            waitIdle(r);
        }

        @Actor
        public void interruptThenPut() {
            interruptWaiter();
            lastPutUnderLock();
            awaitWaiterReturn();
            interruptWaiter(); // rescues a waiter whose wakes were both lost (it is recorded as stranded)
        }

        @Arbiter
        public void queued(III_Result r) {
            r.r3 = leftOver();
        }
    }

    @JCStressTest
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "saw the folio idle, woken by the put or not needing it")
    @Outcome(id = "2, .*, .*", expect = FORBIDDEN, desc = "lost wake-up: still waiting after the put, ended by the rescue interrupt")
    @Outcome(id = ".*, [123], .*", expect = FORBIDDEN, desc = "idle reported while referenced, or the lock not retaken")
    @Outcome(id = ".*, .*, 1[0-9][0-9]", expect = FORBIDDEN, desc = "lost wake-up: still waiting 10 s after the put")
    @Outcome(id = ".*, .*, [1-9]", expect = FORBIDDEN, desc = "a waiter left queued")
    @Outcome(expect = FORBIDDEN, desc = "unexpected exception")
    @State
    public static class PutThenInterrupt extends Scenario {
        @Actor
        public void waiter(III_Result r) {
            waitIdle(r);
        }

        @Actor
        public void putThenInterrupt() {
            lastPutUnderLock();
            awaitWaiterReturn();
            interruptWaiter(); // a no-op once the waiter has returned; rescues one whose put wake was lost
        }

        @Arbiter
        public void queued(III_Result r) {
            r.r3 = leftOver();
        }
    }
}
