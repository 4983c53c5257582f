package io.jdax.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Timed waits at the edges of the timeout range: no deadline arithmetic may overflow. */
class WaitTableTimeoutTest {

    static final Duration LIMIT = Duration.ofSeconds(10);

    @Test
    void nonPositiveTimeoutsGiveUpAtOnceWithoutQueueing() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            AtomicInteger tests = new AtomicInteger();
            long[] timeouts = {0, -1, Long.MIN_VALUE, Long.MIN_VALUE + 1, -Long.MAX_VALUE / 2};
            for (long timeout : timeouts) {
                for (TimeUnit unit : TimeUnit.values()) {
                    AtomicBoolean queuedWhileTesting = new AtomicBoolean();
                    assertFalse(table.await(1, () -> {
                        tests.incrementAndGet();
                        queuedWhileTesting.compareAndSet(false, table.waitersOn(1) != 0);
                        return false;
                    }, timeout, unit, null), timeout + " " + unit);
                    assertFalse(queuedWhileTesting.get(), "nothing to wait for: " + timeout + " " + unit);
                    assertFalse(table.awaitExclusive(1, 2, () -> false, timeout, unit, null), timeout + " " + unit);
                }
            }
            assertEquals(timeouts.length * TimeUnit.values().length, tests.get(), "the condition is still tested once");
            assertTrue(table.await(1, () -> true, Long.MIN_VALUE, TimeUnit.NANOSECONDS, null));
            assertEquals(0, table.waitersOn(1));
            assertEquals(0, table.waitersOn(1, 2));
        });
    }

    @Test
    void aNonPositiveTimeoutStillReportsAPendingInterrupt() {
        WaitTable table = new WaitTable();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> table.await(1, () -> false, Long.MIN_VALUE, TimeUnit.DAYS, null));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void hugeTimeoutsWaitForTheWakeInsteadOfOverflowingToThePast() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            long[] timeouts = {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE / 2};
            for (long timeout : timeouts) {
                for (TimeUnit unit : new TimeUnit[] {TimeUnit.NANOSECONDS, TimeUnit.DAYS}) {
                    AtomicBoolean done = new AtomicBoolean();
                    CompletableFuture<Boolean> w = CompletableFuture.supplyAsync(() -> {
                        try {
                            return table.await(3, done::get, timeout, unit, null);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }, r -> Thread.ofPlatform().start(r));
                    while (table.waitersOn(3) == 0) {
                        Thread.sleep(1); // a deadline overflowed into the past would have returned false already
                    }
                    done.set(true);
                    table.wakeAll(3);
                    assertTrue(w.get(), timeout + " " + unit);
                }
            }
        });
    }

    @Test
    void aMissingUnitIsNamed() {
        WaitTable table = new WaitTable();
        NullPointerException e = assertThrows(NullPointerException.class, () -> table.await(1, () -> false, 1, null, null));
        assertEquals("unit", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> table.awaitExclusive(1, 1, () -> false, 1, null, null));
        assertEquals("unit", e.getMessage());
        assertEquals(0, table.waitersOn(1));
    }
}
