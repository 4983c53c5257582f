package io.jdax.mapping;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.internal.Internals;
import io.jdax.internal.PageDescriptor;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/** {@link Mapping#read} and {@link Mapping#write}: copies under the entry lock, without views. */
class MappingCopyTest extends MappingFixture {

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void aWriteSpanningPteAndPmdEntriesReadsBackWhole() {
        Mapping m = huge(2048);
        m.map(511, true, 0).close(); // page 511 is an order-0 entry; 512.. can be a PMD
        byte[] data = random((int) (3 * PAGE + 100), 1);
        long pos = 510 * PAGE + 7;
        m.write(pos, MemorySegment.ofArray(data));
        byte[] back = new byte[data.length];
        assertEquals(data.length, m.read(pos, MemorySegment.ofArray(back)));
        assertArrayEquals(data, back);
        assertEquals(0, m.entry(511).order());
        assertEquals(Mapping.PMD_ORDER, m.entry(512).order(), "the write faulted a PMD entry where it could");
        assertEquals(0, m.liveViews(), "no view is left behind");
        m.verify();
    }

    @Test
    void writesMarkDirtyAndWritebackFlushesExactlyTheirEntries() {
        Mapping m = small(64);
        long before = region.flushedBytes();
        m.write(3 * PAGE + 10, MemorySegment.ofArray(new byte[] {1, 2, 3}));
        m.write(40 * PAGE, MemorySegment.ofArray(new byte[(int) PAGE]));
        assertTrue(m.entry(3).dirty());
        assertTrue(m.entry(40).dirty());
        assertEquals(2, m.entryCount());
        assertEquals(2 * PAGE, m.sync());
        assertEquals(2 * PAGE, region.flushedBytes() - before, "exactly the two written pages");
        assertFalse(m.entry(3).dirty());
        m.write(3 * PAGE, MemorySegment.ofArray(new byte[] {9}));
        assertTrue(m.entry(3).dirty(), "a write after the writeback dirties the entry again");
        assertEquals(PAGE, m.sync());
    }

    @Test
    void aReadOfAHoleGivesZerosAndLeavesNoEntry() {
        Mapping m = huge(1024);
        byte[] back = random((int) (2 * PAGE), 2);
        assertEquals(back.length, m.read(700 * PAGE, MemorySegment.ofArray(back)));
        assertArrayEquals(new byte[back.length], back);
        assertEquals(0, m.entryCount(), "a copy out of a hole installs nothing");
        assertEquals(0, m.nrPages());
        m.verify();
    }

    @Test
    void aReadStopsAtTheEndAndOffsetsOutsideAreRefused() throws Exception {
        Mapping m = small(2);
        long size = 2 * PAGE - 5;
        m.truncate(size);
        byte[] back = new byte[100];
        assertEquals(5, m.read(size - 5, MemorySegment.ofArray(back)));
        assertEquals(0, m.read(size, MemorySegment.ofArray(back)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.read(size + 1, MemorySegment.ofArray(back)));
        assertTrue(e.getMessage().contains(String.valueOf(size + 1)), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.read(-1, MemorySegment.ofArray(back)));
        e = assertThrows(IllegalArgumentException.class, () -> m.write(size - 4, MemorySegment.ofArray(back)));
        assertTrue(e.getMessage().contains("100 bytes") && e.getMessage().contains(String.valueOf(size - 4)),
                e.getMessage());
        assertEquals(0, m.entryCount(), "a refused write changes nothing");
        assertThrows(NullPointerException.class, () -> m.write(0, null));
    }

    @Test
    void aPoisonedPageRefusesCopiesViewsAndPinsNamingThePfn() {
        Mapping m = small(4);
        m.write(PAGE, MemorySegment.ofArray(new byte[] {1}));
        long pfn = m.entry(1).pfn();
        MemorySegment memmap = Internals.memmap(map);
        PageDescriptor.setInfo(memmap, pfn, PageDescriptor.info(memmap, pfn) | PageDescriptor.HWPOISON);
        for (Runnable access : new Runnable[] {
                () -> m.read(PAGE, MemorySegment.ofArray(new byte[1])),
                () -> m.write(PAGE, MemorySegment.ofArray(new byte[1])),
                () -> m.map(1, false).close(),
                () -> m.pin(1, false).close()}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, access::run);
            assertTrue(e.getMessage().contains("pfn " + pfn) && e.getMessage().contains("poisoned"), e.getMessage());
        }
        assertTimeoutPreemptively(LIMIT, () -> m.lockEntry(1).close(), "no entry lock is left held");
        m.read(0, MemorySegment.ofArray(new byte[(int) PAGE])); // the healthy page next to it still reads
        PageDescriptor.setInfo(memmap, pfn, PageDescriptor.info(memmap, pfn) & ~PageDescriptor.HWPOISON);
    }

    @Test
    void aWritebackWaitsForACopyHoldingTheEntryAndFlushesItsBytes() throws Exception {
        Mapping m = small(4);
        m.write(0, MemorySegment.ofArray(new byte[] {1}));
        try (EntryLock held = m.lockEntry(0)) {
            CompletableFuture<Void> copy = run(() -> m.write(0, MemorySegment.ofArray(new byte[] {2})));
            awaitTrue(() -> m.entryWaiters(0) == 1);
            CompletableFuture<Long> sync = async(m::sync);
            awaitTrue(() -> m.entryWaiters(0) == 2);
            assertFalse(copy.isDone());
            held.close();
            assertTimeoutPreemptively(LIMIT, () -> copy.get());
            assertTimeoutPreemptively(LIMIT, () -> sync.get());
        }
        m.sync();
        assertFalse(m.entry(0).dirty());
        assertEquals(2, map.region().segment().get(JAVA_BYTE, m.entry(0).pfn() * PAGE));
    }

    @Test
    void truncateWaitsForNothingACopyHoldsAfterItReturns() throws Exception {
        Mapping m = small(8);
        m.write(0, MemorySegment.ofArray(random((int) (8 * PAGE), 3)));
        long free = source.freePages();
        m.truncate(PAGE);
        assertEquals(free + 7, source.freePages(), "the copies held no reference after they returned");
        m.verify();
    }
}
