package io.jdax.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Closing a table wakes every waiter; waits whose condition is false then fail with the close's reason. */
class WaitTableCloseTest {

    static final Duration LIMIT = Duration.ofSeconds(20);

    interface Wait {
        void run() throws Exception;
    }

    static CompletableFuture<Void> start(Wait w) {
        return CompletableFuture.runAsync(() -> {
            try {
                w.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("unexpected", e);
            }
        }, r -> Thread.ofPlatform().start(r));
    }

    static void assertClosedWith(String reason, CompletableFuture<?> f) throws InterruptedException {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        IllegalStateException ise = assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(ise.getMessage().contains(reason), ise.getMessage());
    }

    @Test
    void closeWakesEveryKindOfWaiterAndTheyFailWithTheReason() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable(16);
            List<CompletableFuture<Void>> waits = new ArrayList<>();
            waits.add(start(() -> table.awaitUninterruptibly(1, () -> false, null)));
            waits.add(start(() -> table.await(2, () -> false, null)));
            waits.add(start(() -> table.await(3, () -> false, Long.MAX_VALUE, TimeUnit.NANOSECONDS, null)));
            waits.add(start(() -> table.awaitExclusive(4, 5, () -> false, null)));
            waits.add(start(() -> table.awaitExclusive(4, 5, () -> false, 1, TimeUnit.DAYS, null)));
            waits.add(start(() -> table.awaitExclusive(6, 7, () -> false, SleepCallback.of(() -> { }, () -> { }))));
            while (table.waitersOn(1) + table.waitersOn(2) + table.waitersOn(3) + table.waitersOn(4, 5)
                    + table.waitersOn(6, 7) != waits.size()) {
                Thread.sleep(1);
            }
            assertFalse(table.isClosed());
            table.close("page map closed");
            assertTrue(table.isClosed());
            for (CompletableFuture<Void> w : waits) {
                assertClosedWith("page map closed", w);
            }
            assertEquals(0, table.waitersOn(4, 5));
            assertFalse(table.hasWaiters(1));
        });
    }

    @Test
    void aWaiterWhoseConditionHoldsAtCloseReturnsNormally() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            AtomicBoolean idle = new AtomicBoolean();
            CompletableFuture<Void> w = start(() -> table.awaitUninterruptibly(8, idle::get, null));
            while (table.waitersOn(8) == 0) {
                Thread.sleep(1);
            }
            idle.set(true); // nobody wakes key 8: the close does
            table.close("region closed");
            w.get();
        });
    }

    @Test
    void waitsOnAClosedTableTestTheConditionOnceThenThrow() throws InterruptedException {
        WaitTable table = new WaitTable();
        table.close("device closed");
        AtomicInteger tests = new AtomicInteger();
        table.awaitUninterruptibly(1, () -> tests.incrementAndGet() > 0, null);
        assertTrue(table.await(1, () -> true, Long.MIN_VALUE, TimeUnit.NANOSECONDS, null));
        table.awaitExclusive(1, 2, () -> true, null);
        List<Wait> failing = List.of(
                () -> table.awaitUninterruptibly(1, () -> tests.incrementAndGet() < 0, null),
                () -> table.await(1, () -> tests.incrementAndGet() < 0, null),
                () -> table.await(1, () -> tests.incrementAndGet() < 0, 1, TimeUnit.DAYS, null),
                () -> table.await(1, () -> tests.incrementAndGet() < 0, Long.MIN_VALUE, TimeUnit.DAYS, null),
                () -> table.awaitExclusive(1, 2, () -> tests.incrementAndGet() < 0, null),
                () -> table.awaitExclusive(1, 2, () -> tests.incrementAndGet() < 0, 0, TimeUnit.DAYS, null));
        for (Wait w : failing) {
            int before = tests.get();
            IllegalStateException e = assertThrows(IllegalStateException.class, w::run);
            assertTrue(e.getMessage().contains("device closed"), e.getMessage());
            assertEquals(before + 1, tests.get(), "tested once");
        }
        assertEquals(0, table.waitersOn(1));
        assertEquals(0, table.waitersOn(1, 2));
    }

    @Test
    void closeIsIdempotentAndKeepsTheFirstReason() {
        WaitTable table = new WaitTable();
        table.close("first");
        table.close("second");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> table.awaitUninterruptibly(1, () -> false, null));
        assertTrue(e.getMessage().contains("first") && !e.getMessage().contains("second"), e.getMessage());
        assertEquals(0, table.wakeAll(1));
        assertFalse(table.wakeOne(1, 1));
        NullPointerException npe = assertThrows(NullPointerException.class, () -> new WaitTable().close(null));
        assertEquals("reason", npe.getMessage());
    }

    @Test
    void closeWhileTheWaiterRunsItsCallbackStillEndsTheWait() {
        // close lands while the waiter is inside beforeSleep, between its condition test and its park
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            java.util.concurrent.CountDownLatch inCallback = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<Void> w = start(() -> table.awaitUninterruptibly(1, () -> false, SleepCallback.of(() -> {
                inCallback.countDown();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, () -> { })));
            inCallback.await();
            table.close("closed mid-callback");
            closed.countDown();
            assertClosedWith("closed mid-callback", w);
        });
    }

    @Test
    void aConditionMadeTrueBeforeACloseThatRacesTheTestStillCounts() {
        // the closer makes the condition true and closes between the waiter's test and its closed check: the
        // test below plays the closer from inside the first test, which then answers with the stale "false"
        WaitTable table = new WaitTable();
        AtomicBoolean idle = new AtomicBoolean();
        AtomicInteger tests = new AtomicInteger();
        table.awaitUninterruptibly(1, () -> {
            if (tests.incrementAndGet() == 1) {
                idle.set(true);
                table.close("closed after the condition became true");
                return false;
            }
            return idle.get();
        }, null);
        assertEquals(2, tests.get());
        assertEquals(0, table.waitersOn(1));
    }
}
