package io.jdax.mapping;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

class MappingFaultTest extends MappingFixture {

    @Test
    void aReadOfAHoleMapsTheZeroPageAndAWriteReplacesIt() {
        Mapping m = small(16);
        MappingView zero = m.map(3, false);
        assertTrue(zero.isZeroPage());
        assertEquals(0, zero.segment().get(JAVA_LONG, 8));
        assertThrows(RuntimeException.class, () -> zero.segment().set(JAVA_LONG, 0, 1), "the zero page is read-only");
        MappingEntry e = m.entry(3);
        assertTrue(e.zeroPage());
        assertFalse(e.dirty());

        MappingView w = m.map(3, true);
        assertFalse(w.isZeroPage());
        w.segment().set(JAVA_LONG, 0, 42);
        assertThrows(IllegalStateException.class, zero::segment, "the zero page's view was revoked");
        e = m.entry(3);
        assertFalse(e.zeroPage());
        assertTrue(e.dirty());
        assertEquals(w.pfn(), e.pfn());
        assertEquals(m.id(), map.owners().mapping(w.pfn()));
        assertEquals(3, map.owners().index(w.pfn()));
        assertEquals(1, map.refCount(w.pfn()));
        assertEquals(1, map.mapCount(w.pfn()));

        MappingView r = m.map(3, false);
        assertEquals(42, r.segment().get(JAVA_LONG, 0), "a second view sees the same bytes");
        assertEquals(2, map.refCount(w.pfn()));
        assertThrows(RuntimeException.class, () -> r.segment().set(JAVA_LONG, 0, 1), "a read fault's view is read-only");
        r.close();
        w.close();
        w.close(); // idempotent
        assertEquals(0, map.refCount(e.pfn()));
        assertEquals(0, map.mapCount(e.pfn()));
        assertNotNull(m.entry(3), "closing views keeps the entry");
        m.verify();
    }

    @Test
    void aPmdFaultMapsAnOrder9FolioOwnedAtTheAlignedIndex() {
        Mapping m = huge(1024);
        MappingView v = m.map(517, true);
        assertEquals(512, v.index());
        assertEquals(9, v.order());
        assertEquals(512L * PAGE, v.segment().byteSize());
        long head = v.pfn();
        assertEquals(0, head & 511);
        assertEquals(9, map.order(head));
        assertEquals(m.id(), map.owners().mapping(head));
        assertEquals(512, map.owners().index(head));
        assertEquals(1, map.refCount(head));
        assertEquals(1, map.mapCount(head));
        MappingEntry e = m.entry(600);
        assertEquals(512, e.index());
        assertEquals(9, e.order());
        assertTrue(e.dirty());
        assertEquals(512, m.nrPages());
        v.close();
        assertEquals(0, map.refCount(head));
        assertEquals(9, map.order(head), "an unmapped folio stays associated and compound");
        MappingView again = m.map(700, false);
        assertEquals(head, again.pfn(), "the present entry is found again");
        again.close();
        m.verify();
    }

    @Test
    void aPmdFaultPastTheEndOfFileFallsBack() {
        Mapping m = huge(100);
        MappingView v = m.map(5, true);
        assertEquals(0, v.order());
        assertEquals(5, v.index());
        v.close();
        m.verify();
    }

    @Test
    void aHugeRequestOverSmallEntriesFallsBack() {
        Mapping m = huge(1024);
        m.map(3, true, 0).close();
        MappingView v = m.map(10, true);
        assertEquals(0, v.order(), "PTE entries in the range: no PMD entry");
        assertEquals(10, v.index());
        assertNull(m.entry(9));
        assertEquals(2, m.entryCount());
        assertEquals(2, m.nrPages());
        v.close();
        m.verify();
    }

    @Test
    void aSmallRequestOverAZeroPmdEntryDowngradesIt() {
        Mapping m = huge(1024);
        MappingView zero = m.map(7, false);
        assertTrue(zero.isZeroPage());
        assertEquals(9, zero.order());
        assertEquals(512, m.nrPages());
        MappingView w = m.map(7, true, 0);
        assertEquals(0, w.order());
        assertEquals(7, w.index());
        assertThrows(IllegalStateException.class, zero::segment, "the zero PMD's views were revoked");
        assertEquals(1, m.nrPages());
        assertNull(m.entry(6));
        assertEquals(0, m.entry(7).order());
        w.close();
        m.verify();
    }

    @Test
    void aSmallRequestOverARealPmdEntryMapsItWhole() {
        Mapping m = huge(1024);
        MappingView big = m.map(0, true);
        MappingView v = m.map(7, false, 0);
        assertEquals(9, v.order());
        assertEquals(0, v.index());
        assertEquals(big.pfn(), v.pfn());
        assertEquals(2, map.mapCount(big.pfn()));
        v.close();
        big.close();
        m.verify();
    }

    @Test
    void aPmdWriteOverAZeroPmdReplacesIt() {
        Mapping m = huge(512);
        MappingView zero = m.map(1, false);
        MappingView w = m.map(1, true);
        assertEquals(9, w.order());
        assertFalse(m.entry(0).zeroPage());
        assertThrows(IllegalStateException.class, zero::segment);
        w.close();
        m.verify();
    }

    @Test
    void writeFaultsMarkDirtyAndTheMarkedWalkSkipsTheRest() {
        Mapping m = small(2048);
        for (long i : new long[] {700, 3, 5}) {
            m.map(i, true).close();
        }
        for (long i = 6; i < 600; i++) {
            m.map(i, false).close();
        }
        long found = m.nextMarked(Mark.DIRTY, 0, 2048);
        assertEquals(3, found);
        assertEquals(5, m.nextMarked(Mark.DIRTY, found + 1, 2048));
        assertEquals(700, m.nextMarked(Mark.DIRTY, 6, 2048));
        assertEquals(-1, m.nextMarked(Mark.DIRTY, 701, 2048));
        assertEquals(-1, m.nextMarked(Mark.TOWRITE, 0, 2048), "no shared extent was written");
        m.verify();
    }

    @Test
    void badInputIsRefusedByValueAndChangesNothing() {
        Mapping m = huge(1024);
        IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class, () -> m.map(1024, false));
        assertTrue(past.getMessage().contains("1024"), past.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> m.map(-1, false));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> m.map(0, false, 3));
        assertTrue(order.getMessage().contains("3"), order.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class, () -> m.truncate(-5));
        assertTrue(size.getMessage().contains("-5"), size.getMessage());
        IllegalArgumentException hole = assertThrows(IllegalArgumentException.class, () -> m.punchHole(100, 8192));
        assertTrue(hole.getMessage().contains("100"), hole.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.breakLayouts(10, 5, null));
        assertThrows(IllegalArgumentException.class, () -> space.open(source, 4096, 5));
        assertThrows(IllegalArgumentException.class, () -> space.open(source, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> m.entry(Mapping.MAX_INDEX + 1));
        assertEquals(0, m.entryCount());
        assertEquals(1024 * PAGE, m.size());
        assertEquals(PAGES, source.freePages());
        m.verify();
    }

    @Test
    void aClosedMappingRefusesFaultsAndFreesItsId() {
        Mapping m = small(4);
        long id = m.id();
        m.map(0, true).close();
        m.close();
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.map(0, false));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(PAGES, source.freePages(), "its blocks went back");
        assertEquals(id, small(4).id(), "the id is recycled");
    }

    @Test
    void aSpaceNeedsADaxMap() {
        try (var r = io.jdax.memory.Region.anonymous(1 << 20)) {
            var device = io.jdax.page.PageMap.device(r);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MappingSpace(device));
            assertTrue(e.getMessage().contains("DAX"), e.getMessage());
        }
    }

    @Test
    void theWindowCapReclaimsIdleGroupsThenRefusesClearly() {
        MappingSpace tight = new MappingSpace(map, 2);
        Mapping m = tight.open(source, 2048 * PAGE, 0);
        MappingView first = m.map(0, true);
        MemorySegment old = first.segment();
        first.close();
        m.map(512, true).close();
        MappingView third = m.map(1024, true); // reclaims the idle groups of 0 and 512
        assertEquals(1, tight.windows());
        assertThrows(IllegalStateException.class, () -> old.get(JAVA_LONG, 0), "a reclaimed group is revoked");
        MappingView fourth = m.map(1536, true);
        IllegalStateException full = assertThrows(IllegalStateException.class, () -> m.map(5, true));
        assertTrue(full.getMessage().contains("cap"), full.getMessage());
        assertEquals(2, tight.windows());
        third.close();
        fourth.close();
        m.close();
        assertEquals(0, tight.windows());
        m.verify();
    }

    @Test
    void aPmdReadOverAPartlyAllocatedRangeFallsBackInsteadOfHidingData() throws InterruptedException {
        Mapping m = huge(512);
        MappingView w = m.map(2, true, 0);
        w.segment().set(JAVA_LONG, 0, 99);
        w.close();
        m.breakLayouts(0, 512 * PAGE, null); // entries gone, the block stays
        MappingView r = m.map(2, false);
        assertFalse(r.isZeroPage(), "a zero PMD entry would hide the block at page 2");
        assertEquals(0, r.order());
        assertEquals(99, r.segment().get(JAVA_LONG, 0));
        assertTrue(m.map(3, false).isZeroPage());
        assertEquals(0, m.entry(3).order(), "the hole next to it is mapped page by page");
        m.verify();
    }
}
