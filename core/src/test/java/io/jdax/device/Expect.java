package io.jdax.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.page.PageMap;

/** Assertions shared by the device tests. */
final class Expect {

    static final long KiB = 1024;
    static final long MiB = 1024 * KiB;
    static final long GiB = 1024 * MiB;

    private Expect() {
    }

    /** The exception's message names every value. */
    static <T extends Throwable> T names(T t, Object... values) {
        for (Object v : values) {
            assertTrue(String.valueOf(t.getMessage()).contains(String.valueOf(v)),
                    () -> "'" + t.getMessage() + "' should name " + v);
        }
        return t;
    }

    /** Refcount, mapcount and pin count of the folio headed at {@code head}. */
    static void counts(PageMap map, long head, int refcount, int mapcount, int pins) {
        assertEquals(refcount, map.refCount(head), () -> "refcount of folio " + head);
        assertEquals(mapcount, map.mapCount(head), () -> "mapcount of folio " + head);
        assertEquals(pins, map.pins().pinCount(head), () -> "pin count of folio " + head);
    }

    /** Every folio of the device is idle, unmapped and unpinned. */
    static void allIdle(DeviceDax device) {
        PageMap map = device.pageMap();
        long step = 1L << device.order();
        for (long head = 0; head < map.nrPages(); head += step) {
            counts(map, head, 0, 0, 0);
        }
        assertEquals(new DeviceStats(device.folioCount(), 0, 0, device.folioCount()), device.stats());
    }
}
