package io.jdax.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class InMemoryExtentSourceTest extends MappingFixture {

    @Test
    void aReadOfAHoleAnswersTheLargestAlignedHole() {
        Mapping m = huge(2048);
        assertEquals(Extent.hole(9), source.extent(m, 600, 9, false));
        source.extent(m, 515, 0, true);
        assertEquals(Extent.hole(6), source.extent(m, 600, 9, false), "a block at 515: [576, 640) is the largest hole");
        assertEquals(Extent.hole(9), source.extent(m, 1100, 9, false));
        assertEquals(PAGES - 1, source.freePages(), "reads allocate nothing");
    }

    @Test
    void aWriteAllocatesAnAlignedBlockAndLaterLookupsFindIt() {
        Mapping m = huge(2048);
        Extent e = source.extent(m, 1030, 9, true);
        assertEquals(9, e.order());
        assertEquals(6, e.pfn() & 511, "page 1030 is page 6 of its block");
        assertFalse(e.shared());
        assertEquals(e, source.extent(m, 1030, 0, false));
        assertEquals(List.of(new InMemoryExtentSource.Owner(m.id(), 1030)), source.owners(e.pfn()));
        assertEquals(PAGES - 512, source.freePages());
    }

    @Test
    void releasingPartOfABlockKeepsTheRestPageByPage() {
        Mapping m = huge(512);
        long pfn = source.extent(m, 0, 9, true).pfn();
        source.release(m, 100, 200);
        assertEquals(PAGES - 412, source.freePages());
        Extent kept = source.extent(m, 300, 9, false);
        assertEquals(0, kept.order());
        assertEquals(pfn + 300, kept.pfn());
        assertTrue(source.owners(pfn + 150).isEmpty());
        assertEquals(Extent.hole(0), source.extent(m, 150, 0, false));
        source.release(m, 0, 512);
        assertEquals(PAGES, source.freePages(), "merged back whole");
    }

    @Test
    void aReflinkedBlockIsFreedWhenItsLastFileLetsGo() {
        Mapping a = huge(512);
        Mapping b = huge(1024);
        long pfn = source.extent(a, 0, 9, true).pfn();
        source.reflink(a, 0, b, 512, 512);
        assertTrue(source.extent(b, 513, 9, false).shared());
        assertEquals(List.of(new InMemoryExtentSource.Owner(a.id(), 7), new InMemoryExtentSource.Owner(b.id(), 519)),
                source.owners(pfn + 7));
        source.release(a, 0, 512);
        assertFalse(source.extent(b, 513, 9, false).shared());
        assertEquals(PAGES - 512, source.freePages());
        source.release(b, 0, 1024);
        assertEquals(PAGES, source.freePages());
    }

    @Test
    void aSourceNeedsADaxMap() {
        try (var r = io.jdax.memory.Region.anonymous(1 << 20)) {
            var device = io.jdax.page.PageMap.device(r);
            assertThrows(IllegalArgumentException.class, () -> new InMemoryExtentSource(device));
        }
        assertThrows(IllegalArgumentException.class, () -> new Extent(-1, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Extent(-2, 0, false));
    }
}
