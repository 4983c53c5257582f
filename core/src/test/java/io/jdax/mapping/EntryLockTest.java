package io.jdax.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.page.PageMap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class EntryLockTest extends MappingFixture {

    @Test
    void aFaultWaitsForAHeldEntryLock() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping m = small(8);
            m.map(2, true).close();
            EntryLock held = m.lockEntry(2);
            assertTrue(m.entry(2).locked());
            CompletableFuture<MappingView> fault = async(() -> m.map(2, false));
            awaitTrue(() -> m.entryWaiters(2) == 1);
            assertFalse(fault.isDone());
            held.close();
            held.close(); // idempotent
            MappingView v = fault.get();
            assertFalse(m.entry(2).locked());
            assertEquals(0, m.entryWaiters(2));
            v.close();
            m.verify();
        });
    }

    @Test
    void twoWaitersBothGetTheLockInTurn() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping m = small(8);
            m.map(4, true).close();
            EntryLock held = m.lockEntry(4);
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            Runnable waiter = () -> {
                try (EntryLock l = m.lockEntry(4)) {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    inside.decrementAndGet();
                }
            };
            CompletableFuture<Void> w1 = run(waiter);
            CompletableFuture<Void> w2 = run(waiter);
            awaitTrue(() -> m.entryWaiters(4) == 2);
            held.close();
            w1.get();
            w2.get();
            assertEquals(1, most.get(), "never two holders");
            assertFalse(m.entry(4).locked());
            assertEquals(0, m.entryWaiters(4));
        });
    }

    @Test
    void aPmdFaultWaitsForTheDowngradeOfItsEntry() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping m = huge(512);
            m.map(0, false).close(); // a zero PMD entry
            EntryLock held = m.lockEntry(9);
            assertEquals(0, held.index());
            CompletableFuture<MappingView> small = async(() -> m.map(9, true, 0));
            awaitTrue(() -> m.entryWaiters(0) == 1);
            held.close();
            MappingView v = small.get();
            assertEquals(0, v.order());
            assertNull(m.entry(0));
            v.close();
            m.verify();
        });
    }

    @Test
    void lockEntryOfNothingIsNull() {
        Mapping m = small(8);
        assertNull(m.lockEntry(5));
        assertThrows(IndexOutOfBoundsException.class, () -> m.lockEntry(-3));
    }

    @Test
    void theExtentSourceIsAskedUnderTheEntryLockOnly() {
        // a source that counts callers inside it for one index: the entry lock keeps it at one
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExtentSource counting = new ExtentSource() {
            @Override
            public PageMap pageMap() {
                return map;
            }

            @Override
            public Extent extent(Mapping mapping, long index, int order, boolean write) {
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                Thread.onSpinWait();
                try {
                    return source.extent(mapping, index, order, write);
                } finally {
                    inside.decrementAndGet();
                }
            }

            @Override
            public void release(Mapping mapping, long start, long end) {
                source.release(mapping, start, end);
            }
        };
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping m = space.open(counting, 8 * PAGE, 0);
            Runnable faults = () -> {
                for (int i = 0; i < 2000; i++) {
                    m.map(1, (i & 1) == 0).close();
                }
            };
            CompletableFuture<Void> f1 = run(faults);
            CompletableFuture<Void> f2 = run(faults);
            f1.get();
            f2.get();
            assertEquals(1, most.get());
            m.verify();
        });
    }
}
