package io.jdax.device;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.memory.KernelMappings;
import io.jdax.memory.MappingBudgets;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Kernel mappings spent by view groups, interrupted callers, and what every call says once the device or its
 * region closed.
 */
@Isolated // lowers the process-wide mapping budget
class DeviceClosingTest {

    static final long PAGE = PageMap.DEFAULT_PAGE_SIZE;

    @Test
    void aGroupPerViewIsRefusedAtTheMappingBudgetInsteadOfAbortingTheJvm() {
        try (Region region = Region.anonymous(4 * PAGE); DeviceDax device = DeviceDax.create(region, 0)) {
            List<ViewGroup> groups = new ArrayList<>();
            MappingBudgets.withRoomFor(3, () -> {
                for (int i = 0; i < 3; i++) {
                    ViewGroup g = device.newViewGroup();
                    groups.add(g);
                    g.map(0);
                }
                ViewGroup over = device.newViewGroup();
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> over.map(0));
                assertTrue(e.getMessage().contains("budget") && e.getMessage().contains(KernelMappings.LIMIT_PROPERTY),
                        e.getMessage());
                assertEquals(3, device.pageMap().refCount(0), "the refused view took nothing");
                groups.get(0).map(PAGE); // a group's window serves every view in it: no new mapping
            });
            assertEquals(4, device.pageMap().refCount(0) + device.pageMap().refCount(1));
        }
    }

    @Test
    void everyCallAfterTheDeviceClosedSaysSoAndClosesReturnNormally() {
        Region region = Region.anonymous(4 * PAGE);
        DeviceDax device = DeviceDax.create(region, 0);
        ViewGroup group = device.newViewGroup();
        DeviceView view = group.map(0);
        device.close();
        assertDoesNotThrow(view::close);
        assertDoesNotThrow(group::close);
        assertDoesNotThrow(device::close);
        for (IllegalStateException e : List.of(
                assertThrows(IllegalStateException.class, device::newViewGroup),
                assertThrows(IllegalStateException.class, () -> device.pin(0, PAGE, false)),
                assertThrows(IllegalStateException.class, device::stats),
                assertThrows(IllegalStateException.class, () -> group.map(0)),
                assertThrows(IllegalStateException.class, view::segment))) {
            assertTrue(e.getMessage().contains("closed") && !e.getMessage().equals("Already closed"), e.getMessage());
        }
        region.close();
    }

    @Test
    void aThreadWithItsInterruptFlagSetMapsViewsAndKeepsTheFlag() {
        try (Region region = Region.anonymous(4 * PAGE); DeviceDax device = DeviceDax.create(region, 0)) {
            Thread.currentThread().interrupt();
            try (ViewGroup group = device.newViewGroup()) {
                group.map(0).segment().set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 5); // maps the window
                assertTrue(Thread.interrupted(), "the flag is left as it was");
                try (ViewGroup other = device.newViewGroup()) {
                    assertEquals(5, other.map(0).segment().get(java.lang.foreign.ValueLayout.JAVA_INT, 0),
                            "the region's channel is still open");
                }
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void aPinnedRangeClosedAfterItsRegionReturnsNormally() {
        Region region = Region.anonymous(4 * PAGE);
        DeviceDax device = DeviceDax.create(region, 0);
        PinnedRange pins = device.pin(0, 4 * PAGE, false);
        IllegalStateException refused = assertThrows(IllegalStateException.class, region::close);
        assertTrue(String.valueOf(refused.getCause()).contains("pinned ranges"), String.valueOf(refused.getCause()));
        assertFalse(region.isOpen(), "the region unmaps regardless");
        assertDoesNotThrow(pins::close);
        assertFalse(pins.isHeld());
    }
}
