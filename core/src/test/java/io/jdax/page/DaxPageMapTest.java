package io.jdax.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.memory.Region;
import io.jdax.wait.SleepCallback;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;

class DaxPageMapTest extends PageMapContract {

    static final Duration LIMIT = Duration.ofSeconds(20);

    @Override
    PageMap create(Region region, long pageSize) {
        return PageMap.dax(region, pageSize);
    }

    @Override
    void assertLastPutHandled(long head) {
        // the folio stays where it is (still prepped, still owned) and nobody waits any more
        assertEquals(0, map.refCount(head));
        assertEquals(0, map.idleWaiterCount(head));
    }

    /** Blocks until {@code n} threads wait on {@code head}, so that the put below really exercises the wake. */
    void awaitWaiters(long head, int n) throws InterruptedException {
        while (map.idleWaiterCount(head) < n) {
            Thread.sleep(1);
        }
    }

    @Test
    void anIdleFolioReturnsAtOnceAndNothingIsQueued() throws InterruptedException {
        map.awaitIdle(3, null);
        map.awaitIdleUninterruptibly(3, null);
        assertTrue(map.awaitIdle(3, 0, TimeUnit.NANOSECONDS, null));
        assertEquals(0, map.idleWaiterCount(3));
    }

    @Test
    void theLastPutWakesTheWaiterAndTheFolioStays() {
        assertTimeoutPreemptively(LIMIT, () -> {
            map.prepCompound(64, 4);
            map.owners().set(64, 9, 1);
            map.incRef(64);
            map.get(64);
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> map.awaitIdleUninterruptibly(64, null));
            awaitWaiters(64, 1);
            // deterministic: only the last put wakes idle waiters, and this one reports it is not the last
            assertFalse(map.put(64), "one reference is still held");
            assertEquals(1, map.idleWaiterCount(64), "the waiter is still queued");
            assertFalse(waiter.isDone(), "one reference is still held");
            map.put(64);
            waiter.get();
            assertEquals(4, map.order(64), "a dax folio is not freed by its last put");
            assertEquals(9, map.owners().mapping(64));
            assertEquals(0, map.idleWaiterCount(64));
        });
    }

    @Test
    void timesOutWhileBusy() throws InterruptedException {
        map.incRef(5);
        long start = System.nanoTime();
        assertFalse(map.awaitIdle(5, 30, TimeUnit.MILLISECONDS, null));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30));
        assertEquals(0, map.idleWaiterCount(5));
        assertEquals(1, map.refCount(5));
    }

    @Test
    void anInterruptEndsAnInterruptibleWaitAndClearsTheStatus() {
        assertTimeoutPreemptively(LIMIT, () -> {
            map.incRef(6);
            List<Throwable> outcome = new ArrayList<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    map.awaitIdle(6, null);
                } catch (Throwable e) {
                    outcome.add(e);
                }
                outcome.add(new Throwable("interrupted=" + Thread.currentThread().isInterrupted()));
            });
            awaitWaiters(6, 1);
            t.interrupt();
            t.join();
            assertTrue(outcome.get(0) instanceof InterruptedException, outcome.toString());
            assertEquals("interrupted=false", outcome.get(1).getMessage());
            assertEquals(0, map.idleWaiterCount(6));
            assertEquals(1, map.refCount(6));
        });
    }

    @Test
    void anUninterruptibleWaitKeepsWaitingAndReassertsTheInterrupt() {
        assertTimeoutPreemptively(LIMIT, () -> {
            map.incRef(7);
            AtomicInteger interruptedAfter = new AtomicInteger(-1);
            AtomicInteger sleeps = new AtomicInteger();
            SleepCallback counting = SleepCallback.of(sleeps::incrementAndGet, () -> { });
            Thread t = Thread.ofPlatform().start(() -> {
                map.awaitIdleUninterruptibly(7, counting);
                interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
            });
            awaitWaiters(7, 1);
            while (sleeps.get() < 1) {
                Thread.onSpinWait(); // queued, and about to sleep: now the interrupt lands on a sleeper
            }
            t.interrupt();
            // deterministic: the interrupt unparks it, it re-tests (still busy) and sleeps again; a wait that
            // ended on the interrupt never counts a second sleep (bounded by the test's time limit)
            while (sleeps.get() < 2) {
                assertTrue(t.isAlive(), "an interrupt ended an uninterruptible wait");
                Thread.onSpinWait();
            }
            assertTrue(t.isAlive(), "an interrupt does not end an uninterruptible wait");
            map.put(7);
            t.join();
            assertEquals(1, interruptedAfter.get());
        });
    }

    @Test
    void theCallbackDropsAndRetakesALockAroundEachSleep() {
        assertTimeoutPreemptively(LIMIT, () -> {
            ReentrantLock fsLock = new ReentrantLock();
            map.incRef(10);
            AtomicInteger sleeps = new AtomicInteger();
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
                fsLock.lock();
                try {
                    map.awaitIdleUninterruptibly(10, SleepCallback.of(() -> {
                        sleeps.incrementAndGet();
                        fsLock.unlock();
                    }, fsLock::lock));
                    return fsLock.isHeldByCurrentThread();
                } finally {
                    fsLock.unlock();
                }
            });
            awaitWaiters(10, 1);
            // the waker needs the lock the waiter dropped: with it held across the sleep this would deadlock
            fsLock.lock();
            try {
                map.put(10);
            } finally {
                fsLock.unlock();
            }
            assertTrue(waiter.get(), "the lock is held again when the wait returns");
            assertTrue(sleeps.get() >= 1);
        });
    }

    @Test
    void anExceptionFromTheCallbackEndsTheWaitWithNothingQueued() {
        map.incRef(12);
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> map.awaitIdleUninterruptibly(12, () -> {
                    throw boom;
                }));
        assertSame(boom, thrown);
        assertEquals(0, map.idleWaiterCount(12));
        assertEquals(1, map.refCount(12));
    }

    @Test
    void manyWaitersOnOneFolioAllWake() {
        assertTimeoutPreemptively(LIMIT, () -> {
            map.prepCompound(128, 2);
            map.incRef(128);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> waiters = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    waiters.add(pool.submit(() -> map.awaitIdleUninterruptibly(128, null)));
                }
                awaitWaiters(128, 8);
                map.put(128);
                for (Future<?> f : waiters) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(0, map.idleWaiterCount(128));
        });
    }

    @Test
    void virtualThreadsWaitWithoutHoldingTheirCarriers() {
        // far more parked virtual waiters than carriers: if a wait pinned its carrier, the put below could
        // never run on the default scheduler's few carriers and the waiters would never finish
        assertTimeoutPreemptively(LIMIT, () -> {
            int waitersPerFolio = 500;
            long[] heads = {200, 201, 202, 203};
            for (long h : heads) {
                map.incRef(h);
            }
            try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> waiters = new ArrayList<>();
                for (long h : heads) {
                    for (int i = 0; i < waitersPerFolio; i++) {
                        waiters.add(vts.submit(() -> {
                            map.awaitIdle(h, null);
                            return null;
                        }));
                    }
                }
                for (long h : heads) {
                    awaitWaiters(h, waitersPerFolio);
                }
                Future<?> putter = vts.submit(() -> {
                    for (long h : heads) {
                        map.put(h);
                    }
                });
                putter.get();
                for (Future<?> f : waiters) {
                    f.get();
                }
            }
            for (long h : heads) {
                assertEquals(0, map.idleWaiterCount(h));
            }
        });
    }

    @Test
    void theWaitKeyIsTheHead() {
        map.prepCompound(32, 1);
        map.incRef(32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.awaitIdle(33, null));
        assertTrue(e.getMessage().contains("folio 32"), e.getMessage());
    }

    @Test
    void longTermPinsOfFsDaxFoliosAreRefused() {
        map.incRef(9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.pins().pin(9, true));
        assertTrue(e.getMessage().contains("long-term"), e.getMessage());
        assertEquals(1, map.refCount(9));
        assertEquals(9, map.pins().pin(9, false));
    }

    @Test
    void closingTheMapOrItsRegionWakesEveryIdleWaiterWithAClearException() {
        for (boolean viaRegion : new boolean[] {false, true}) {
            assertTimeoutPreemptively(LIMIT, () -> {
                Region r = Region.anonymous(64 * 4096L);
                PageMap m = PageMap.dax(r);
                m.incRef(3);
                m.incRef(5);
                ExecutorService threads = Executors.newFixedThreadPool(2); // the common pool may have one
                CompletableFuture<Void> uninterruptible = CompletableFuture.runAsync(
                        () -> m.awaitIdleUninterruptibly(3, null), threads);
                CompletableFuture<Void> untimed = CompletableFuture.runAsync(() -> {
                    try {
                        m.awaitIdle(5, null);
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }, threads);
                threads.shutdown();
                while (m.idleWaiterCount(3) + m.idleWaiterCount(5) < 2) {
                    Thread.sleep(1);
                }
                if (viaRegion) {
                    r.close();
                } else {
                    m.close();
                }
                for (CompletableFuture<Void> waiter : List.of(uninterruptible, untimed)) {
                    java.util.concurrent.ExecutionException e = assertThrows(
                            java.util.concurrent.ExecutionException.class, waiter::get);
                    assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
                    assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
                }
                IllegalStateException late = assertThrows(IllegalStateException.class,
                        () -> m.awaitIdleUninterruptibly(3, null));
                assertTrue(late.getMessage().contains("closed"), late.getMessage());
                r.close();
            });
        }
    }
}
