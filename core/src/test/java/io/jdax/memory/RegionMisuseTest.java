package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizes at the edges, failed creations, interrupted callers and closed regions, through the original API. */
class RegionMisuseTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // a failing test must not leave the flag to the next one
    }

    @Test
    void anAnonymousRegionTooLargeToPadIsAnIllegalArgumentNamingTheSize() {
        for (long size : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE - Region.ANONYMOUS_ALIGNMENT + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Region.anonymous(size));
            assertTrue(e.getMessage().contains(Long.toString(size)), e.getMessage());
        }
    }

    @Test
    void aFailedSyncMappingLeavesNoFileBehind() {
        Path data = dir.resolve("data");
        assertThrows(IOException.class, () -> Region.mapFile(data, 64 << 20, Persistence.SYNC));
        assertFalse(Files.exists(data), "the file the failed call created is gone");
    }

    @Test
    void aFailedSyncMappingLeavesAnExistingFileAsItWas() throws IOException {
        Path data = dir.resolve("existing");
        byte[] before = new byte[3 * 4096];
        before[5] = 42;
        Files.write(data, before);
        assertThrows(IOException.class, () -> Region.mapFile(data, 64 << 20, Persistence.SYNC));
        assertArrayEquals(before, Files.readAllBytes(data), "neither grown nor changed");
    }

    @Test
    void anInterruptedThreadCreatesRegionsAndKeepsItsInterruptStatus() throws IOException {
        Thread.currentThread().interrupt();
        Region anon = Region.anonymous(1 << 20);
        assertTrue(Thread.currentThread().isInterrupted(), "the flag is left as it was");
        Region file = Region.mapFile(dir.resolve("f"), 1 << 20, Persistence.MSYNC);
        assertTrue(Thread.interrupted());
        anon.close();
        file.close();
    }

    @Test
    void anInterruptedThreadMappingAViewDoesNotCloseTheRegionForOthers() throws Exception {
        for (Region r : new Region[] {Region.anonymous(1 << 20), Region.mapFile(dir.resolve("v"), 1 << 20,
                Persistence.MSYNC)}) {
            try (r; Arena first = Arena.ofShared(); Arena second = Arena.ofShared()) {
                Thread.currentThread().interrupt();
                MemorySegment view = r.mapView(4096, 4096, first);
                assertTrue(Thread.interrupted(), "the flag is left as it was");
                view.set(ValueLayout.JAVA_INT, 0, 7);
                r.flush(4096, 4);
                Thread.currentThread().interrupt();
                r.flush(4096, 4);
                assertTrue(Thread.interrupted());
                // the region's channel is still open: another thread maps another view
                Thread other = new Thread(() -> r.mapView(4096, 4096, second).set(ValueLayout.JAVA_INT, 4, 9));
                other.start();
                other.join();
                assertEquals(9, r.segment().get(ValueLayout.JAVA_INT, 4096 + 4));
            }
        }
    }

    @Test
    void aViewIntoAConfinedArenaIsMappedByAnInterruptedOwnerThread() {
        try (Region r = Region.anonymous(1 << 20); Arena confined = Arena.ofConfined(); Arena later = Arena.ofShared()) {
            Thread.currentThread().interrupt();
            r.mapView(0, 4096, confined).set(ValueLayout.JAVA_INT, 0, 3);
            assertTrue(Thread.interrupted(), "the flag is left as it was");
            assertEquals(3, r.mapView(0, 4096, later).get(ValueLayout.JAVA_INT, 0), "the channel is still open");
        }
    }

    @Test
    void flushOfAClosedFileRegionSaysWhichRegionWasClosed() throws IOException {
        Region r = Region.mapFile(dir.resolve("closed"), 1 << 20, Persistence.MSYNC);
        r.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.flush(0, 8));
        assertTrue(e.getMessage().contains("Region[") && e.getMessage().contains("closed")
                && !e.getMessage().equals("Already closed"), e.getMessage());
        assertEquals(0, r.flushedBytes());
    }

    @Test
    void sliceOfAClosedRegionSaysWhichRegionWasClosed() {
        Region r = Region.anonymous(1 << 20);
        r.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.slice(0, 8));
        assertTrue(e.getMessage().contains("Region[") && e.getMessage().contains("is closed"), e.getMessage());
    }

    @Test
    void mapViewOfAClosedRegionSaysWhichRegionWasClosed() {
        Region r = Region.anonymous(1 << 20);
        r.close();
        try (Arena arena = Arena.ofConfined()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.mapView(0, 4096, arena));
            assertTrue(e.getMessage().contains("Region[") && e.getMessage().contains("is closed"), e.getMessage());
        }
    }
}
