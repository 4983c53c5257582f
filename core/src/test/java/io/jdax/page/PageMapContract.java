package io.jdax.page;

import static io.jdax.page.PageMap.NO_FOLIO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jdax.memory.Region;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reference, lookup and layout contract every kind of page map keeps. Subclasses make the map and check
 * what their kind's last put does.
 */
abstract class PageMapContract {

    static final int PAGES = 1024;

    Region region;
    PageMap map;

    abstract PageMap create(Region region, long pageSize);

    /** Asserts what the kind does when {@code head}'s last reference has just been dropped. */
    abstract void assertLastPutHandled(long head);

    /**
     * Prep through the map, or for a pool map (whose public prep is refused: its allocator owns the layout)
     * through the layout code the allocator uses: the layout contract is the same for every kind.
     */
    void prep(long head, int order) {
        if (map.kind() == PageMap.Kind.POOL) {
            new io.jdax.internal.CompoundLayout(map.memmap(), map.nrPages()).prep(head, order);
        } else {
            map.prepCompound(head, order);
        }
    }

    /** Split, the same way as {@link #prep}. */
    void split(long head) {
        if (map.kind() == PageMap.Kind.POOL) {
            new io.jdax.internal.CompoundLayout(map.memmap(), map.nrPages()).split(head);
        } else {
            map.split(head);
        }
    }

    /**
     * Takes the first reference of an idle folio as its owner does: {@code incRef} on a dax or device map; on a
     * pool map, where only the allocator leaves idle, the allocator's own store.
     */
    void take(long head) {
        if (map.kind() == PageMap.Kind.POOL && map.refCount(head) == 0) {
            io.jdax.internal.PageDescriptor.setRefcountRelease(map.memmap(), head, 1);
        } else {
            map.incRef(head);
        }
    }

    /** Whether this kind's owner fields can be written (not a pool map's: its allocator owns them). */
    boolean ownersWritable() {
        return map.kind() != PageMap.Kind.POOL;
    }

    @BeforeEach
    void setUp() {
        region = Region.anonymous(PAGES * 4096L);
        map = create(region, 4096);
    }

    @AfterEach
    void tearDown() {
        region.close();
    }

    static void assertMessageNames(Throwable t, Object... values) {
        for (Object v : values) {
            assertTrue(t.getMessage().contains(String.valueOf(v)), () -> "'" + t.getMessage() + "' should name " + v);
        }
    }

    // ---------------------------------------------------------------- geometry

    @Test
    void cutsTheRegionIntoPages() {
        assertEquals(PAGES, map.nrPages());
        assertEquals(4096, map.pageSize());
        assertEquals(12, map.pageShift());
        assertEquals(32, PageMap.descriptorSize());
        assertEquals(5, map.pfnOf(5 * 4096 + 17));
        assertEquals(5 * 4096, map.offsetOf(5));
        assertEquals(3 * 4096, map.pages(7, 3).byteSize());
        assertThrows(IndexOutOfBoundsException.class, () -> map.pfnOf(PAGES * 4096L));
        assertThrows(IndexOutOfBoundsException.class, () -> map.pages(PAGES - 2, 3));
    }

    @Test
    void rejectsBadPageSizesAndRegionSizes() {
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> create(region, 2048)), 2048);
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> create(region, 12288)), 12288);
        try (Region odd = Region.anonymous(4096 * 3 + 100)) {
            assertMessageNames(assertThrows(IllegalArgumentException.class, () -> create(odd, 4096)), 12388, 4096);
        }
    }

    @Test
    void largerPagesWork() {
        try (Region other = Region.anonymous(PAGES * 4096L)) {
            PageMap big = create(other, 64 * 1024);
            assertEquals(PAGES / 16, big.nrPages());
            assertEquals(16, big.pageShift());
        }
    }

    @Test
    void aRegionHasAtMostOnePageMapUntilThatOneCloses() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> create(region, 4096));
        assertMessageNames(e, "PageMap[");
        assertThrows(IllegalStateException.class, () -> PageMap.pool(region, (m, h) -> { }));
        assertThrows(IllegalStateException.class, () -> PageMap.dax(region));
        assertThrows(IllegalStateException.class, () -> PageMap.device(region));
        map.close();
        PageMap next = create(region, 4096);
        assertTrue(next.isOpen());
    }

    @Test
    void everyPfnIsRangeChecked() {
        for (long bad : new long[] {-1, PAGES, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertMessageNames(assertThrows(IndexOutOfBoundsException.class, () -> map.refCount(bad)), bad);
            assertThrows(IndexOutOfBoundsException.class, () -> map.get(bad));
            assertThrows(IndexOutOfBoundsException.class, () -> map.tryGet(bad));
            assertThrows(IndexOutOfBoundsException.class, () -> map.put(bad));
            assertThrows(IndexOutOfBoundsException.class, () -> map.incRef(bad));
            assertThrows(IndexOutOfBoundsException.class, () -> map.tryGetFolio(bad));
            assertThrows(IndexOutOfBoundsException.class, () -> map.prepCompound(bad, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> map.split(bad));
            assertThrows(IndexOutOfBoundsException.class, () -> map.pins().pin(bad, false));
            assertThrows(IndexOutOfBoundsException.class, () -> map.owners().mapping(bad));
        }
    }

    // ---------------------------------------------------------------- references

    @Test
    void freshPagesAreIdle() {
        for (long pfn = 0; pfn < PAGES; pfn++) {
            assertEquals(0, map.refCount(pfn));
        }
        assertTrue(map.isIdle(0));
    }

    @Test
    void getAtZeroThrowsAndLeavesTheCountAtZero() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.get(9));
        assertMessageNames(e, "pfn 9", "refcount 0");
        assertEquals(0, map.refCount(9));
        assertThrows(IllegalStateException.class, () -> map.getRefs(9, 5));
        assertEquals(0, map.refCount(9));
    }

    @Test
    void tryGetFailsAtZeroAndSucceedsAfterIncRef() {
        assertFalse(map.tryGet(3));
        assertEquals(0, map.refCount(3));
        take(3);
        assertTrue(map.tryGet(3));
        map.get(3);
        assertEquals(3, map.refCount(3));
    }

    @Test
    void putReportsTheLastReference() {
        take(4);
        map.get(4);
        assertFalse(map.put(4));
        assertEquals(1, map.refCount(4));
        assertTrue(map.put(4));
        assertEquals(0, map.refCount(4));
        assertLastPutHandled(4);
    }

    @Test
    void putAtZeroThrowsAndLeavesTheCountAtZero() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.put(11));
        assertMessageNames(e, "pfn 11", "refcount 0");
        assertEquals(0, map.refCount(11));
    }

    @Test
    void putRefsCountsAndUnderflowLeavesTheCountAsItWas() {
        take(6);
        map.getRefs(6, 9);
        assertEquals(10, map.refCount(6));
        assertFalse(map.putRefs(6, 4));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.putRefs(6, 7));
        assertMessageNames(e, "pfn 6", "refcount 6", "7");
        assertEquals(6, map.refCount(6));
        assertTrue(map.putRefs(6, 6));
        assertEquals(0, map.refCount(6));
        assertLastPutHandled(6);
    }

    @Test
    void refCountsBelowOneAreRejected() {
        take(2);
        assertThrows(IllegalArgumentException.class, () -> map.getRefs(2, 0));
        assertThrows(IllegalArgumentException.class, () -> map.putRefs(2, -1));
        assertEquals(1, map.refCount(2));
    }

    @Test
    void overflowThrowsAndLeavesTheCountAsItWas() {
        take(8);
        map.getRefs(8, PageMap.MAX_REFCOUNT - 1);
        assertEquals(PageMap.MAX_REFCOUNT, map.refCount(8));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.get(8));
        assertMessageNames(e, "pfn 8", PageMap.MAX_REFCOUNT);
        assertThrows(IllegalStateException.class, () -> map.tryGet(8));
        assertThrows(IllegalStateException.class, () -> map.incRef(8));
        assertEquals(PageMap.MAX_REFCOUNT, map.refCount(8));
        map.putRefs(8, 100);
        assertThrows(IllegalStateException.class, () -> map.getRefs(8, 101));
        map.getRefs(8, 100);
        assertEquals(PageMap.MAX_REFCOUNT, map.refCount(8));
    }

    @Test
    void referencesAreTakenOnTheHeadNotATail() {
        prep(16, 3);
        take(16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> map.incRef(18));
        assertMessageNames(e, "pfn 18", "folio 16");
        IllegalStateException g = assertThrows(IllegalStateException.class, () -> map.get(18));
        assertMessageNames(g, "tail", "folio 16");
        assertFalse(map.tryGet(18), "a tail's count is 0, so tryGet fails");
        assertThrows(IllegalStateException.class, () -> map.put(18));
        assertEquals(0, map.refCount(18));
        assertEquals(1, map.refCount(16));
    }

    // ---------------------------------------------------------------- compound folios

    @Test
    void prepMakesAFolioAndLookupFindsItsHead() {
        prep(64, 4);
        assertEquals(4, map.order(64));
        assertEquals(16, map.nrPages(64));
        assertEquals(16 * 4096, map.folioBytes(64).byteSize());
        for (long p = 64; p < 80; p++) {
            assertEquals(64, map.folioOf(p));
        }
        assertEquals(80, map.folioOf(80));
        assertEquals(0, map.order(80));
        assertThrows(IllegalArgumentException.class, () -> map.order(65));
    }

    @Test
    void prepOfOrderZeroChangesNothing() {
        prep(5, 0);
        assertEquals(0, map.order(5));
        assertEquals(5, map.folioOf(5));
    }

    @Test
    void prepRejectsBadOrdersAlignmentAndRange() {
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> prep(0, -1)), -1);
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> prep(0, PageMap.MAX_ORDER + 1)),
                PageMap.MAX_ORDER + 1);
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> prep(4, 3)), "pfn 4", "order 3");
        assertMessageNames(assertThrows(IndexOutOfBoundsException.class, () -> prep(0, 11)), "order-11");
        assertUntouched(0, PAGES);
    }

    @Test
    void prepRefusesBusyOrCompoundPagesAndChangesNothing() {
        take(37);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> prep(32, 3));
        assertMessageNames(e, "page 37", "refcount 1");
        assertEquals(0, map.order(32));
        assertEquals(33, map.folioOf(33));

        prep(48, 2);
        IllegalStateException nested = assertThrows(IllegalStateException.class, () -> prep(48, 3));
        assertMessageNames(nested, "page 48", "order-2");
        assertEquals(2, map.order(48));
        assertEquals(52, map.folioOf(52));
        assertThrows(IllegalStateException.class, () -> prep(48, 2));
    }

    @Test
    void aPoisonMarkSurvivesPrepAndSplit() {
        var memmap = map.memmap();
        io.jdax.internal.PageDescriptor.setInfo(memmap, 66,
                io.jdax.internal.PageDescriptor.info(memmap, 66) | io.jdax.internal.PageDescriptor.HWPOISON);
        prep(64, 2);
        assertEquals(64, map.folioOf(66));
        assertTrue((io.jdax.internal.PageDescriptor.info(memmap, 66) & io.jdax.internal.PageDescriptor.HWPOISON) != 0,
                "prep must not drop a tail page's poison mark");
        split(64);
        assertTrue((io.jdax.internal.PageDescriptor.info(memmap, 66) & io.jdax.internal.PageDescriptor.HWPOISON) != 0,
                "nor must split");
        assertEquals(66, map.folioOf(66));
    }

    @Test
    void prepRefusesOwnedPages() {
        assumeTrue(ownersWritable());
        map.owners().set(96, 7, 3);
        assertMessageNames(assertThrows(IllegalStateException.class, () -> prep(96, 1)), "mapping 7");
        assertEquals(0, map.order(96));
    }

    @Test
    void splitRestoresOrderZeroPagesIncludingPage1() {
        prep(128, 5);
        if (ownersWritable()) {
            map.owners().set(128, 3, 40);
        }
        take(128);
        map.pins().pin(130, false);
        map.pins().unpin(128);
        map.put(128);
        split(128);
        for (long p = 128; p < 160; p++) {
            assertPristine(p);
            assertEquals(p, map.folioOf(p));
            assertEquals(0, map.order(p), "stale page[1] order must not leak into a new order-0 folio");
            assertEquals(0, map.owners().mapping(p));
            assertEquals(0, map.owners().share(p));
        }
        prep(128, 1); // and the pages can be reused
        assertEquals(1, map.order(128));
        split(128);
        prep(129, 0);
        assertEquals(0, map.order(129));
    }

    @Test
    void splitRefusesReferencedPinnedSharedAndTailFoliosAndChangesNothing() {
        prep(256, 3);
        take(256);
        assertMessageNames(assertThrows(IllegalStateException.class, () -> split(256)), "refcount 1");
        long head = map.pins().pin(259, false);
        map.put(256);
        assertEquals(256, head);
        assertMessageNames(assertThrows(IllegalStateException.class, () -> split(256)), "refcount 1");
        map.pins().unpin(256);
        assertEquals(0, map.refCount(256));
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> split(257)), "folio 256");
        assertEquals(3, map.order(256));
        assertEquals(256, map.folioOf(263));
        split(256);
        assertEquals(0, map.order(256));
    }

    @Test
    void splitRefusesASharedFolioAndChangesNothing() {
        assumeTrue(ownersWritable());
        prep(256, 3);
        map.owners().set(256, 0, 2);
        assertMessageNames(assertThrows(IllegalStateException.class, () -> split(256)), "shared by 2");
        assertEquals(3, map.order(256));
        assertEquals(256, map.folioOf(263));
        map.owners().addShare(256, -2);
        split(256);
        assertEquals(0, map.order(256));
    }

    @Test
    void tryGetFolioReferencesTheHeadThroughAnyPage() {
        prep(512, 9);
        assertEquals(NO_FOLIO, map.tryGetFolio(700), "an idle folio cannot be referenced");
        take(512);
        assertEquals(512, map.tryGetFolio(700));
        assertEquals(512, map.tryGetFolio(512));
        assertEquals(3, map.refCount(512));
        assertEquals(0, map.refCount(700));
    }

    @Test
    void folioBytesAreTheRegionsBytes() {
        prep(8, 3);
        map.folioBytes(8).set(ValueLayout.JAVA_LONG, 8 * 4096 - 8, 5L);
        assertEquals(5L, region.segment().get(ValueLayout.JAVA_LONG, 16 * 4096 - 8));
    }

    // ---------------------------------------------------------------- pins

    @Test
    void orderZeroPinAddsTheBias() {
        take(3);
        FolioPins pins = map.pins();
        assertFalse(pins.maybeDmaPinned(3));
        assertEquals(3, pins.pin(3, false));
        assertEquals(1 + PageMap.PIN_BIAS, map.refCount(3));
        assertTrue(pins.maybeDmaPinned(3));
        assertEquals(1, pins.pinCount(3));
        pins.unpin(3);
        assertEquals(1, map.refCount(3));
        assertFalse(pins.maybeDmaPinned(3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pins.unpin(3));
        assertMessageNames(e, "pfn 3", "refcount 1");
        assertEquals(1, map.refCount(3));
    }

    @Test
    void largeFolioPinCountsSeparatelyAndPinThroughATailPinsTheHead() {
        prep(32, 2);
        take(32);
        FolioPins pins = map.pins();
        assertEquals(32, pins.pin(35, false));
        assertEquals(32, pins.pin(33, false));
        assertEquals(3, map.refCount(32));
        assertEquals(2, pins.pinCount(32));
        assertTrue(pins.maybeDmaPinned(32));
        assertThrows(IllegalArgumentException.class, () -> pins.maybeDmaPinned(33));
        assertThrows(IllegalArgumentException.class, () -> pins.unpin(33));
        pins.unpin(32);
        pins.unpin(32);
        assertEquals(1, map.refCount(32));
        assertFalse(pins.maybeDmaPinned(32));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pins.unpin(32));
        assertMessageNames(e, "pin count 0");
        assertEquals(0, pins.pinCount(32));
        assertEquals(1, map.refCount(32));
    }

    @Test
    void anIdleFolioCannotBePinned() {
        assertEquals(NO_FOLIO, map.pins().tryPin(40, false));
        assertMessageNames(assertThrows(IllegalStateException.class, () -> map.pins().pin(40, false)), "pfn 40");
        assertEquals(0, map.refCount(40));
    }

    @Test
    void unpinOfTheLastReferenceIsALastPut() {
        take(20);
        map.pins().pin(20, false);
        map.put(20);
        map.pins().unpin(20);
        assertEquals(0, map.refCount(20));
        assertLastPutHandled(20);
    }

    // ---------------------------------------------------------------- mapcounts

    @Test
    void mapCountsCountWholeFolioMappings() {
        prep(64, 3);
        take(64);
        map.get(64);
        take(5);
        map.incMapCount(64);
        map.incMapCount(64);
        map.incMapCount(5);
        assertEquals(2, map.mapCount(64));
        assertEquals(1, map.mapCount(5));
        assertEquals(2, map.refCount(64), "counting a mapping takes no reference");
        assertThrows(IllegalArgumentException.class, () -> map.incMapCount(65));
        assertMessageNames(assertThrows(IllegalStateException.class, () -> map.split(64)), "64");
        map.decMapCount(64);
        map.decMapCount(64);
        map.decMapCount(5);
        map.putRefs(64, 2);
        map.put(5);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.decMapCount(64));
        assertMessageNames(e, "pfn 64", "mapcount 0");
        assertEquals(0, map.mapCount(64));
        assertThrows(IllegalStateException.class, () -> map.decMapCount(5));
        assertEquals(0, map.mapCount(5));
        split(64);
        assertPristine(64);
        assertPristine(65);
    }

    @Test
    void aMappingWithoutItsReferenceIsRefusedSoASplitCannotDropIt() {
        prep(64, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.incMapCount(64));
        assertMessageNames(e, "pfn 64", "mapcount 0", "refcount 0");
        assertEquals(0, map.mapCount(64));
        take(64);
        map.incMapCount(64);
        assertThrows(IllegalStateException.class, () -> map.incMapCount(64), "one reference, one mapping");
        assertEquals(1, map.mapCount(64));
        // a mapping whose reference was dropped anyway (a caller's bug) still blocks the split
        io.jdax.internal.PageDescriptor.setRefcountRelease(map.memmap(), 64, 0);
        assertMessageNames(assertThrows(IllegalStateException.class, () -> split(64)), "mapcount 1");
        assertEquals(2, map.order(64));
        map.decMapCount(64);
        split(64);
    }

    @Test
    void isIdleOfATailIsRefusedRatherThanAnsweringForTheTail() {
        prep(64, 2);
        take(64);
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> map.isIdle(65)), "65", "64");
        assertFalse(map.isIdle(64));
    }

    @Test
    void everyCallAfterCloseNamesTheClosedMap() {
        map.close();
        for (org.junit.jupiter.api.function.Executable call : new org.junit.jupiter.api.function.Executable[] {
                () -> map.refCount(1), () -> map.get(1), () -> map.tryGet(1), () -> map.put(1), () -> map.incRef(1),
                () -> map.tryGetFolio(1), () -> map.mapCount(1), () -> map.isIdle(1), () -> map.owners().mapping(1),
                () -> map.pins().pin(1, false), () -> map.order(1), () -> map.offsetOf(1)}) {
            assertMessageNames(assertThrows(IllegalStateException.class, call), "PageMap[", "is closed");
        }
    }

    // ---------------------------------------------------------------- owners

    @Test
    void ownerFieldsShareOneSlotAndSayWhichMeaningHolds() {
        assumeTrue(ownersWritable());
        FolioOwners owners = map.owners();
        owners.set(12, 5, 77);
        assertEquals(5, owners.mapping(12));
        assertEquals(77, owners.index(12));
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.share(12)), "mapping 5");
        assertThrows(IllegalStateException.class, () -> owners.addShare(12, 1));
        owners.set(12, 0, 1);
        assertEquals(2, owners.addShare(12, 1));
        assertEquals(2, owners.share(12));
        assertThrows(IllegalStateException.class, () -> owners.index(12));
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.addShare(12, -3)), "share 2");
        assertEquals(2, owners.share(12));
        assertThrows(IllegalArgumentException.class, () -> owners.set(12, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> owners.set(12, 1, -1));
    }

    // ---------------------------------------------------------------- lifetime

    @Test
    void closingTheRegionClosesTheMap() {
        take(1);
        region.close();
        assertFalse(map.isOpen());
        assertThrows(IllegalStateException.class, () -> map.refCount(1));
        assertThrows(IllegalStateException.class, () -> map.put(1));
    }

    @Test
    void closingTheMapLeavesTheRegion() {
        map.close();
        map.close();
        assertFalse(map.isOpen());
        assertTrue(region.isOpen());
        assertThrows(IllegalStateException.class, () -> map.tryGet(1));
        region.segment().set(ValueLayout.JAVA_INT, 0, 1);
    }

    /** Every word of the descriptor is as in a fresh map: nothing a split or prep left behind. */
    void assertPristine(long pfn) {
        var memmap = map.memmap();
        assertEquals(0, io.jdax.internal.PageDescriptor.refcount(memmap, pfn), "refcount of " + pfn);
        assertEquals(0, io.jdax.internal.PageDescriptor.mapcount(memmap, pfn), "mapcount of " + pfn);
        assertEquals(0L, io.jdax.internal.PageDescriptor.info(memmap, pfn), "info of " + pfn);
        assertEquals(0L, io.jdax.internal.PageDescriptor.mapping(memmap, pfn), "mapping slot of " + pfn);
        assertEquals(0L, io.jdax.internal.PageDescriptor.index(memmap, pfn), "index slot of " + pfn);
    }

    private void assertUntouched(long from, long to) {
        for (long p = from; p < to; p++) {
            assertPristine(p);
            assertEquals(p, map.folioOf(p));
            assertEquals(0, map.order(p));
            assertEquals(0, map.refCount(p));
        }
    }
}
