package io.jdax.device;

import static io.jdax.device.Expect.GiB;
import static io.jdax.device.Expect.KiB;
import static io.jdax.device.Expect.MiB;
import static io.jdax.device.Expect.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceDaxTest {

    @ParameterizedTest(name = "order {0} over {1} bytes")
    @CsvSource({"0, 8388608", "3, 8388608", "9, 8388608", "18, 1073741824"})
    void everyFolioIsPreppedAtTheOrderAndIdle(int order, long size) {
        try (Region region = Region.anonymous(size); DeviceDax device = DeviceDax.create(region, order)) {
            PageMap map = device.pageMap();
            assertEquals(PageMap.Kind.DEVICE, map.kind());
            assertEquals(4 * KiB, map.pageSize());
            assertEquals(order, device.order());
            assertEquals(4 * KiB << order, device.faultSize());
            assertEquals(size, device.byteSize());
            assertEquals(size / device.faultSize(), device.folioCount());
            long step = 1L << order;
            for (long head = 0; head < map.nrPages(); head += step) {
                assertEquals(order, map.order(head), "order of folio " + head);
                assertEquals(head, map.folioOf(head + step - 1), "last page of folio " + head);
            }
            Expect.allIdle(device);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 19, 31, Integer.MIN_VALUE})
    void ordersOutsideZeroToEighteenAreRejected(int order) {
        try (Region region = Region.anonymous(4 * MiB)) {
            names(assertThrows(IllegalArgumentException.class, () -> DeviceDax.create(region, order)),
                    "order " + order, "[0, 18]");
            assertEquals(4 * MiB, region.byteSize());
            DeviceDax.create(region, 0).close(); // nothing was left attached: the region still makes a device
        }
    }

    @Test
    void aFolioSizeThatDoesNotDivideTheRegionIsRejected() {
        try (Region region = Region.anonymous(3 * MiB)) {
            names(assertThrows(IllegalArgumentException.class, () -> DeviceDax.create(region, 9)),
                    3 * MiB, "order-9", 2 * MiB);
            try (Region small = Region.anonymous(16 * KiB)) {
                names(assertThrows(IllegalArgumentException.class, () -> DeviceDax.create(small, 3)),
                        16 * KiB, 32 * KiB);
            }
            try (DeviceDax device = DeviceDax.create(region, 8)) { // 1 MiB folios divide 3 MiB
                assertEquals(3, device.folioCount());
            }
        }
        assertThrows(NullPointerException.class, () -> DeviceDax.create(null, 0));
    }

    @Test
    void aClosedRegionMakesNoDevice() {
        Region region = Region.anonymous(4 * MiB);
        region.close();
        names(assertThrows(IllegalStateException.class, () -> DeviceDax.create(region, 0)), "closed");
    }

    @Test
    void closingTheDeviceClosesItsMapAndGroupsButNotTheRegion() {
        try (Region region = Region.anonymous(4 * MiB)) {
            DeviceDax device = DeviceDax.create(region, 9);
            ViewGroup group = device.newViewGroup();
            DeviceView view = group.map(2 * MiB);
            var bytes = view.segment();
            device.close();
            device.close();
            assertFalse(device.isOpen());
            assertFalse(device.pageMap().isOpen());
            assertFalse(group.isOpen());
            assertFalse(view.isOpen());
            assertThrows(IllegalStateException.class, () -> bytes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            assertTrue(region.isOpen());
            names(assertThrows(IllegalStateException.class, device::newViewGroup), "closed");
            names(assertThrows(IllegalStateException.class, () -> device.pin(0, 1, false)), "closed");
            names(assertThrows(IllegalStateException.class, device::stats), "closed");
            DeviceDax.create(region, 0).close(); // the map was detached: the region takes a new device
        }
    }

    @Test
    void closingTheRegionClosesTheDeviceFirst() {
        Region region = Region.anonymous(4 * MiB);
        DeviceDax device = DeviceDax.create(region, 0);
        ViewGroup group = device.newViewGroup();
        var bytes = group.map(8 * KiB).segment();
        region.close();
        assertFalse(device.isOpen());
        assertFalse(group.isOpen());
        assertThrows(IllegalStateException.class, () -> bytes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void closeRevokesViewsButKeepsThePageMapWhilePinsAreHeld() {
        try (Region region = Region.anonymous(4 * MiB)) {
            DeviceDax device = DeviceDax.create(region, 9);
            ViewGroup group = device.newViewGroup();
            DeviceView view = group.map(0);
            var bytes = view.segment();
            PinnedRange pins = device.pin(0, 3 * MiB, false);
            names(assertThrows(IllegalStateException.class, device::close), "1 pinned ranges", "close again");
            assertFalse(device.isOpen(), "a device being removed takes no new work");
            assertThrows(IllegalStateException.class, device::newViewGroup);
            assertThrows(IllegalStateException.class, () -> device.pin(0, 1, false));
            assertFalse(group.isOpen());
            assertFalse(view.isOpen());
            assertThrows(IllegalStateException.class, () -> bytes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            assertTrue(pins.isHeld());
            assertTrue(device.pageMap().isOpen(), "the pins still need their descriptors");
            Expect.counts(device.pageMap(), 0, 1, 0, 1); // the view's reference went, the pin's stays
            Expect.counts(device.pageMap(), 512, 1, 0, 1);
            pins.close();
            Expect.counts(device.pageMap(), 0, 0, 0, 0);
            device.close();
            assertFalse(device.pageMap().isOpen());
            device.close();
        }
    }

    @Test
    void statsCountMappedPinnedAndIdleFolios() {
        try (Region region = Region.anonymous(16 * MiB); DeviceDax device = DeviceDax.create(region, 9)) {
            assertEquals(new DeviceStats(8, 0, 0, 8), device.stats());
            ViewGroup group = device.newViewGroup();
            group.map(0);
            group.map(0);
            group.map(2 * MiB);
            PinnedRange pins = device.pin(2 * MiB + 5, 4 * MiB, false); // folios 1, 2 and 3
            DeviceStats stats = device.stats();
            assertEquals(new DeviceStats(8, 2, 3, 4), stats);
            assertEquals(4, stats.busy());
            pins.close();
            assertEquals(new DeviceStats(8, 2, 0, 6), device.stats());
            group.close();
            assertEquals(new DeviceStats(8, 0, 0, 8), device.stats());
        }
    }

    @Test
    void orderZeroStatsCountPinsByTheBias() {
        try (Region region = Region.anonymous(64 * KiB); DeviceDax device = DeviceDax.create(region, 0)) {
            try (PinnedRange pins = device.pin(4 * KiB, 8 * KiB, true)) {
                assertEquals(new DeviceStats(16, 0, 2, 14), device.stats());
                assertTrue(pins.longTerm());
            }
            assertEquals(new DeviceStats(16, 0, 0, 16), device.stats());
        }
    }

    @Test
    void statsRejectInconsistentCounts() {
        names(assertThrows(IllegalArgumentException.class, () -> new DeviceStats(4, 5, 0, 0)), "mapped 5");
        names(assertThrows(IllegalArgumentException.class, () -> new DeviceStats(4, 0, 0, -1)), "idle -1");
        names(assertThrows(IllegalArgumentException.class, () -> new DeviceStats(-1, 0, 0, 0)), "folios -1");
    }

    @Test
    void accessorsDescribeTheDevice() {
        try (Region region = Region.anonymous(2 * GiB); DeviceDax device = DeviceDax.create(region, 18)) {
            assertSame(region, device.region());
            assertEquals(2, device.folioCount());
            assertEquals(GiB, device.faultSize());
            assertTrue(device.toString().contains("order 18"), device.toString());
        }
    }
}
