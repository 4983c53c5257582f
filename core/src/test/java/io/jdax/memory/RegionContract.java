package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every kind of region promises. Subclasses make the region. */
abstract class RegionContract {

    static final long SIZE = 8L << 20;

    Region region;

    abstract Region create(long byteSize) throws Exception;

    Region region() throws Exception {
        if (region == null) {
            region = create(SIZE);
        }
        return region;
    }

    @AfterEach
    void closeRegion() {
        if (region != null) {
            region.close();
        }
    }

    @Test
    void sizeIsWhatWasAsked() throws Exception {
        assertEquals(SIZE, region().byteSize());
        assertEquals(SIZE, region().segment().byteSize());
    }

    @Test
    void startsZeroFilledAndKeepsWhatIsWritten() throws Exception {
        MemorySegment s = region().segment();
        assertEquals(0L, s.get(ValueLayout.JAVA_LONG, 0));
        assertEquals(0L, s.get(ValueLayout.JAVA_LONG, SIZE - 8));
        s.set(ValueLayout.JAVA_LONG, 4096, 0x1234_5678_9ABC_DEF0L);
        assertEquals(0x1234_5678_9ABC_DEF0L, region().slice(4096, 8).get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void rejectsNonPositiveSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> create(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> create(-4096));
    }

    @Test
    void sliceAndFlushAreBoundsChecked() throws Exception {
        Region r = region();
        assertThrows(IndexOutOfBoundsException.class, () -> r.slice(-1, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> r.slice(SIZE - 4, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> r.flush(0, SIZE + 1));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> r.flush(SIZE, 1));
        assertTrue(e.getMessage().contains(String.valueOf(SIZE)), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> r.flush(10, -1));
        assertEquals(0, r.flushedBytes(), "a refused flush flushes nothing");
    }

    @Test
    void flushWidensToWholePagesAndNoMore() throws Exception {
        Region r = region();
        r.flush(100, 10);               // inside page 0
        assertEquals(4096, r.flushedBytes());
        r.flush(4095, 2);               // straddles pages 0 and 1
        assertEquals(4096 + 8192, r.flushedBytes());
        r.flush(3 * 4096, 4096);        // exactly page 3
        assertEquals(4096 + 8192 + 4096, r.flushedBytes());
        r.flush(SIZE - 1, 1);           // the last byte
        assertEquals(4096 + 8192 + 4096 + 4096, r.flushedBytes());
        r.flush(5, 0);
        assertEquals(4096 + 8192 + 4096 + 4096, r.flushedBytes(), "an empty range flushes nothing");
    }

    @Test
    void accessAfterCloseThrowsAndCloseTwiceIsHarmless() throws Exception {
        Region r = region();
        MemorySegment s = r.segment();
        MemorySegment slice = r.slice(0, 4096);
        s.set(ValueLayout.JAVA_INT, 0, 7);
        r.close();
        assertFalse(r.isOpen());
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_INT, 0));
        assertThrows(IllegalStateException.class, () -> slice.get(ValueLayout.JAVA_INT, 0));
        assertThrows(IllegalStateException.class, () -> r.flush(0, 4096));
        assertThrows(IllegalStateException.class, () -> r.mapView(0, 4096, Arena.ofAuto()));
        assertDoesNotThrow(r::close);
    }

    @Test
    void closeDuringIoIsRefusedAndCanBeRepeated() throws Exception {
        Region r = region();
        try (io.jdax.BlockedWrite write = io.jdax.BlockedWrite.start(r.slice(0, 128 * 1024).asByteBuffer())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, r::close);
            assertTrue(e.getMessage().contains("I/O"), e.getMessage());
            assertTrue(r.isOpen(), "a refused close leaves the region mapped");
            assertEquals(128 * 1024, write.complete());
        }
        r.close();
        assertFalse(r.isOpen());
    }

    @Test
    void viewsSeeTheSameBytesAndAreRevokedByTheirArena() throws Exception {
        Region r = region();
        MemorySegment view;
        try (Arena views = Arena.ofShared()) {
            view = r.mapView(2 * 4096, 4096, views);
            view.set(ValueLayout.JAVA_LONG, 8, 42L);
            assertEquals(42L, r.segment().get(ValueLayout.JAVA_LONG, 2 * 4096 + 8), "view writes reach the region");
            r.segment().set(ValueLayout.JAVA_LONG, 2 * 4096 + 16, 43L);
            assertEquals(43L, view.get(ValueLayout.JAVA_LONG, 16), "region writes reach the view");
        }
        MemorySegment revoked = view;
        assertThrows(IllegalStateException.class, () -> revoked.get(ValueLayout.JAVA_LONG, 8));
        assertEquals(42L, r.segment().get(ValueLayout.JAVA_LONG, 2 * 4096 + 8), "revoking a view leaves the region");
        assertThrows(IndexOutOfBoundsException.class, () -> r.mapView(SIZE - 4096, 8192, Arena.ofAuto()));
    }

    @Test
    void closeClosesAttachedStructuresFirstMostRecentFirst() throws Exception {
        Region r = region();
        StringBuilder order = new StringBuilder();
        r.attach(() -> order.append("a"));
        AutoCloseable b = () -> order.append("b");
        r.attach(b);
        r.attach(() -> order.append("c"));
        r.detach(b);
        r.close();
        assertEquals("ca", order.toString());
        assertThrows(IllegalStateException.class, () -> r.attach(() -> { }));
    }

    @Test
    void aFailingAttachedStructureDoesNotStopTheUnmap() throws Exception {
        Region r = region();
        r.attach(() -> {
            throw new IllegalStateException("boom");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, r::close);
        assertEquals("boom", e.getCause().getMessage());
        assertFalse(r.isOpen());
    }
}
