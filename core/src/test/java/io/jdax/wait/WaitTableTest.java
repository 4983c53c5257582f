package io.jdax.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class WaitTableTest {

    static final Duration LIMIT = Duration.ofSeconds(20);

    static void awaitQueued(WaitTable table, long key, int n) throws InterruptedException {
        while (table.waitersOn(key) < n) {
            Thread.sleep(1);
        }
    }

    @Test
    void rejectsBucketCountsThatAreNotPowersOfTwo() {
        for (int bad : new int[] {0, -1, 3, 100, 1 << 17}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WaitTable(bad));
            assertTrue(e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
        assertEquals(256, new WaitTable().bucketCount());
        assertEquals(0, new WaitTable(1).bucketOf(12345));
    }

    @Test
    void aWakeWithNobodyWaitingDoesNothing() {
        WaitTable table = new WaitTable();
        assertFalse(table.hasWaiters(7));
        assertEquals(0, table.wakeAll(7));
    }

    @Test
    void collidingKeysWakeOnlyTheirOwnWaiters() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable(1); // every key collides
            AtomicBoolean a = new AtomicBoolean();
            AtomicBoolean b = new AtomicBoolean();
            CompletableFuture<Void> waitA = CompletableFuture.runAsync(() -> table.awaitUninterruptibly(1, a::get, null));
            CompletableFuture<Void> waitB = CompletableFuture.runAsync(() -> table.awaitUninterruptibly(2, b::get, null),
                    r -> Thread.ofPlatform().start(r));
            awaitQueued(table, 1, 1);
            awaitQueued(table, 2, 1);
            assertTrue(table.hasWaiters(3), "a colliding key sees the bucket busy");
            a.set(true);
            assertEquals(1, table.wakeAll(1), "the wake for key 1 unparks key 1's waiter only");
            waitA.get();
            // deterministic: the wake unparked one waiter (A, now returned), so B was never unparked and is queued
            assertEquals(1, table.waitersOn(2), "key 2's waiter is still queued");
            assertFalse(waitB.isDone());
            b.set(true);
            table.wakeAll(2);
            waitB.get();
            assertFalse(table.hasWaiters(2));
        });
    }

    @Test
    void aWakeWithoutTheConditionLeavesTheWaiterWaiting() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger sleeps = new AtomicInteger();
            AtomicInteger wakes = new AtomicInteger();
            SleepCallback counting = SleepCallback.of(sleeps::incrementAndGet, wakes::incrementAndGet);
            CompletableFuture<Void> w = CompletableFuture.runAsync(
                    () -> table.awaitUninterruptibly(5, done::get, counting), r -> Thread.ofPlatform().start(r));
            awaitQueued(table, 5, 1);
            assertEquals(1, table.wakeAll(5));
            // deterministic: the waiter woke, re-tested the false condition and went to sleep again (bounded by
            // the test's time limit; a waiter that returned instead never counts a second sleep)
            while (wakes.get() < 1 || sleeps.get() < 2) {
                assertFalse(w.isDone(), "a waiter woken with its condition false returned");
                Thread.onSpinWait();
            }
            assertFalse(w.isDone(), "a waiter re-tests its condition after every wake");
            done.set(true);
            table.wakeAll(5);
            w.get();
        });
    }

    @Test
    void aConditionThatThrowsEndsTheWaitWithNothingQueued() {
        WaitTable table = new WaitTable();
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> table.await(9, () -> {
            if (calls.incrementAndGet() == 2) {
                throw boom; // the second test is the one made after enqueueing
            }
            return false;
        }, null));
        assertSame(boom, e);
        assertEquals(0, table.waitersOn(9));
        assertFalse(table.hasWaiters(9));
    }

    @Test
    void theConditionIsTestedBeforeTheInterrupt() throws InterruptedException {
        WaitTable table = new WaitTable();
        Thread.currentThread().interrupt();
        table.await(3, () -> true, null); // condition holds: returns normally
        assertTrue(Thread.interrupted(), "and leaves the interrupt status set");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> table.await(3, () -> false, null));
        assertFalse(Thread.currentThread().isInterrupted(), "an InterruptedException clears the status");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> table.await(3, () -> false, 1, TimeUnit.SECONDS, null));
        assertEquals(0, table.waitersOn(3));
    }

    @Test
    void aWakeDuringACallbackThatParksIsNotLost() {
        // the callback takes a lock held by the waker: it parks inside beforeSleep, and the waker's unpark
        // may be consumed there; the woken flag must still stop the waiter from sleeping for ever
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
            AtomicBoolean done = new AtomicBoolean();
            for (int round = 0; round < 200; round++) {
                done.set(false);
                lock.lock();
                CompletableFuture<Void> w = CompletableFuture.runAsync(() -> table.awaitUninterruptibly(1, done::get,
                        SleepCallback.of(() -> {
                            lock.lock();
                            lock.unlock();
                        }, () -> { })), r -> Thread.ofPlatform().start(r));
                awaitQueued(table, 1, 1);
                done.set(true);
                table.wakeAll(1);
                lock.unlock();
                w.get();
            }
        });
    }

    @Test
    void aSleepCallbackWithAMissingHalfIsRefusedWhenBuilt() {
        Runnable nothing = () -> { };
        NullPointerException e = assertThrows(NullPointerException.class, () -> SleepCallback.of(null, nothing));
        assertEquals("before", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> SleepCallback.of(nothing, null));
        assertEquals("after", e.getMessage());
    }
}
