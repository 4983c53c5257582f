package io.jdax.mapping;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

class WritebackTest extends MappingFixture {

    @Test
    void writebackFlushesExactlyTheDirtyExtentsAndNeverACleanOne() {
        Mapping m = huge(2048);
        // clean entries: read faults of written-then-synced pages and of holes
        m.map(1024, false).close();
        MappingView clean = m.map(1536, true);
        clean.close();
        m.sync();
        long before = region.flushedBytes();
        m.map(3, false, 0).close(); // a hole read: zero page, never flushed
        try (MappingView a = m.map(7, true, 0); MappingView b = m.map(9, true, 0); MappingView h = m.map(600, true)) {
            a.segment().set(JAVA_LONG, 0, 1);
            b.segment().set(JAVA_LONG, 0, 2);
            h.segment().set(JAVA_LONG, 0, 3);
        }
        long flushed = m.writeback(0, 2048 * PAGE);
        assertEquals(2 * PAGE + 512 * PAGE, flushed, "two 4 KiB entries and one 2 MiB entry");
        assertEquals(flushed, region.flushedBytes() - before, "the region saw exactly those bytes");
        assertFalse(m.entry(7).dirty());
        assertFalse(m.entry(600).dirty());
        assertFalse(m.entry(600).towrite());
        assertEquals(0, m.sync(), "nothing dirty is left");
        assertEquals(flushed, region.flushedBytes() - before);
        m.verify();
    }

    @Test
    void writebackOfARangeLeavesDirtyEntriesOutsideIt() {
        Mapping m = small(64);
        m.map(2, true).close();
        m.map(40, true).close();
        long before = region.flushedBytes();
        assertEquals(PAGE, m.writeback(0, 10 * PAGE));
        assertEquals(PAGE, region.flushedBytes() - before);
        assertTrue(m.entry(40).dirty());
        assertFalse(m.entry(2).dirty());
    }

    @Test
    void aWriteThroughAViewMadeBeforeWritebackFailsAfterItAndAFreshFaultRedirties() {
        Mapping m = small(16);
        MappingView w = m.map(5, true);
        w.segment().set(JAVA_LONG, 0, 11);
        var seg = w.segment();
        m.sync();
        assertFalse(m.entry(5).dirty());
        assertThrows(IllegalStateException.class, () -> seg.set(JAVA_LONG, 0, 12),
                "writeback write-protects: the old writable view is revoked");
        assertFalse(m.entry(5).dirty(), "the failed write did not land");
        try (MappingView again = m.map(5, true)) {
            again.segment().set(JAVA_LONG, 0, 12);
        }
        assertTrue(m.entry(5).dirty(), "the write fault marked it dirty again");
        assertEquals(PAGE, m.sync());
    }

    @Test
    void viewsOfAGroupThatNeverWroteSurviveWriteback() {
        Mapping m = small(1024);
        m.map(600, true).close();
        MappingView r = m.map(3, false); // another group of views, read only
        m.sync();
        assertTrue(r.isOpen(), "write protection revokes only groups that handed out a writable view");
        assertFalse(m.entry(600).dirty());
        r.close();
    }

    @Test
    void aReadOnlyViewBesideAWritableOneOfTheSameRangeSurvivesWriteback() {
        Mapping m = small(1024);
        MappingView w = m.map(7, true);
        w.segment().set(JAVA_LONG, 0, 42);
        MappingView r = m.map(8, false); // the same 512-page range, read only
        MappingView same = m.map(7, false); // even a read-only view of the written page
        m.sync();
        assertFalse(w.isOpen(), "the writable view is write-protected");
        assertTrue(r.isOpen(), "read-only views are not write-protected");
        assertEquals(42, same.segment().get(JAVA_LONG, 0), "and still read");
        r.close();
        same.close();
        m.verify();
    }

    @Test
    void aWritebackWaitsForALockedEntryAndThenFlushesIt() throws Exception {
        Mapping m = small(16);
        m.map(5, true).close();
        EntryLock held = m.lockEntry(5);
        long before = region.flushedBytes();
        CompletableFuture<Long> wb = async(() -> m.writeback(0, 16 * PAGE));
        awaitTrue(() -> m.entryWaiters(5) == 1);
        assertFalse(wb.isDone());
        assertEquals(0, region.flushedBytes() - before, "nothing flushed while the entry is locked");
        held.close();
        assertEquals(PAGE, assertTimeoutPreemptively(LIMIT, () -> wb.get()));
        assertFalse(m.entry(5).dirty());
    }

    @Test
    void aWritebackSkipsAnEntryTruncatedWhileItWaited() throws Exception {
        Mapping m = small(16);
        m.map(5, true).close();
        EntryLock held = m.lockEntry(5);
        long before = region.flushedBytes();
        CompletableFuture<Long> wb = async(() -> m.writeback(0, 16 * PAGE));
        awaitTrue(() -> m.entryWaiters(5) == 1);
        CompletableFuture<Void> trunc = run(() -> {
            try {
                m.truncate(2 * PAGE);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        awaitTrue(() -> m.entryWaiters(5) == 2);
        assertFalse(trunc.isDone(), "truncation never deletes a locked entry");
        held.close();
        assertTimeoutPreemptively(LIMIT, () -> trunc.get());
        long flushed = assertTimeoutPreemptively(LIMIT, () -> wb.get());
        assertEquals(flushed, region.flushedBytes() - before);
        assertNull(m.entry(5));
        assertTrue(flushed == 0 || flushed == PAGE, "flushed at most the entry, before its deletion: " + flushed);
        m.verify();
    }

    @Test
    void concurrentWritebacksOfOneRangeFlushEachEntryOnce() throws Exception {
        Mapping m = small(64);
        for (int i = 0; i < 64; i += 2) {
            m.map(i, true).close();
        }
        EntryLock held = m.lockEntry(0);
        long before = region.flushedBytes();
        CompletableFuture<Long> a = async(() -> m.writeback(0, 64 * PAGE));
        awaitTrue(() -> m.entryWaiters(0) == 1);
        CompletableFuture<Long> b = async(() -> m.writeback(0, 64 * PAGE));
        awaitTrue(() -> m.entryWaiters(0) == 2);
        held.close();
        long total = assertTimeoutPreemptively(LIMIT, () -> a.get() + b.get());
        assertEquals(32 * PAGE, total);
        assertEquals(32 * PAGE, region.flushedBytes() - before);
    }

    @Test
    void aWritebackThatFindsAnEntryInFlightWaitsForItsFlushWithoutFlushingAgain() throws Exception {
        Mapping m = small(16);
        m.map(5, true).close();
        // an entry being flushed by another writeback: TOWRITE cleared, DIRTY still set, locked
        m.writebackHook = start -> {
            m.writebackHook = null;
            CompletableFuture<Long> second = async(() -> m.writeback(0, 16 * PAGE));
            try {
                awaitTrue(() -> m.entryWaiters(5) == 1);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertFalse(second.isDone(), "the second writeback waits for the flush in flight");
            secondResult = second;
        };
        long before = region.flushedBytes();
        assertEquals(PAGE, m.sync());
        assertEquals(0, (long) assertTimeoutPreemptively(LIMIT, () -> secondResult.get()));
        assertEquals(PAGE, region.flushedBytes() - before);
    }

    private volatile CompletableFuture<Long> secondResult;

    @Test
    void invalidateKeepsDirtyEntriesAndTruncationDropsThem() throws Exception {
        Mapping m = small(16);
        m.map(1, true).close();
        m.map(2, true).close();
        m.writeback(PAGE, 2 * PAGE);
        m.map(3, false).close();
        assertEquals(2, m.invalidate(0, 16 * PAGE), "the clean entry 1 and the zero entry 3 go");
        assertNull(m.entry(1));
        assertTrue(m.entry(2).dirty(), "a dirty entry stays");
        m.truncate(2 * PAGE);
        assertNull(m.entry(2), "truncation drops dirty entries");
        assertEquals(-1, m.nextMarked(Mark.DIRTY, 0, 16));
        m.verify();
    }

    @Test
    void badRangesAndClosedMappingsAreRefused() {
        Mapping m = small(16);
        assertThrows(IllegalArgumentException.class, () -> m.writeback(-1, 5));
        assertThrows(IllegalArgumentException.class, () -> m.writeback(8, 4));
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, m::sync);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
