package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRegionTest extends RegionContract {

    @TempDir
    Path dir;

    @Override
    Region create(long byteSize) throws IOException {
        return Region.mapFile(dir.resolve("region-" + System.nanoTime()), byteSize, Persistence.MSYNC);
    }

    @Test
    void bytesSurviveCloseAndReopen() throws IOException {
        Path file = dir.resolve("persist");
        try (Region r = Region.mapFile(file, 1 << 20, Persistence.MSYNC)) {
            r.segment().set(ValueLayout.JAVA_LONG, 12345 * 8, 0xCAFEL);
            r.flush(12345 * 8, 8);
        }
        assertEquals(1 << 20, Files.size(file));
        try (Region r = Region.mapFile(file, 1 << 20, Persistence.MSYNC)) {
            assertEquals(0xCAFEL, r.segment().get(ValueLayout.JAVA_LONG, 12345 * 8));
        }
    }

    @Test
    void extendsAShortFileAndLeavesALongerOnesTail() throws IOException {
        Path file = dir.resolve("long");
        Files.write(file, new byte[3 * 4096]);
        try (Region r = Region.mapFile(file, 4096, Persistence.MSYNC)) {
            assertEquals(4096, r.byteSize());
        }
        assertEquals(3 * 4096, Files.size(file), "a longer file is not truncated");
        try (Region r = Region.mapFile(file, 5 * 4096, Persistence.MSYNC)) {
            assertEquals(5 * 4096, r.byteSize());
            assertEquals(0, r.segment().get(ValueLayout.JAVA_BYTE, 5 * 4096 - 1));
        }
        assertEquals(5 * 4096, Files.size(file));
    }

    @Test
    void syncFailsClearlyWhereTheFilesystemHasNoDax() {
        Path file = dir.resolve("sync");
        IOException e = assertThrows(IOException.class, () -> Region.mapFile(file, 1 << 20, Persistence.SYNC));
        assertTrue(e.getMessage().contains("DAX") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void autoReportsTheModeItChose() throws IOException {
        try (Region r = Region.mapFile(dir.resolve("auto"), 1 << 20, Persistence.AUTO)) {
            // no DAX mount here: AUTO falls back, and says so
            assertEquals(Persistence.MSYNC, r.persistence());
            assertEquals(dir.resolve("auto"), r.file().orElseThrow());
        }
    }

    @Test
    void noneIsNotAFilePersistence() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Region.mapFile(dir.resolve("none"), 4096, Persistence.NONE));
        assertTrue(e.getMessage().contains("NONE"), e.getMessage());
    }

    @Test
    void filesLargerThan2GiBWork() throws IOException {
        long size = (3L << 30) + 4096;
        Path file = dir.resolve("big");
        try (Region r = Region.mapFile(file, size, Persistence.MSYNC)) {
            r.segment().set(ValueLayout.JAVA_LONG, size - 8, 77L);
            r.flush(size - 8, 8);
            assertEquals(77L, r.segment().get(ValueLayout.JAVA_LONG, size - 8));
        }
        assertEquals(size, Files.size(file));
    }
}
