package io.jdax.store;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaxStoreTest {

    static final long PAGE = DaxStore.PAGE;
    static final long SIZE = 32L << 20;

    DaxStore store;

    @BeforeEach
    void setUp() {
        store = DaxStore.anonymous(SIZE);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void writtenBytesReadBackAndHolesReadAsZeros() {
        DaxFile f = store.create("a");
        byte[] data = bytes(10_000, 1);
        f.write(5000, data, 0, data.length);
        assertEquals(15_000, f.size());
        byte[] back = new byte[15_000];
        assertEquals(15_000, f.read(0, back, 0, back.length));
        for (int i = 0; i < 5000; i++) {
            assertEquals(0, back[i], "the gap reads as zeros");
        }
        byte[] tail = java.util.Arrays.copyOfRange(back, 5000, 15_000);
        assertArrayEquals(data, tail);
        assertEquals(0, f.read(15_000, new byte[10], 0, 10), "at the end");
        assertEquals(10_000, f.stats().bytesWritten());
    }

    @Test
    void aFileOfAWholeAlignedHugeRangeGetsHugeExtents() {
        DaxFile f = store.create("big");
        f.write(0, MemorySegment.ofArray(new byte[(int) (2 * DaxStore.HUGE)]));
        FileStats s = f.stats();
        assertEquals(2, s.hugeExtents(), s.toString());
        assertEquals(2, s.extents());
        try (FileView v = f.map(DaxStore.HUGE, DaxStore.HUGE, false)) {
            assertEquals(DaxStore.HUGE, v.segment().byteSize(), "a zero-copy view of a whole 2 MiB extent");
        }
    }

    @Test
    void fsyncFlushesExactlyTheDirtyEntries() {
        DaxFile f = store.create("a");
        f.write(0, MemorySegment.ofArray(new byte[(int) (16 * PAGE)]));
        f.fsync();
        long before = store.region().flushedBytes();
        f.write(3 * PAGE + 10, new byte[] {1, 2, 3}, 0, 3);
        f.write(9 * PAGE, new byte[] {4}, 0, 1);
        assertEquals(2, f.stats().dirtyEntries());
        assertEquals(2 * PAGE, f.fsync());
        assertEquals(2 * PAGE, store.region().flushedBytes() - before,
                "overwrites change no metadata: the fsync flushes the two data pages and nothing else");
        f.write(16 * PAGE, new byte[] {5}, 0, 1);
        before = store.region().flushedBytes();
        long data = f.fsync();
        long metadata = store.region().flushedBytes() - before - data;
        assertTrue(metadata > 0 && metadata <= DaxStore.metadataBytes(SIZE) / 2, "one metadata slot: " + metadata);
        assertEquals(0, f.stats().dirtyEntries());
    }

    @Test
    void aWritableViewIsZeroCopyAndRevokedByFsync() throws Exception {
        DaxFile f = store.create("a");
        f.truncate(PAGE);
        FileView v = f.map(8, 16, true);
        v.segment().set(JAVA_LONG, 0, 77);
        byte[] b = new byte[8];
        f.read(8, b, 0, 8);
        assertEquals(77, MemorySegment.ofArray(b).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0));
        f.fsync();
        assertThrows(IllegalStateException.class, () -> v.segment().set(JAVA_LONG, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> f.map(PAGE - 8, 16, false), "spans two entries");
    }

    @Test
    void reflinkSharesBlocksAndRefusesBadRanges() throws Exception {
        DaxFile a = store.create("a");
        DaxFile b = store.create("b");
        byte[] data = bytes((int) (4 * PAGE), 2);
        a.write(0, data, 0, data.length);
        store.reflink(a, PAGE, b, 0, 2 * PAGE);
        assertEquals(2 * PAGE, b.size());
        byte[] back = new byte[(int) (2 * PAGE)];
        b.read(0, back, 0, back.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) PAGE, (int) (3 * PAGE)), back);
        long free = store.stats().freePages();
        assertThrows(IllegalArgumentException.class, () -> store.reflink(a, 1, b, 0, PAGE));
        assertThrows(IllegalArgumentException.class, () -> store.reflink(a, 0, b, 0, -PAGE));
        assertThrows(IllegalArgumentException.class, () -> store.reflink(a, 0, b, 0, 8 * PAGE), "past the end");
        try (DaxStore other = DaxStore.anonymous(SIZE)) {
            DaxFile c = other.create("c");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.reflink(a, 0, c, 0, PAGE));
            assertTrue(e.getMessage().contains("across stores"), e.getMessage());
        }
        assertEquals(free, store.stats().freePages(), "nothing changed");
        assertEquals(2 * PAGE, b.size());
    }

    @Test
    void truncateAndPunchHoleGiveBlocksBack() throws Exception {
        DaxFile f = store.create("a");
        f.write(0, MemorySegment.ofArray(bytes((int) (8 * PAGE), 3)));
        long free = store.stats().freePages();
        f.punchHole(2 * PAGE, 2 * PAGE);
        byte[] b = new byte[(int) PAGE];
        f.read(2 * PAGE, b, 0, b.length);
        assertArrayEquals(new byte[(int) PAGE], b);
        assertEquals(free + 2, store.stats().freePages());
        f.truncate(PAGE);
        assertEquals(PAGE, f.size());
        assertEquals(free + 7, store.stats().freePages());
    }

    @Test
    void aFileShrunkInsideAPageAndGrownAgainReadsZerosPastTheOldEnd() throws Exception {
        DaxFile f = store.create("a");
        byte[] ones = new byte[(int) PAGE];
        java.util.Arrays.fill(ones, (byte) 1);
        f.write(0, ones, 0, ones.length);
        f.truncate(100);
        f.truncate(PAGE);
        byte[] back = new byte[(int) PAGE];
        f.read(0, back, 0, back.length);
        for (int i = 100; i < PAGE; i++) {
            assertEquals(0, back[i], "byte " + i);
        }
        assertEquals(1, back[99]);
    }

    @Test
    void badInputIsRefusedNamingTheValueAndChangesNothing() throws Exception {
        DaxFile f = store.create("a");
        f.write(0, new byte[100], 0, 100);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> store.create("a"));
        assertTrue(dup.getMessage().contains("'a'"), dup.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> store.open("zz"));
        assertTrue(unknown.getMessage().contains("'zz'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.delete("zz"));
        assertThrows(IllegalArgumentException.class, () -> store.create(""));
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> f.read(101, new byte[1], 0, 1));
        assertTrue(past.getMessage().contains("101"), past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.write(-1, new byte[1], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> f.truncate(-5));
        assertThrows(IllegalArgumentException.class, () -> f.punchHole(0, 3));
        assertThrows(IllegalArgumentException.class, () -> f.map(50, 100, false));
        assertEquals(100, f.size());
        assertEquals(List.of("a"), store.names());
        store.delete("a");
        IllegalStateException gone = assertThrows(IllegalStateException.class, () -> f.write(0, new byte[1], 0, 1));
        assertTrue(gone.getMessage().contains("deleted"), gone.getMessage());
        assertFalse(store.exists("a"));
    }

    @Test
    void memoryFailureFindsEverySharerRevokesViewsAndPoisons() throws Exception {
        DaxFile a = store.create("a");
        DaxFile b = store.create("b");
        DaxFile c = store.create("c");
        a.write(0, MemorySegment.ofArray(bytes((int) (2 * PAGE), 4)));
        c.write(0, new byte[10], 0, 10);
        store.reflink(a, 0, b, 0, 2 * PAGE);
        FileView view = b.map(PAGE, 8, false);
        long pfn = view.segment().address() == 0 ? -1 : pfnOf(b, PAGE);
        List<String> told = new ArrayList<>();
        store.addFailureListener((file, offset) -> told.add(file + "@" + offset));
        assertEquals(List.of("a", "b"), store.memoryFailure(pfn, 1));
        assertEquals(List.of("a@" + PAGE, "b@" + PAGE), told);
        assertFalse(view.isOpen(), "the sharer's view was revoked");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.read(0, new byte[1], 0, 1));
        assertTrue(e.getMessage().contains("poisoned"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> b.map(0, 8, false));
        assertThrows(IllegalStateException.class, () -> b.write(0, new byte[1], 0, 1));
        assertFalse(c.isPoisoned());
        assertEquals(1, store.stats().poisonedPages());
    }

    @Test
    void aFreePageHitByAMemoryFailureIsNeverHandedOut() {
        DaxFile a = store.create("a");
        a.write(0, new byte[8], 0, 8);
        long pfn = pfnOf(a, 0);
        store.delete("a");
        assertEquals(List.of(), store.memoryFailure(pfn, 1), "a free page has no owner");
        DaxFile b = store.create("b");
        b.write(0, new byte[8], 0, 8);
        assertTrue(pfnOf(b, 0) != pfn, "the poisoned page was handed out again");
        assertEquals(1, store.source().quarantinedPages());
        assertFalse(b.isPoisoned());
    }

    private static long pfnOf(DaxFile f, long offset) {
        var e = f.mapping().entry(offset / PAGE);
        return e.pfn() + (offset / PAGE - e.index());
    }

    @Test
    void aFileBackedStoreKeepsNamesSizesExtentsAndBytesOverCloseAndReopen(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("store.pmem");
        byte[] data = bytes((int) (3 * DaxStore.HUGE + 5), 5);
        try (DaxStore s = DaxStore.open(file, SIZE)) {
            DaxFile a = s.create("a");
            a.write(0, data, 0, data.length);
            DaxFile b = s.create("b");
            b.write(PAGE * 3, new byte[] {9}, 0, 1);
            s.create("gone").write(0, new byte[] {1}, 0, 1);
            s.delete("gone");
        }
        assertTrue(Files.size(file) >= SIZE);
        try (DaxStore s = DaxStore.open(file, SIZE)) {
            assertEquals(List.of("a", "b"), s.names());
            DaxFile a = s.open("a");
            assertEquals(data.length, a.size());
            assertEquals(3, a.stats().hugeExtents());
            byte[] back = new byte[data.length];
            a.read(0, back, 0, back.length);
            assertArrayEquals(data, back);
            DaxFile b = s.open("b");
            byte[] one = new byte[1];
            b.read(3 * PAGE, one, 0, 1);
            assertEquals(9, one[0]);
            long used = s.stats().dataPages() - s.stats().freePages();
            assertEquals(3 * 512 + 1 + 1, used, "the deleted file's block is free again");
        }
    }
}
