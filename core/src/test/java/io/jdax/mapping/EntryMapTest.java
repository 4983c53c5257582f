package io.jdax.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class EntryMapTest {

    final EntryMap map = new EntryMap();

    @Test
    void aPmdEntryCoversItsWholeRangeAndCountsItsPages() {
        long e = DaxEntry.make(1024, 9, 0);
        map.put(512, e);
        for (long i = 512; i < 1024; i++) {
            assertEquals(e, map.get(i));
        }
        assertEquals(DaxEntry.NONE, map.get(511));
        assertEquals(DaxEntry.NONE, map.get(1024));
        assertEquals(512, map.pages());
        assertEquals(1, map.entries());
        map.verify();
    }

    @Test
    void memoryGrowsWithEntriesNotIndices() {
        long far = (1L << 39) - 1;
        map.put(far, DaxEntry.make(7, 0, 0));
        assertEquals(DaxEntry.make(7, 0, 0), map.get(far));
        assertEquals(1, map.pages());
        assertEquals(List.of(far), map.starts(0, Long.MAX_VALUE));
        map.verify();
    }

    @Test
    void conflictsBetweenOrders() {
        map.put(515, DaxEntry.make(3, 0, 0));
        assertEquals(DaxEntry.make(3, 0, 0), map.conflict(512, 9), "a PMD request sees the PTE entry");
        assertEquals(DaxEntry.NONE, map.conflict(514, 0));
        assertThrows(IllegalStateException.class, () -> map.put(512, DaxEntry.empty(9)));
        map.erase(515);
        map.put(512, DaxEntry.empty(9));
        assertThrows(IllegalStateException.class, () -> map.put(515, DaxEntry.empty(0)));
        assertEquals(DaxEntry.empty(9), map.conflict(700, 0));
        map.verify();
    }

    @Test
    void eraseRemovesEntryMarksAndAccounting() {
        map.put(0, DaxEntry.make(0, 0, 0));
        map.setMark(0, Mark.DIRTY);
        map.put(512, DaxEntry.make(512, 9, 0));
        map.setMark(512, Mark.DIRTY);
        assertEquals(513, map.pages());
        assertEquals(DaxEntry.make(512, 9, 0), map.erase(512));
        assertFalse(map.isMarked(512, Mark.DIRTY));
        assertEquals(1, map.pages());
        assertEquals(DaxEntry.make(0, 0, 0), map.erase(0));
        assertEquals(0, map.pages());
        assertEquals(-1, map.nextMarked(Mark.DIRTY, 0, Long.MAX_VALUE));
        map.verify();
    }

    @Test
    void markedWalkVisitsOnlyMarkedEntriesInOrder() {
        for (long i = 0; i < 2048; i++) {
            if ((i & 511) != 0 || i < 1024) {
                map.put(i, DaxEntry.make(i, 0, 0));
            }
        }
        map.erase(1024);
        map.put(5, DaxEntry.make(5, 0, 0));
        map.setMark(5, Mark.DIRTY);
        map.setMark(700, Mark.DIRTY);
        map.setMark(701, Mark.TOWRITE);
        assertEquals(5, map.nextMarked(Mark.DIRTY, 0, 2048));
        assertEquals(700, map.nextMarked(Mark.DIRTY, 6, 2048));
        assertEquals(-1, map.nextMarked(Mark.DIRTY, 701, 2048));
        assertEquals(-1, map.nextMarked(Mark.DIRTY, 6, 700));
        assertEquals(701, map.nextMarked(Mark.TOWRITE, 0, 2048));
        assertTrue(map.isMarked(700, Mark.DIRTY));
        map.clearMark(700, Mark.DIRTY);
        assertEquals(-1, map.nextMarked(Mark.DIRTY, 6, 2048));
        map.verify();
    }

    @Test
    void aMarkedPmdEntryIsFoundFromInsideIt() {
        map.put(1024, DaxEntry.make(4096, 9, 0));
        map.setMark(1024, Mark.DIRTY);
        assertTrue(map.isMarked(1100, Mark.DIRTY));
        assertEquals(1024, map.nextMarked(Mark.DIRTY, 1100, 1200));
        assertEquals(1024, map.nextEntry(1100, 1200));
        map.verify();
    }

    @Test
    void verifyCatchesDriftedAccounting() throws Exception {
        map.put(3, DaxEntry.make(3, 0, 0));
        var pages = EntryMap.class.getDeclaredField("pages");
        pages.setAccessible(true);
        pages.setLong(map, 5);
        IllegalStateException e = assertThrows(IllegalStateException.class, map::verify);
        assertTrue(e.getMessage().contains("5 pages"), e.getMessage());
    }
}
