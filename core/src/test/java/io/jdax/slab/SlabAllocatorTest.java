package io.jdax.slab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.alloc.AllocatorStats;
import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.internal.Internals;
import io.jdax.internal.PageDescriptor;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlabAllocatorTest {

    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    SlabAllocator slab(long pages, int stripes, int emptyKept) {
        Region region = Region.anonymous(pages * 4096);
        toClose.add(region);
        BuddyAllocator buddy = BuddyAllocator.builder(region).cacheStripes(0).build();
        toClose.add(buddy);
        SlabAllocator s = SlabAllocator.builder(buddy).stripes(stripes).emptySlabsKept(emptyKept).build();
        toClose.add(s);
        return s;
    }

    @Test
    void sizeClassesAreThePowersOfTwoAndTheirHalfWaySteps() {
        SlabAllocator s = slab(64, 1, 2);
        assertArrayEquals(new int[] {16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048},
                s.sizeClasses());
        assertEquals(2048, s.maxObjectSize());
        assertEquals(16, s.objectSize(1));
        assertEquals(32, s.objectSize(17));
        assertEquals(48, s.objectSize(33));
        assertEquals(96, s.objectSize(65));
        assertEquals(1536, s.objectSize(1025));
        assertEquals(2048, s.objectSize(2048));
        SlabClassStats c1536 = s.stats().classes().get(12);
        assertEquals(1, c1536.slabOrder(), "1536 takes order-1 slabs: 5 objects, 512 bytes unused");
        assertEquals(5, c1536.objectsPerSlab());
    }

    @Test
    void largerPagesGetLargerClassesUpToHalfAPage() {
        Region region = Region.anonymous(64 * 16384);
        toClose.add(region);
        BuddyAllocator buddy = BuddyAllocator.builder(region).pageSize(16384).build();
        toClose.add(buddy);
        SlabAllocator s = SlabAllocator.create(buddy);
        toClose.add(s);
        assertEquals(8192, s.maxObjectSize());
        int[] classes = s.sizeClasses();
        assertEquals(6144, classes[classes.length - 2]);
        long a = s.allocate(8192);
        long b = s.allocate(8192);
        assertEquals(8192, Math.abs(a - b), "two half-page objects share one 16 KiB page");
        assertEquals(a >>> 14, b >>> 14);
        s.verify();
    }

    @Test
    void objectsAreAlignedDisjointAndInMarkedSlabs() {
        SlabAllocator s = slab(256, 2, 2);
        PageMap map = s.buddy().pageMap();
        MemorySegment memmap = Internals.memmap(map);
        MemorySegment bytes = map.region().segment();
        Set<Long> seen = new HashSet<>();
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int size = 1 + i * 7 % 2048;
            long off = s.allocate(size);
            assertEquals(0, off % 16, "16-byte aligned: " + off);
            assertTrue(seen.add(off), "handed out twice: " + off);
            long head = map.folioOf(map.pfnOf(off));
            assertTrue(PageDescriptor.isSlab(PageDescriptor.info(memmap, head)), "folio " + head + " is marked");
            assertTrue(off + s.objectSize(size) <= map.offsetOf(head) + (map.pageSize() << map.order(head)),
                    "object inside its slab");
            bytes.asSlice(off, size).fill((byte) i);
            bytes.set(ValueLayout.JAVA_INT_UNALIGNED, off, i);
            held.add(off);
        }
        for (int i = 0; i < held.size(); i++) {
            assertEquals(i, bytes.get(ValueLayout.JAVA_INT_UNALIGNED, held.get(i)), "object " + i + " intact");
        }
        s.verify();
        for (long off : held) {
            s.free(off);
        }
        SlabStats end = s.verify();
        assertEquals(0, end.objectsInUse());
        assertEquals(0, end.bytesRequested());
    }

    @Test
    void statisticsCompareRequestedAndHeldBytes() {
        SlabAllocator s = slab(512, 1, 2);
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            held.add(s.allocate(200)); // class 256: 16 per page
        }
        SlabStats st = s.verify();
        SlabClassStats c = st.classes().get(7);
        assertEquals(256, c.objectSize());
        assertEquals(1000, c.objectsInUse());
        assertEquals(200_000, c.bytesRequested());
        assertEquals(256_000, c.bytesInObjects());
        assertEquals(63, c.slabs(), "ceil(1000 / 16) slabs");
        assertEquals(63 * 4096, c.bytesHeld());
        assertEquals(63 * 4096 - 200_000, c.wastedBytes());
        assertEquals(63 * 4096, st.bytesHeld());
        assertEquals(63, s.buddy().verify().allocatedPages(), "the slabs' folios are the buddy's allocated pages");
        for (int i = 0; i < 1000; i += 2) {
            s.free(held.get(i));
        }
        SlabStats half = s.verify();
        assertEquals(500, half.objectsInUse());
        assertEquals(100_000, half.bytesRequested());
        assertEquals(1, half.classes().get(7).currentSlabs());
        assertEquals(62, half.classes().get(7).partialSlabs(), "each non-current slab kept half its objects");
    }

    @Test
    void badInputIsRefusedNamingTheValueAndChangesNothing() {
        SlabAllocator s = slab(64, 1, 2);
        long a = s.allocate(100);
        long b = s.allocate(100);
        s.free(b);
        long folio = s.buddy().allocate(0);
        long folioOffset = s.buddy().pageMap().offsetOf(folio);
        SlabStats before = s.verify();
        AllocatorStats buddyBefore = s.buddy().verify();

        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.allocate(0)), "0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.allocate(-5)), "-5");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.allocate(2049)), "2049");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.objectSize(4096)), "4096");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> s.free(-1)), "-1");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> s.free(64 * 4096)), "262144");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.free(b)), "free already");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.free(a + 16)), "no object");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.free(folioOffset)), "not part of a slab");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> s.free(folioOffset + 4096)),
                String.valueOf(folioOffset + 4096));
        assertThrows(IllegalArgumentException.class, () -> SlabAllocator.builder(s.buddy()).stripes(3));
        assertThrows(IllegalArgumentException.class, () -> SlabAllocator.builder(s.buddy()).emptySlabsKept(-1));

        assertEquals(before, s.verify(), "slab state unchanged");
        assertEquals(buddyBefore, s.buddy().verify(), "buddy state unchanged");
        s.free(a);
        assertThrows(IllegalArgumentException.class, () -> s.free(a), "double free of the last object");
        s.buddy().pageMap().put(folio);
        s.verify();
    }

    private static void assertMessage(Exception e, String part) {
        assertTrue(e.getMessage().contains(part), "message names " + part + ": " + e.getMessage());
    }

    @Test
    void emptySlabsBeyondTheBoundGoBackToTheBuddyAllocator() {
        SlabAllocator s = slab(64, 1, 1);
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 8 * 5; i++) {
            held.add(s.allocate(512)); // 8 per slab: 5 slabs
        }
        assertEquals(5, s.buddy().verify().allocatedPages());
        for (long off : held) {
            s.free(off);
        }
        SlabStats st = s.verify();
        SlabClassStats c = st.classes().get(9);
        assertEquals(1, c.currentSlabs(), "the stripe keeps its current slab");
        assertEquals(1, c.emptySlabs(), "one empty slab kept");
        assertEquals(2, c.slabs());
        assertEquals(2, s.buddy().verify().allocatedPages(), "three slabs went back");
        assertEquals(2, s.shrink(), "shrink gives back the kept empty slab and the idle current one");
        assertEquals(0, s.buddy().verify().allocatedPages());
        s.verify();
    }

    @Test
    void aNewSlabUnderPressureTakesTheKeptEmptySlabsOfOtherClasses() {
        SlabAllocator s = slab(4, 1, 4);
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            held.add(s.allocate(2048)); // two per page: all four pages
        }
        SlabStats full = s.verify();
        assertThrows(OutOfPagesException.class, () -> s.allocate(16), "no page left for a 16-byte slab");
        assertEquals(SlabAllocator.NO_OBJECT, s.tryAllocate(16));
        assertEquals(full, s.verify(), "failed allocations change nothing");
        for (long off : held) {
            s.free(off);
        }
        assertEquals(3, s.verify().classes().get(13).emptySlabs());
        long small = s.allocate(16);
        SlabStats st = s.verify();
        assertEquals(1, st.classes().get(0).slabs());
        assertEquals(0, st.classes().get(13).emptySlabs(), "pressure took every kept empty slab");
        s.free(small);
    }

    @Test
    void freesOfAFullSlabPutItOnThePartialListAndItIsReused() {
        SlabAllocator s = slab(16, 1, 0);
        long[] first = new long[2];
        first[0] = s.allocate(2048);
        first[1] = s.allocate(2048);
        long third = s.allocate(2048); // the first slab is full and retired
        SlabClassStats c = s.verify().classes().get(13);
        assertEquals(1, c.fullSlabs());
        assertEquals(1, c.currentSlabs());
        s.free(first[0]);
        c = s.verify().classes().get(13);
        assertEquals(1, c.partialSlabs());
        long fourth = s.allocate(2048); // fills the current slab
        long fifth = s.allocate(2048);  // current exhausted: the partial one comes back
        assertEquals(first[0], fifth, "the freed object is reused from the partial slab");
        s.free(first[1]);
        s.free(fifth);
        c = s.verify().classes().get(13);
        assertEquals(0, c.emptySlabs(), "an emptied current slab stays current, on no list");
        s.free(third);
        s.free(fourth);
        c = s.verify().classes().get(13);
        assertEquals(1, c.slabs(), "the full slab emptied and, with none kept, went back");
        assertEquals(1, s.buddy().verify().allocatedPages());
    }

    @Test
    void closeReturnsEverySlabAndRefusesFurtherUse() {
        SlabAllocator s = slab(64, 2, 2);
        long a = s.allocate(64);
        s.allocate(1000);
        s.close();
        assertEquals(0, s.buddy().verify().allocatedPages(), "every slab returned, live objects included");
        assertThrows(IllegalStateException.class, () -> s.allocate(64));
        assertThrows(IllegalStateException.class, () -> s.free(a));
        s.close();
    }

    @Test
    void stripesHaveTheirOwnCurrentSlabsAndFreesCrossThem() throws Exception {
        SlabAllocator s = slab(64, 4, 2);
        List<Long> fromThreads = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = Thread.ofVirtual().unstarted(() -> {
                long off = s.allocate(64);
                synchronized (fromThreads) {
                    fromThreads.add(off);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(8, new HashSet<>(fromThreads).size());
        assertFalse(s.verify().classes().get(3).currentSlabs() < 1);
        for (long off : fromThreads) {
            s.free(off); // freed on another thread than the one that allocated
        }
        assertEquals(0, s.verify().objectsInUse());
    }
}
