package io.jdax.device;

import static io.jdax.device.Expect.GiB;
import static io.jdax.device.Expect.KiB;
import static io.jdax.device.Expect.MiB;
import static io.jdax.device.Expect.counts;
import static io.jdax.device.Expect.names;
import static io.jdax.page.PageMap.PIN_BIAS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PinnedRangeTest {

    Region region;
    DeviceDax device;
    PageMap map;

    void open(long size, int order) {
        region = Region.anonymous(size);
        device = DeviceDax.create(region, order);
        map = device.pageMap();
    }

    @AfterEach
    void tearDown() {
        if (region != null) {
            region.close();
        }
    }

    /** Pins of an idle folio: the fault path's temporary reference is gone, the pin alone remains. */
    static void assertPinnedOnce(PageMap map, long head, int order) {
        if (order == 0) {
            counts(map, head, PIN_BIAS, 0, 1);
        } else {
            counts(map, head, 1, 0, 1);
        }
        assertTrue(map.pins().maybeDmaPinned(head), "folio " + head + " is pinned");
    }

    @ParameterizedTest(name = "order {0}")
    @ValueSource(ints = {0, 9, 18})
    void aRangePinsEachFolioItTouchesOnceAndCloseUnpinsThemOnce(int order) {
        open(order == 18 ? 4 * GiB : 16 * MiB, order);
        long fault = device.faultSize();
        // from the middle of folio 1 to the middle of folio 3: folios 1, 2 and 3
        PinnedRange pins = device.pin(fault + fault / 2, 2 * fault, false);
        long folioPages = 1L << order;
        assertEquals(3, pins.folioCount());
        assertEquals(folioPages, pins.firstHead());
        assertEquals(fault + fault / 2, pins.offset());
        assertEquals(2 * fault, pins.length());
        assertFalse(pins.longTerm());
        assertTrue(pins.isHeld());
        assertSame(map, pins.map());
        for (long f = 1; f <= 3; f++) {
            assertPinnedOnce(map, f * folioPages, order);
        }
        counts(map, 0, 0, 0, 0);
        if (device.folioCount() > 4) {
            counts(map, 4 * folioPages, 0, 0, 0);
        }
        pins.close();
        assertFalse(pins.isHeld());
        pins.close();
        Expect.allIdle(device);
    }

    @Test
    void aWholeGigabyteAtTheOrdersPinsTheExpectedNumberOfFolios() {
        for (int order : new int[] {0, 9, 18}) {
            try (Region r = Region.anonymous(GiB); DeviceDax d = DeviceDax.create(r, order)) {
                try (PinnedRange pins = d.pin(0, GiB, false)) {
                    assertEquals(GiB >>> (12 + order), pins.folioCount(), "order " + order);
                    assertEquals(new DeviceStats(d.folioCount(), 0, d.folioCount(), 0), d.stats());
                }
                assertEquals(new DeviceStats(d.folioCount(), 0, 0, d.folioCount()), d.stats());
            }
        }
    }

    @Test
    void aRangeEndingOnAFolioBoundaryDoesNotPinTheNextFolio() {
        open(8 * MiB, 9);
        try (PinnedRange pins = device.pin(2 * MiB, 2 * MiB, false)) {
            assertEquals(1, pins.folioCount());
            assertPinnedOnce(map, 512, 9);
            counts(map, 1024, 0, 0, 0);
            counts(map, 0, 0, 0, 0);
        }
        try (PinnedRange pins = device.pin(4 * MiB - 1, 2, false)) { // one byte either side of a boundary
            assertEquals(2, pins.folioCount());
            assertEquals(512, pins.firstHead());
            assertPinnedOnce(map, 512, 9);
            assertPinnedOnce(map, 1024, 9);
        }
        Expect.allIdle(device);
    }

    @Test
    void orderZeroPinsAcrossPageBoundaries() {
        open(64 * KiB, 0);
        try (PinnedRange pins = device.pin(4 * KiB + 4000, 200, true)) { // crosses from page 1 into page 2
            assertEquals(2, pins.folioCount());
            assertPinnedOnce(map, 1, 0);
            assertPinnedOnce(map, 2, 0);
            counts(map, 3, 0, 0, 0);
        }
        Expect.allIdle(device);
    }

    @Test
    void pinsOfMappedFoliosAddToTheViewsCounts() {
        open(8 * MiB, 9);
        ViewGroup group = device.newViewGroup();
        DeviceView view = group.map(2 * MiB);
        PinnedRange pins = device.pin(0, 4 * MiB, false); // folio 0 idle, folio 512 mapped
        counts(map, 0, 1, 0, 1);
        counts(map, 512, 2, 1, 1);
        PinnedRange again = device.pin(2 * MiB + 4096, 4096, false);
        counts(map, 512, 3, 1, 2);
        view.close(); // the pins keep the folio referenced after its view is gone
        counts(map, 512, 2, 0, 2);
        assertTrue(map.pins().maybeDmaPinned(512));
        pins.close();
        counts(map, 512, 1, 0, 1);
        again.close();
        Expect.allIdle(device);
    }

    @Test
    void orderZeroPinsWithAViewAddTheBiasToTheViewsReference() {
        open(64 * KiB, 0);
        ViewGroup group = device.newViewGroup();
        DeviceView view = group.map(8 * KiB);
        try (PinnedRange pins = device.pin(8 * KiB, 1, false)) {
            counts(map, 2, 1 + PIN_BIAS, 1, 1);
            group.close(); // revoking the view does not touch the pin
            counts(map, 2, PIN_BIAS, 0, 1);
            assertTrue(map.pins().maybeDmaPinned(2));
            assertTrue(pins.isHeld());
        }
        assertFalse(view.isOpen());
        Expect.allIdle(device);
    }

    @Test
    void longTermPinsAreAllowedOnADevice() {
        open(8 * MiB, 9);
        try (PinnedRange pins = device.pin(0, 8 * MiB, true)) {
            assertTrue(pins.longTerm());
            assertEquals(4, pins.folioCount());
            assertEquals(new DeviceStats(4, 0, 4, 0), device.stats());
        }
        Expect.allIdle(device);
    }

    @Test
    void longTermPinsAreRefusedOnADaxMapAndChangeNothing() {
        try (Region r = Region.anonymous(4 * MiB)) {
            PageMap dax = PageMap.dax(r);
            dax.prepCompound(512, 9);
            dax.incRef(512); // a mapping's reference, taken under the entry lock on a dax map
            dax.incRef(3);
            names(assertThrows(IllegalArgumentException.class, () -> PinnedRange.pin(dax, 2 * MiB, 2 * MiB, true)),
                    "long-term", "fs-dax");
            names(assertThrows(IllegalArgumentException.class, () -> PinnedRange.pin(dax, 3 * 4096, 10, true)),
                    "long-term");
            counts(dax, 512, 1, 0, 0);
            counts(dax, 3, 1, 0, 0);
            try (PinnedRange shortTerm = PinnedRange.pin(dax, 2 * MiB + 5, 100, false)) {
                assertEquals(1, shortTerm.folioCount());
                counts(dax, 512, 2, 0, 1);
            }
            counts(dax, 512, 1, 0, 0);
        }
    }

    @Test
    void anIdleFolioOfADaxMapFailsTheRangeAndWhatWasPinnedIsUnpinned() {
        try (Region r = Region.anonymous(64 * KiB)) {
            PageMap dax = PageMap.dax(r);
            dax.incRef(0);
            dax.incRef(1); // page 2 stays idle: a dax folio is pinned only once something maps it
            names(assertThrows(IllegalStateException.class, () -> PinnedRange.pin(dax, 0, 3 * 4096, false)),
                    "pfn 2", "idle", "DAX");
            counts(dax, 0, 1, 0, 0);
            counts(dax, 1, 1, 0, 0);
            counts(dax, 2, 0, 0, 0);
        }
    }

    @Test
    void aFailureMidwayUnpinsWhatWasPinnedAndRethrows() {
        open(64 * KiB, 0);
        map.incRef(5);
        map.getRefs(5, PageMap.MAX_REFCOUNT - 100); // a pin's bias would overflow folio 5
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> device.pin(0, 8 * 4096, false));
        names(e, "pfn 5");
        for (long pfn = 0; pfn < 16; pfn++) {
            if (pfn != 5) {
                counts(map, pfn, 0, 0, 0);
            }
        }
        assertEquals(PageMap.MAX_REFCOUNT - 99, map.refCount(5));
        map.putRefs(5, PageMap.MAX_REFCOUNT - 99);
        device.close(); // no pinned range was left counted
        assertFalse(device.isOpen());
    }

    @Test
    void badRangesAreRejectedNamingTheValuesAndChangeNothing() {
        open(8 * MiB, 9);
        for (long badLength : new long[] {0, -1, Long.MIN_VALUE}) {
            names(assertThrows(IllegalArgumentException.class, () -> device.pin(0, badLength, false)),
                    "length must be positive: " + badLength);
            names(assertThrows(IllegalArgumentException.class, () -> PinnedRange.pin(map, 0, badLength, false)),
                    String.valueOf(badLength));
        }
        long[][] outside = {{-1, 10}, {8 * MiB, 1}, {8 * MiB - 10, 11}, {1, Long.MAX_VALUE}, {Long.MAX_VALUE, 1},
                            {Long.MIN_VALUE, 1}};
        for (long[] r : outside) {
            names(assertThrows(IndexOutOfBoundsException.class, () -> device.pin(r[0], r[1], false)),
                    "[" + r[0] + ", " + r[0] + " + " + r[1] + ")", 8 * MiB);
        }
        assertThrows(NullPointerException.class, () -> PinnedRange.pin(null, 0, 1, false));
        Expect.allIdle(device);
        device.close(); // and none of the refused calls left a pinned range counted
    }

    @Test
    void concurrentClosesUnpinOnce() throws Exception {
        open(8 * MiB, 9);
        for (int round = 0; round < 200; round++) {
            PinnedRange pins = device.pin(0, 8 * MiB, false);
            CompletableFuture<Void> other = CompletableFuture.runAsync(pins::close);
            pins.close();
            other.get();
            Expect.allIdle(device);
        }
    }

    @Test
    void anUnpinThatFindsNoPinIsReportedAndTheOtherFoliosAreStillUnpinned() {
        open(8 * MiB, 9);
        PinnedRange pins = device.pin(0, 6 * MiB, false);
        map.pins().unpin(512); // someone else released a pin they did not own
        names(assertThrows(IllegalStateException.class, pins::close), "pfn 512", "pin count 0");
        counts(map, 0, 0, 0, 0);
        counts(map, 1024, 0, 0, 0);
        assertFalse(pins.isHeld());
        device.close();
    }

    @Test
    void aRangeOutlivingItsRegionClosesQuietly() {
        open(8 * MiB, 9);
        PinnedRange pins = device.pin(0, 4 * MiB, false);
        var view = device.newViewGroup().map(0).segment();
        IllegalStateException refused = assertThrows(IllegalStateException.class, region::close);
        names(refused.getCause(), "pinned ranges are still held");
        assertThrows(IllegalStateException.class, () -> view.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        assertFalse(map.isOpen(), "the region unmapped regardless, taking the descriptors with it");
        pins.close();
        assertFalse(pins.isHeld());
        assertTrue(pins.toString().contains("unpinned"), pins.toString());
    }
}
