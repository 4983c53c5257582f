package io.jdax.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.memory.Region;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RangePinsTest {

    static final long PAGE = PageMap.DEFAULT_PAGE_SIZE;

    final Region region = Region.anonymous(16 * PAGE);

    @AfterEach
    void close() {
        region.close();
    }

    /** A fault-in step that records the pfns it was asked for and takes the reference a device map allows. */
    static final class Recording implements FaultIn {
        final List<Long> asked = new ArrayList<>();

        @Override
        public long faultIn(PageMap map, long pfn) {
            asked.add(pfn);
            return FaultIn.DEVICE_IDLE.faultIn(map, pfn);
        }
    }

    @Test
    void referencedFoliosArePinnedDirectlyAndIdleOnesThroughTheFaultInStepOncePerFolio() {
        PageMap map = PageMap.device(region);
        map.prepCompound(4, 2); // pages 4..7 one folio
        map.incRef(0);          // page 0 referenced (mapped, say)
        Recording faultIn = new Recording();
        RangePins pins = RangePins.pin(map, 0, 8 * PAGE, false, faultIn);
        assertEquals(List.of(1L, 2L, 3L, 4L), faultIn.asked, "idle folios only, the order-2 folio once");
        assertEquals(5, pins.folioCount());
        assertEquals(PageMap.PIN_BIAS + 1, map.refCount(0));
        assertEquals(PageMap.PIN_BIAS, map.refCount(1), "the temporary reference was dropped");
        assertEquals(1, map.refCount(4));
        assertEquals(1, map.pins().pinCount(4));
        pins.close();
        pins.close();
        assertFalse(pins.isHeld());
        assertEquals(1, map.refCount(0));
        for (long pfn = 1; pfn < 8; pfn++) {
            assertEquals(0, map.refCount(map.folioOf(pfn)));
        }
    }

    @Test
    void aRefusingStepFailsThePinAndUnpinsWhatWasPinned() {
        PageMap map = PageMap.device(region);
        map.incRef(0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RangePins.pin(map, 0, 2 * PAGE, false, FaultIn.REFUSE));
        assertTrue(e.getMessage().contains("pfn 1"), e.getMessage());
        assertEquals(1, map.refCount(0), "the first folio's pin was undone");
    }

    @Test
    void aFaultInThatThrowsAnErrorStillUndoesThePins() {
        PageMap map = PageMap.device(region);
        map.incRef(0);
        assertThrows(OutOfMemoryError.class, () -> RangePins.pin(map, 0, 2 * PAGE, false, (m, pfn) -> {
            throw new OutOfMemoryError("simulated");
        }));
        assertEquals(1, map.refCount(0));
    }

    @Test
    void theOwnerIsToldOnceAndACloseAfterTheMapClosedReturnsNormally() {
        PageMap map = PageMap.device(region);
        AtomicInteger told = new AtomicInteger();
        RangePins pins = RangePins.pin(map, PAGE, PAGE, true, FaultIn.DEVICE_IDLE, told::incrementAndGet);
        map.close();
        pins.close();
        pins.close();
        assertEquals(1, told.get());
    }

    @Test
    void badRangesAreRefusedNamingTheValues() {
        PageMap map = PageMap.device(region);
        assertThrows(IllegalArgumentException.class, () -> RangePins.pin(map, 0, 0, false, FaultIn.REFUSE));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> RangePins.pin(map, Long.MAX_VALUE, 2, false, FaultIn.REFUSE));
        assertTrue(e.getMessage().contains(Long.toString(Long.MAX_VALUE)), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> RangePins.pin(map, 8 * PAGE, Long.MAX_VALUE, false,
                FaultIn.REFUSE));
        try (Region small = Region.anonymous(PAGE)) {
            PageMap dax = PageMap.dax(small);
            dax.incRef(0);
            assertThrows(IllegalArgumentException.class, () -> RangePins.pin(dax, 0, 1, true, FaultIn.REFUSE),
                    "long-term pins of fs-dax folios are refused");
            assertEquals(1, dax.refCount(0));
        }
    }
}
