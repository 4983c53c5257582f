package io.jdax.mapping;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.wait.SleepCallback;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class MappingLayoutTest extends MappingFixture {

    @Test
    void reflinkThenMapFromBothFilesSharesThenSplitsAtShareZero() {
        Mapping a = huge(512);
        Mapping b = huge(512);
        MappingView va = a.map(0, true);
        va.segment().set(JAVA_LONG, 8, 77);
        long head = va.pfn();
        source.reflink(a, 0, b, 0, 512);
        assertEquals(List.of(new InMemoryExtentSource.Owner(a.id(), 5), new InMemoryExtentSource.Owner(b.id(), 5)),
                source.owners(head + 5), "the reverse map lists both files");

        MappingView vb = b.map(3, false);
        assertEquals(head, vb.pfn());
        assertEquals(77, vb.segment().get(JAVA_LONG, 8));
        assertEquals(0, map.owners().mapping(head), "shared: no single owner");
        assertEquals(2, map.owners().share(head));
        assertEquals(2, map.refCount(head));
        assertEquals(2, map.mapCount(head));

        va.close();
        a.close(); // deletes a's entry: one share fewer
        assertEquals(1, map.owners().share(head));
        assertEquals(9, map.order(head), "still compound while shared");
        assertEquals(1, map.refCount(head), "b's view still holds it");
        assertEquals(List.of(new InMemoryExtentSource.Owner(b.id(), 0)), source.owners(head));

        vb.close();
        b.close();
        assertEquals(0, map.order(head), "split back to order-0 pages");
        for (long p = head; p < head + 512; p++) {
            assertEquals(0, map.refCount(p));
            assertEquals(0, map.owners().mapping(p));
            assertEquals(head + 1 == p ? 0 : 0, map.order(p));
        }
        assertTrue(source.owners(head).isEmpty());
        assertEquals(PAGES, source.freePages(), "the block went back to the allocator");
    }

    @Test
    void aSharedWriteMarksTowrite() {
        Mapping a = small(4);
        Mapping b = small(4);
        a.map(1, true).close();
        source.reflink(a, 1, b, 1, 1);
        b.map(1, true).close();
        assertTrue(b.entry(1).towrite());
        assertTrue(b.entry(1).dirty());
        assertEquals(1, b.nextMarked(Mark.TOWRITE, 0, 4));
        a.close();
        b.close();
    }

    @Test
    void reflinkRefusesBadRangesAndChangesNothing() {
        Mapping a = huge(1024);
        Mapping b = huge(1024);
        a.map(0, true).close();
        IllegalArgumentException part = assertThrows(IllegalArgumentException.class,
                () -> source.reflink(a, 0, b, 0, 100));
        assertTrue(part.getMessage().contains("100"), part.getMessage());
        IllegalArgumentException align = assertThrows(IllegalArgumentException.class,
                () -> source.reflink(a, 0, b, 3, 512));
        assertTrue(align.getMessage().contains("3"), align.getMessage());
        assertThrows(IllegalArgumentException.class, () -> source.reflink(a, 0, b, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> source.reflink(a, 0, a, 256, 512));
        b.map(600, false).close(); // a zero-page entry over the destination
        assertThrows(IllegalArgumentException.class, () -> source.reflink(a, 0, b, 512, 512));
        assertEquals(1, source.owners(a.entry(0).pfn()).size());
        assertNull(b.entry(0));
    }

    @Test
    void truncateRevokesViewsAndEveryOldAccessThrows() throws InterruptedException {
        Mapping m = small(8);
        MappingView v = m.map(2, true);
        MemorySegment seg = v.segment();
        seg.set(JAVA_LONG, 0, 5);
        long pfn = v.pfn();
        m.truncate(PAGE);
        assertThrows(IllegalStateException.class, () -> seg.get(JAVA_LONG, 0), "the old segment is revoked");
        assertThrows(IllegalStateException.class, v::segment);
        assertFalse(v.isOpen());
        assertNull(m.entry(2));
        assertEquals(0, map.refCount(pfn));
        assertEquals(0, map.mapCount(pfn));
        assertEquals(PAGE, m.size());
        assertEquals(PAGES, source.freePages());
        assertThrows(IndexOutOfBoundsException.class, () -> m.map(2, false));
        v.close(); // after revocation: nothing left to drop
        assertEquals(0, map.refCount(pfn));
        m.verify();
    }

    @Test
    void truncateWaitsForAPinAndCompletesWhenItGoes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping m = huge(512);
            MappingView v = m.map(0, true);
            long head = v.pfn();
            MappingPin pin = m.pin(10, false);
            assertEquals(head, pin.pfn());
            assertEquals(2, map.refCount(head), "a view and a pin");
            assertEquals(1, map.mapCount(head), "a pin holds no map count");
            CompletableFuture<Void> truncate = run(() -> {
                try {
                    m.truncate(0);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitTrue(() -> map.idleWaiterCount(head) == 1);
            assertFalse(v.isOpen(), "views are revoked before the wait");
            assertEquals(1, map.refCount(head), "only the pin is left");
            assertFalse(truncate.isDone());
            assertNotNull(m.entry(0), "entries are not deleted while a page is busy");
            pin.close();
            truncate.get();
            assertNull(m.entry(0));
            assertEquals(0, map.refCount(head));
            assertEquals(0, map.order(head), "split back once the last entry went");
            assertEquals(0, m.size());
            m.verify();
        });
    }

    @Test
    void anInterruptedTruncateChangesNothingAndCanBeRetried() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping m = small(8);
            MappingView v = m.map(3, true);
            long pfn = v.pfn();
            MappingPin pin = m.pin(3, false);
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<Throwable> truncate = async(() -> {
                thread.set(Thread.currentThread());
                try {
                    m.truncate(PAGE);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            awaitTrue(() -> map.idleWaiterCount(pfn) == 1);
            thread.get().interrupt();
            assertTrue(truncate.get() instanceof InterruptedException, String.valueOf(truncate.get()));
            assertEquals(0, map.idleWaiterCount(pfn), "the interrupted waiter left the queue");
            assertNotNull(m.entry(3), "no entry was deleted");
            assertEquals(1024, map.refCount(pfn), "the pin alone");
            assertEquals(8 * PAGE, m.size(), "the size is unchanged");
            assertEquals(PAGES - 1, source.freePages(), "no block was released");
            pin.close();
            m.truncate(PAGE);
            assertNull(m.entry(3));
            assertEquals(PAGE, m.size());
            m.verify();
        });
    }

    @Test
    void breakLayoutsRunsTheCallbackAroundEachSleep() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping m = small(8);
            MappingPin pin = m.pin(2, true);
            AtomicInteger before = new AtomicInteger();
            AtomicInteger after = new AtomicInteger();
            CompletableFuture<Void> brk = run(() -> {
                try {
                    m.breakLayouts(0, 8 * PAGE, SleepCallback.of(before::incrementAndGet, after::incrementAndGet));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitTrue(() -> map.idleWaiterCount(pin.pfn()) == 1);
            assertTrue(before.get() >= 1, "the callback ran before the sleep");
            pin.close();
            brk.get();
            assertEquals(before.get(), after.get(), "and after each wake");
            assertNull(m.entry(2));
            assertEquals(PAGES - 1, source.freePages(), "breaking a layout keeps the blocks");
        });
    }

    @Test
    void punchHoleDeletesEntriesAndReleasesBlocks() throws InterruptedException {
        Mapping m = small(16);
        for (long i = 0; i < 16; i++) {
            MappingView v = m.map(i, true);
            v.segment().set(JAVA_LONG, 0, i + 1);
            v.close();
        }
        m.punchHole(4 * PAGE, 8 * PAGE);
        assertEquals(12, m.entryCount());
        assertEquals(PAGES - 12, source.freePages());
        MappingView hole = m.map(5, false);
        assertTrue(hole.isZeroPage(), "reads of the hole see zeros");
        MappingView kept = m.map(9, false);
        assertEquals(10, kept.segment().get(JAVA_LONG, 0));
        MappingView again = m.map(5, true);
        assertEquals(0, again.segment().get(JAVA_LONG, 0), "a new block reads as zeros");
        m.verify();
    }

    @Test
    void punchingPartOfAPmdExtentKeepsTheRestAsPages() throws InterruptedException {
        Mapping m = huge(512);
        MappingView v = m.map(0, true);
        v.segment().set(JAVA_LONG, 100 * PAGE, 123);
        v.close();
        m.punchHole(0, 64 * PAGE);
        assertNull(m.entry(100), "the partly punched PMD entry is deleted whole");
        assertEquals(PAGES - 448, source.freePages());
        MappingView rest = m.map(100, false);
        assertEquals(0, rest.order(), "the rest is mapped page by page");
        assertEquals(123, rest.segment().get(JAVA_LONG, 0));
        assertTrue(m.map(10, false).isZeroPage());
        m.verify();
    }

    @Test
    void breakLayoutsFinalWaitsUninterruptibly() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping m = small(4);
            MappingPin pin = m.pin(1, true);
            long pfn = pin.pfn();
            AtomicReference<Thread> thread = new AtomicReference<>();
            CompletableFuture<Boolean> fin = async(() -> {
                thread.set(Thread.currentThread());
                m.breakLayoutsFinal();
                return Thread.currentThread().isInterrupted();
            });
            awaitTrue(() -> map.idleWaiterCount(pfn) == 1);
            thread.get().interrupt();
            awaitTrue(() -> map.idleWaiterCount(pfn) == 1);
            assertNotNull(m.entry(1), "an interrupt does not end the final break");
            pin.close();
            assertTrue(fin.get(), "the interrupt is re-asserted");
            assertNull(m.entry(1));
        });
    }

    @Test
    void closingTheOtherFileOfAReflinkDoesNotWaitForItsViews() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping a = small(4);
            Mapping b = small(4);
            a.map(0, true).close();
            source.reflink(a, 0, b, 0, 1);
            MappingView vb = b.map(0, false);
            a.close(); // b's view keeps refcount == mapcount: not busy for a
            assertEquals(1, map.owners().share(vb.pfn()));
            vb.close();
            b.close();
            assertEquals(PAGES, source.freePages());
        });
    }

    @Test
    void aPinnedReflinkedFolioMappedByTheOtherFileIsWaitedFor() throws ExecutionException, InterruptedException {
        assertTimeoutPreemptively(LIMIT, () -> {
            Mapping a = small(4);
            Mapping b = small(4);
            a.map(0, true).close();
            source.reflink(a, 0, b, 0, 1);
            MappingView vb = b.map(0, false);
            MappingPin pin = a.pin(0, false);
            CompletableFuture<Void> close = run(a::close);
            awaitTrue(() -> map.idleWaiterCount(vb.pfn()) >= 1);
            assertNotNull(a.entry(0));
            pin.close();
            close.get();
            assertNull(a.entry(0));
            assertEquals(1, map.owners().share(vb.pfn()));
            vb.close();
        });
    }
}
