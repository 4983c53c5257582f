package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.internal.Internals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Region#flush(long[], long[], int)}: one sync for a batch, each range counted as a single flush counts it. */
class RegionBatchFlushTest {

    static final long PAGE = 4096;

    @Test
    void aBatchCountsAndReportsEachRangeWidenedToPages(@TempDir Path dir) throws Exception {
        try (Region r = Region.mapFile(dir.resolve("f"), 64 * PAGE, Persistence.MSYNC)) {
            List<long[]> seen = new ArrayList<>();
            Internals.flushListener(r, (offset, length) -> seen.add(new long[] {offset, length}));
            r.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, 3 * PAGE, 7);
            r.flush(new long[] {3 * PAGE + 10, 9 * PAGE, 0}, new long[] {5, 2 * PAGE, 0}, 3);
            assertEquals(3 * PAGE, r.flushedBytes(), "one page, two pages, and an empty range");
            assertEquals(2, seen.size());
            assertEquals(3 * PAGE, seen.get(0)[0]);
            assertEquals(PAGE, seen.get(0)[1]);
            assertEquals(9 * PAGE, seen.get(1)[0]);
            assertEquals(2 * PAGE, seen.get(1)[1]);
        }
    }

    @Test
    void aBadCountOrRangeIsRefusedAndNothingIsFlushed(@TempDir Path dir) throws Exception {
        try (Region r = Region.mapFile(dir.resolve("f"), 16 * PAGE, Persistence.MSYNC)) {
            long[] off = {0, 15 * PAGE};
            long[] len = {PAGE, 2 * PAGE};
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> r.flush(off, len, 2));
            assertTrue(e.getMessage().contains(String.valueOf(15 * PAGE)), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> r.flush(off, len, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> r.flush(off, len, -1));
            assertEquals(0, r.flushedBytes(), "the valid first range was not flushed either");
        }
        try (Region anon = Region.anonymous(16 * PAGE)) {
            anon.flush(new long[] {0, PAGE}, new long[] {PAGE, PAGE}, 2);
            assertEquals(2 * PAGE, anon.flushedBytes(), "an anonymous region counts what it was asked");
        }
    }
}
