package io.jdax.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

/** Exclusive waiters on two-long keys: the entry-lock half of the table. */
class WaitTableExclusiveTest {

    static final Duration LIMIT = Duration.ofSeconds(20);

    /** A binary lock whose acquisition is the waiter's condition, as an entry lock under its mapping. */
    static final class EntryLock {
        final AtomicBoolean locked = new AtomicBoolean(true);

        BooleanSupplier tryLock() {
            return () -> locked.compareAndSet(false, true);
        }

        void unlock(WaitTable table, long k1, long k2) {
            locked.set(false);
            table.wakeOne(k1, k2);
        }
    }

    static void awaitQueued(WaitTable table, long k1, long k2, int n) throws InterruptedException {
        while (table.waitersOn(k1, k2) != n) {
            Thread.sleep(1);
        }
    }

    static CompletableFuture<Void> start(Runnable r) {
        return CompletableFuture.runAsync(r, task -> Thread.ofPlatform().start(task));
    }

    @Test
    void wakeOneReleasesExactlyOneOfTwoExclusiveWaiters() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            EntryLock lock = new EntryLock();
            CompletableFuture<Void> a = start(() -> table.awaitExclusive(7, 3, lock.tryLock(), null));
            CompletableFuture<Void> b = start(() -> table.awaitExclusive(7, 3, lock.tryLock(), null));
            awaitQueued(table, 7, 3, 2);
            lock.locked.set(false);
            assertTrue(table.wakeOne(7, 3));
            CompletableFuture.anyOf(a, b).get();
            awaitQueued(table, 7, 3, 1);
            assertTrue(a.isDone() ^ b.isDone(), "one wake-one, one owner");
            assertTrue(lock.locked.get());
            lock.unlock(table, 7, 3); // the owner's unlock passes the lock to the other waiter
            CompletableFuture.allOf(a, b).get();
            assertEquals(0, table.waitersOn(7, 3));
            assertFalse(table.wakeOne(7, 3), "nobody left to wake");
        });
    }

    @Test
    void keysAreComparedInFullNotByBucketOrFoldedValue() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable(1); // every key shares the one bucket
            long[][] keys = {{1, 2}, {2, 1}, {1, 3}, {3, 0}, {0, 3}, {-1, -1}};
            AtomicBoolean over = new AtomicBoolean();
            CompletableFuture<?>[] waits = new CompletableFuture<?>[keys.length];
            for (int i = 0; i < keys.length; i++) {
                long k1 = keys[i][0];
                long k2 = keys[i][1];
                waits[i] = start(() -> table.awaitExclusive(k1, k2, over::get, null));
                awaitQueued(table, k1, k2, 1);
            }
            assertTrue(table.wakeOne(1, 2));
            assertEquals(1, table.wakeAll(2, 1), "(1, 2)'s wake was not taken by (2, 1)");
            assertEquals(1, table.wakeAll(0, 3));
            assertEquals(0, table.wakeAll(0, 2), "nobody waits on (0, 2)");
            for (int i = 0; i < keys.length; i++) {
                assertEquals(1, table.waitersOn(keys[i][0], keys[i][1]), "woken or not, each waits again: " + i);
            }
            over.set(true);
            for (long[] key : keys) {
                table.wakeAll(key[0], key[1]); // a waiter still retesting after an earlier wake may not need it
            }
            CompletableFuture.allOf(waits).get();
        });
    }

    @Test
    void wakeOneSkipsWaitersOfOtherKeysInTheBucket() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable(1);
            EntryLock mine = new EntryLock();
            EntryLock other = new EntryLock();
            CompletableFuture<Void> otherWaiter = start(() -> table.awaitExclusive(9, 1, other.tryLock(), null));
            awaitQueued(table, 9, 1, 1); // queued first: a wake-one that ignored keys would pick it
            CompletableFuture<Void> myWaiter = start(() -> table.awaitExclusive(1, 9, mine.tryLock(), null));
            awaitQueued(table, 1, 9, 1);
            other.locked.set(false); // free, but nobody wakes its key: its waiter must stay parked
            mine.unlock(table, 1, 9);
            myWaiter.get();
            assertEquals(1, table.waitersOn(9, 1));
            assertTrue(table.wakeOne(9, 1));
            otherWaiter.get();
        });
    }

    @Test
    void wakeOneWakesEveryNonExclusiveWaiterOfTheKeyAndOneExclusive() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            AtomicBoolean free = new AtomicBoolean();
            EntryLock lock = new EntryLock();
            // the single-key methods are the pair (key, 0), non-exclusive
            CompletableFuture<Void> shared1 = start(() -> table.awaitUninterruptibly(4, free::get, null));
            CompletableFuture<Void> shared2 = start(() -> table.awaitUninterruptibly(4, free::get, null));
            CompletableFuture<Void> excl1 = start(() -> table.awaitExclusive(4, 0, lock.tryLock(), null));
            CompletableFuture<Void> excl2 = start(() -> table.awaitExclusive(4, 0, lock.tryLock(), null));
            awaitQueued(table, 4, 0, 4);
            assertEquals(4, table.waitersOn(4));
            free.set(true);
            lock.locked.set(false);
            assertTrue(table.wakeOne(4, 0));
            CompletableFuture.allOf(shared1, shared2).get();
            CompletableFuture.anyOf(excl1, excl2).get();
            awaitQueued(table, 4, 0, 1);
            lock.unlock(table, 4, 0);
            CompletableFuture.allOf(excl1, excl2).get();
        });
    }

    @Test
    void wakeAllCountsTheWaitersOfThePairOnly() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable(1);
            AtomicBoolean free = new AtomicBoolean();
            CompletableFuture<Void> a = start(() -> table.awaitExclusive(5, 5, free::get, null));
            CompletableFuture<Void> b = start(() -> table.awaitExclusive(5, 5, free::get, null));
            AtomicBoolean otherFree = new AtomicBoolean();
            CompletableFuture<Void> c = start(() -> table.awaitExclusive(5, 6, otherFree::get, null));
            awaitQueued(table, 5, 5, 2);
            awaitQueued(table, 5, 6, 1);
            free.set(true);
            assertEquals(2, table.wakeAll(5, 5));
            CompletableFuture.allOf(a, b).get();
            assertEquals(1, table.waitersOn(5, 6));
            otherFree.set(true);
            assertTrue(table.wakeOne(5, 6));
            c.get();
        });
    }

    @Test
    void anExclusiveWakeTheWaiterCannotUseIsPassedOn() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            EntryLock lock = new EntryLock();
            IllegalStateException boom = new IllegalStateException("callback failed");
            AtomicBoolean wokenOnce = new AtomicBoolean();
            // first in line: after its wake its callback fails, so it leaves with the wake unused
            CompletableFuture<Void> failing = start(() -> table.awaitExclusive(2, 2, () -> wokenOnce.get() && false,
                    SleepCallback.of(() -> { }, () -> {
                        if (wokenOnce.get()) {
                            throw boom;
                        }
                    })));
            awaitQueued(table, 2, 2, 1);
            CompletableFuture<Void> second = start(() -> table.awaitExclusive(2, 2, lock.tryLock(), null));
            awaitQueued(table, 2, 2, 2);
            wokenOnce.set(true);
            lock.locked.set(false);
            assertTrue(table.wakeOne(2, 2)); // FIFO: goes to the failing waiter
            ExecutionException e = assertThrows(ExecutionException.class, failing::get);
            assertSame(boom, e.getCause());
            second.get(); // without the pass-on it would stay parked with the lock free
            assertTrue(lock.locked.get());
            assertEquals(0, table.waitersOn(2, 2));
        });
    }

    @Test
    void exclusiveWaitsIgnoreInterruptsAndReassertThem() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            EntryLock lock = new EntryLock();
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            AtomicInteger tests = new AtomicInteger();
            Thread t = Thread.ofPlatform().start(() -> {
                table.awaitExclusive(8, 8, () -> {
                    tests.incrementAndGet();
                    return lock.locked.compareAndSet(false, true);
                }, null);
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            awaitQueued(table, 8, 8, 1);
            int before = tests.get();
            t.interrupt();
            while (tests.get() == before) {
                Thread.sleep(1); // the interrupt unparks it once; it re-tests and waits again
            }
            assertEquals(1, table.waitersOn(8, 8));
            assertTrue(t.isAlive());
            lock.unlock(table, 8, 8);
            t.join();
            assertTrue(interruptedAfter.get(), "the interrupt is re-asserted on return");
        });
    }

    @Test
    void aConditionAlreadyTrueNeverQueues() {
        WaitTable table = new WaitTable();
        table.awaitExclusive(1, 1, () -> true, null);
        assertEquals(0, table.waitersOn(1, 1));
        assertThrows(NullPointerException.class, () -> table.awaitExclusive(1, 1, null, null));
    }

    @Test
    void aTimedExclusiveWaitThatRunsOutLeavesNothingQueued() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            Thread.currentThread().interrupt();
            assertFalse(table.awaitExclusive(6, 6, () -> false, 1, java.util.concurrent.TimeUnit.MILLISECONDS, null));
            assertTrue(Thread.interrupted(), "uninterruptible: the interrupt neither ends the wait nor is lost");
            assertEquals(0, table.waitersOn(6, 6));
        });
    }

    @Test
    void aWakeHandedAfterTheLastTestOfAWaitThatTimesOutIsPassedOn() {
        // the first waiter's last condition test is where the release and its wake-one land: the wake is
        // handed to it after that test said "taken", then its deadline passes; the wake must move on
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            EntryLock lock = new EntryLock();
            AtomicInteger firstTests = new AtomicInteger();
            CompletableFuture<Void> second = start(() -> {
                while (table.waitersOn(3, 3) == 0) {
                    Thread.onSpinWait(); // queue behind the first waiter
                }
                table.awaitExclusive(3, 3, lock.tryLock(), null);
            });
            boolean got = table.awaitExclusive(3, 3, () -> {
                if (firstTests.incrementAndGet() == 2) { // the test made after enqueueing
                    try {
                        while (table.waitersOn(3, 3) != 2) {
                            Thread.sleep(1);
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    lock.unlock(table, 3, 3); // hands the wake to this, the first, waiter
                }
                return false;
            }, 1, java.util.concurrent.TimeUnit.NANOSECONDS, null);
            assertFalse(got);
            second.get(); // only the passed-on wake can release it
            assertTrue(lock.locked.get());
        });
    }
}
