package io.jdax.alloc;

import static io.jdax.page.PageMap.NO_FOLIO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuddyAllocatorTest {

    static final int PAGES = 4096; // 16 MiB of 4 KiB pages: max order 12

    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    BuddyAllocator allocator(long pages, int stripes) {
        Region region = Region.anonymous(pages * 4096);
        toClose.add(region);
        BuddyAllocator a = BuddyAllocator.builder(region).cacheStripes(stripes).build();
        toClose.add(a);
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void handsOutAlignedPreppedFoliosWithOneReference(int stripes) {
        BuddyAllocator a = allocator(PAGES, stripes);
        PageMap map = a.pageMap();
        assertEquals(12, a.maxOrder());
        for (int order : new int[] {0, 1, 3, 5, 9, 12}) {
            long pfn = a.allocate(order);
            assertEquals(0, pfn & ((1L << order) - 1), "order-" + order + " folio at " + pfn + " is aligned");
            assertEquals(order, map.order(pfn));
            assertEquals(1, map.refCount(pfn));
            map.put(pfn);
            a.verify();
        }
        AllocatorStats s = a.verify();
        assertEquals(0, s.allocatedPages());
        assertEquals(PAGES, s.freePages() + s.cachedPages());
        assertEquals(6, s.allocations());
    }

    @Test
    void theLastPutReturnsTheFolioAndSharedFoliosStayOut() {
        BuddyAllocator a = allocator(PAGES, 0);
        PageMap map = a.pageMap();
        long pfn = a.allocate(4);
        map.get(pfn);
        map.put(pfn);
        assertEquals(16, a.verify().allocatedPages(), "one reference still held");
        map.put(pfn);
        AllocatorStats s = a.verify();
        assertEquals(0, s.allocatedPages());
        assertEquals(PAGES, s.freePages());
        assertThrows(IllegalStateException.class, () -> map.put(pfn), "a put after the last one is refused");
    }

    @Test
    void aFullDrainMergesBackToTheMaximalBlocks() {
        BuddyAllocator a = allocator(PAGES, 4);
        long[] initial = a.stats().freeBlocks();
        assertEquals(1, initial[12]);
        Random rnd = new Random(7);
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 400; i++) { // about 2,500 of the 4,096 pages
            held.add(a.allocate(rnd.nextInt(5)));
        }
        for (long pfn : held) {
            a.pageMap().put(pfn);
        }
        assertTrue(a.stats().cachedPages() > 0, "caches kept some folios");
        a.drainCaches();
        AllocatorStats s = a.verify();
        assertEquals(0, s.cachedPages());
        assertArrayEquals(initial, s.freeBlocks());
    }

    @Test
    void anOddSizedRegionIsCarvedIntoAlignedBlocks() {
        BuddyAllocator a = allocator(1000, 0);
        long[] blocks = a.verify().freeBlocks();
        assertEquals(9, a.maxOrder());
        // 1000 = 512 + 256 + 128 + 64 + 32 + 8
        assertEquals(1, blocks[9]);
        assertEquals(1, blocks[8]);
        assertEquals(1, blocks[7]);
        assertEquals(1, blocks[6]);
        assertEquals(1, blocks[5]);
        assertEquals(1, blocks[3]);
        assertEquals(0, blocks[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void exhaustionFailsClearlyAndRecovers(int stripes) {
        BuddyAllocator a = allocator(PAGES, stripes);
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < PAGES / 512; i++) {
            held.add(a.allocate(9));
        }
        assertEquals(NO_FOLIO, a.tryAllocate(0));
        OutOfPagesException e = assertThrows(OutOfPagesException.class, () -> a.allocate(3));
        assertTrue(e.getMessage().contains("order-3") && e.getMessage().contains("no free block"), e.getMessage());
        assertFalse(e.overLimit());
        assertEquals(3, e.order());
        assertTrue(a.stats().failures() >= 2);
        a.pageMap().put(held.remove(0));
        long pfn = a.allocate(3);
        assertEquals(1, a.pageMap().refCount(pfn));
        a.verify();
    }

    @Test
    void fragmentationIsReportedAsNoBlockOfTheOrder() {
        BuddyAllocator a = allocator(64, 0);
        List<Long> pages = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            pages.add(a.allocate(0));
        }
        for (int i = 0; i < 64; i += 2) {
            a.pageMap().put(pages.get(i)); // every other page free: 32 free pages, no free pair
        }
        assertEquals(32, a.verify().freePages());
        OutOfPagesException e = assertThrows(OutOfPagesException.class, () -> a.allocate(1));
        assertTrue(e.getMessage().contains("32 pages free"), e.getMessage());
    }

    @Test
    void theLimitCapsAllocatedAndCachedPagesAndDrainsCachesUnderPressure() {
        Region region = Region.anonymous(PAGES * 4096L);
        toClose.add(region);
        BuddyAllocator a = BuddyAllocator.builder(region).limitBytes(64 * 4096).cacheStripes(4).build();
        toClose.add(a);
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long pfn = a.tryAllocate(0);
            assertNotEquals(NO_FOLIO, pfn, "allocation " + i + " is within the limit");
            held.add(pfn);
        }
        OutOfPagesException e = assertThrows(OutOfPagesException.class, () -> a.allocate(0));
        assertTrue(e.overLimit(), e.getMessage());
        assertTrue(e.getMessage().contains("limit of 64 pages"), e.getMessage());
        for (long pfn : held) {
            a.pageMap().put(pfn); // these go into the caches and still count against the limit
        }
        assertTrue(a.stats().cachedPages() > 0);
        long big = a.allocate(6); // needs all 64 pages: only a drain of the caches makes room
        assertEquals(6, a.pageMap().order(big));
        assertEquals(0, a.verify().cachedPages());
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 6, 7, 8, 9})
    void largeFoliosUpToThePmdOrderComeBackFromACacheStillPrepped(int order) {
        BuddyAllocator a = allocator(PAGES, 2);
        PageMap map = a.pageMap();
        long pfn = a.allocate(order);
        map.put(pfn);
        AllocatorStats s = a.verify();
        assertEquals(1L << order, s.cachedPages(), "the order-" + order + " folio waits in a cache, not merged");
        long again = a.allocate(order);
        assertEquals(pfn, again, "the next allocation of the order pops it");
        assertEquals(order, map.order(again), "still prepped");
        assertEquals(1, map.refCount(again));
        assertEquals(0, a.verify().cachedPages());
        map.put(again);
        a.drainCaches();
        assertEquals(PAGES, a.verify().freePages());
    }

    @Test
    void theLargeFolioCacheIsBoundedInBytes() {
        Region region = Region.anonymous(PAGES * 4096L);
        toClose.add(region);
        BuddyAllocator a = BuddyAllocator.builder(region).cacheStripes(2).largeFolioCacheBytes(32 * 4096).build();
        toClose.add(a);
        assertEquals(32 * 4096, a.largeFolioCacheBytes());
        PageMap map = a.pageMap();
        long[] held = new long[4];
        for (int i = 0; i < held.length; i++) {
            held[i] = a.allocate(4);
        }
        for (long pfn : held) {
            map.put(pfn);
        }
        assertEquals(32, a.verify().cachedPages(), "two order-4 folios fit the 128 KiB, the others merged back");
        long pmd = a.allocate(9);
        map.put(pmd);
        assertEquals(32, a.verify().cachedPages(), "a 2 MiB folio does not fit what is left");
    }

    @Test
    void withNoLargeFolioCacheLargeFoliosMergeBackAtOnce() {
        Region region = Region.anonymous(PAGES * 4096L);
        toClose.add(region);
        BuddyAllocator a = BuddyAllocator.builder(region).cacheStripes(2).largeFolioCacheBytes(0).build();
        toClose.add(a);
        for (int order = 4; order <= 9; order++) {
            a.pageMap().put(a.allocate(order));
            assertEquals(0, a.verify().cachedPages(), "order " + order);
        }
        assertThrows(IllegalArgumentException.class, () -> BuddyAllocator.builder(region).largeFolioCacheBytes(-1));
    }

    @Test
    void cachedLargeFoliosAreDrainedWhenAnAllocationWouldFail() {
        Region region = Region.anonymous(1024 * 4096L);
        toClose.add(region);
        BuddyAllocator a = BuddyAllocator.builder(region).cacheStripes(2).largeFolioCacheBytes(1024 * 4096).build();
        toClose.add(a);
        PageMap map = a.pageMap();
        long[] held = {a.allocate(9), a.allocate(8), a.allocate(7), a.allocate(6)};
        for (long pfn : held) {
            map.put(pfn);
        }
        assertEquals(512 + 256 + 128 + 64, a.verify().cachedPages());
        long whole = a.allocate(10); // only a drain of the caches makes one block of the whole region
        assertEquals(10, map.order(whole));
        assertEquals(0, a.verify().cachedPages());
        map.put(whole);
    }

    @Test
    void badOrdersAndOptionsAreRefused() {
        BuddyAllocator a = allocator(PAGES, 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> a.allocate(-1)).getMessage().contains("-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> a.allocate(13)).getMessage().contains("13"));
        Region r = Region.anonymous(4096 * 16);
        toClose.add(r);
        assertThrows(IllegalArgumentException.class, () -> BuddyAllocator.builder(r).cacheStripes(3));
        assertThrows(IllegalArgumentException.class, () -> BuddyAllocator.builder(r).limitBytes(0));
        assertThrows(IllegalArgumentException.class, () -> BuddyAllocator.builder(r).maxOrder(32));
        assertThrows(IllegalArgumentException.class, () -> BuddyAllocator.builder(r).pageSize(1000).build());
        a.verify();
    }

    @Test
    void aFreeBlockCannotBeSplitNorACachedFolioReshaped() {
        BuddyAllocator a = allocator(PAGES, 4);
        PageMap map = a.pageMap();
        long cached = a.allocate(2); // the refill takes 8 order-2 blocks, pages 0-31, from the one order-12 block
        map.put(cached);             // back in a cache: idle, still prepped
        assertEquals(1, a.stats().freeBlocks()[11], "pages 2048-4095 are one free order-11 block");
        long freeHead = 2048;
        var layout = new io.jdax.internal.CompoundLayout(io.jdax.internal.Internals.memmap(map), map.nrPages());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> layout.split(freeHead));
        assertTrue(e.getMessage().contains("pfn 2048") && e.getMessage().contains("free in an allocator"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> map.split(cached), "the public split refuses a pool map");
        assertThrows(IllegalStateException.class, () -> map.prepCompound(freeHead, 0));
        assertEquals(2, map.order(cached));
        a.verify();
    }

    @Test
    void closeDrainsAndRefusesFurtherAllocations() {
        BuddyAllocator a = allocator(PAGES, 2);
        long pfn = a.allocate(0);
        a.pageMap().put(pfn);
        a.close();
        assertThrows(IllegalStateException.class, () -> a.allocate(0));
        assertFalse(a.pageMap().isOpen());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 8})
    void randomizedSequencesKeepEveryInvariant(int stripes) {
        BuddyAllocator a = allocator(PAGES, stripes);
        PageMap map = a.pageMap();
        Random rnd = new Random(20261122L + stripes);
        List<Long> held = new ArrayList<>();
        for (int op = 0; op < 120_000; op++) {
            int choice = rnd.nextInt(10);
            if (choice < 5 || held.isEmpty()) {
                int order = rnd.nextInt(100) < 90 ? rnd.nextInt(4) : rnd.nextInt(a.maxOrder() + 1);
                long pfn = a.tryAllocate(order);
                if (pfn != NO_FOLIO) {
                    assertEquals(order, map.order(pfn));
                    held.add(pfn);
                }
            } else if (choice < 9) {
                long pfn = held.remove(rnd.nextInt(held.size()));
                map.put(pfn);
            } else {
                long pfn = held.get(rnd.nextInt(held.size()));
                map.get(pfn); // shared for a moment
                map.put(pfn);
            }
            if (op % 10_000 == 0) {
                a.verify();
            }
        }
        AllocatorStats mid = a.verify();
        long heldPages = 0;
        for (long pfn : held) {
            heldPages += map.nrPages(pfn);
        }
        assertEquals(heldPages, mid.allocatedPages());
        for (long pfn : held) {
            map.put(pfn);
        }
        a.drainCaches();
        AllocatorStats end = a.verify();
        assertEquals(PAGES, end.freePages());
        assertEquals(1, end.freeBlocks()[12], "everything merged back into one block");
    }

    @Test
    void threadsAllocatingAndFreeingConcurrentlyLoseNothing() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            BuddyAllocator a = allocator(PAGES, 4);
            runConcurrently(a, Executors.newFixedThreadPool(4), 8, 20_000);
        });
    }

    @Test
    void manyVirtualThreadsShareTheBoundedStripes() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            BuddyAllocator a = allocator(PAGES, 4);
            runConcurrently(a, Executors.newVirtualThreadPerTaskExecutor(), 2_000, 200);
        });
    }

    private static void runConcurrently(BuddyAllocator a, ExecutorService pool, int tasks, int opsPerTask)
            throws Exception {
        PageMap map = a.pageMap();
        Set<Long> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (pool) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < opsPerTask; i++) {
                        if (mine.size() < 8 && rnd.nextBoolean()) {
                            long pfn = a.tryAllocate(rnd.nextInt(4));
                            if (pfn != NO_FOLIO) {
                                if (!live.add(pfn)) {
                                    throw new AssertionError("folio " + pfn + " handed out twice");
                                }
                                mine.add(pfn);
                            }
                        } else if (!mine.isEmpty()) {
                            long pfn = mine.remove(rnd.nextInt(mine.size()));
                            live.remove(pfn);
                            map.put(pfn);
                        }
                    }
                    for (long pfn : mine) {
                        live.remove(pfn);
                        map.put(pfn);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        AllocatorStats s = a.verify();
        assertEquals(0, s.allocatedPages());
        a.drainCaches();
        assertEquals(PAGES, a.verify().freePages());
    }

    @Test
    void everyOrderCanBeHeldAtOnceWithoutOverlap() {
        BuddyAllocator a = allocator(PAGES, 4);
        Set<Long> pages = new HashSet<>();
        for (int order = 0; order <= 10; order++) {
            long pfn = a.allocate(order);
            for (long p = pfn; p < pfn + (1L << order); p++) {
                assertTrue(pages.add(p), "page " + p + " handed out twice");
            }
        }
        a.verify();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void chargesFollowTheirFoliosUntilTheLastPutWhicheverPathTheyTake(int stripes) {
        BuddyAllocator a = allocator(PAGES, stripes);
        PageMap map = a.pageMap();
        long small = a.allocate(0, 100);
        long large = a.allocate(5, (4096L << 4) + 1);
        long uncharged = a.allocate(5);
        long huge = a.allocate(10, 4096L << 10); // above the cached orders: the zone path
        FolioCharges c = a.charges();
        assertEquals(1, c.folios(0));
        assertEquals(100, c.bytes(0));
        assertEquals(1, c.folios(5), "the uncharged folio is not counted");
        assertEquals((4096L << 4) + 1, c.bytes(5));
        assertEquals(1, c.folios(10));
        map.get(large);
        assertFalse(map.put(large), "a put that is not the last keeps the charge");
        assertEquals(1, a.charges().folios(5));
        for (long pfn : new long[] {small, large, uncharged, huge}) {
            assertTrue(map.put(pfn));
        }
        c = a.charges();
        for (int o = 0; o <= c.maxOrder(); o++) {
            assertEquals(0, c.folios(o), "order " + o);
            assertEquals(0, c.bytes(o), "order " + o);
        }
        long again = a.allocate(5); // a cached folio that carried a charge comes back uncharged
        assertEquals(0, a.charges().folios(5));
        assertTrue(map.put(again));
        assertEquals(0, a.charges().bytes(5));
        a.verify();
    }

    @Test
    void aChargeOutsideTheFolioIsRefusedAndTakesNothing() {
        BuddyAllocator a = allocator(PAGES, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> a.allocate(1, 8193));
        assertTrue(e.getMessage().contains("8193"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.tryAllocate(0, -1));
        assertEquals(0, a.stats().allocatedPages());
    }

    @Test
    void largeFolioBudgetHoldsWhileStripesKeepAllowancesAcrossOrders() {
        Region region = Region.anonymous(PAGES * 4096L);
        toClose.add(region);
        // room for one order-5 folio: an allowance kept by one stripe must never let the caches pass it
        BuddyAllocator a = BuddyAllocator.builder(region).cacheStripes(2).largeFolioCacheBytes(32 * 4096L).build();
        toClose.add(a);
        PageMap map = a.pageMap();
        Random random = new Random(7);
        List<Long> live = new ArrayList<>();
        for (int step = 0; step < 400; step++) {
            if (live.isEmpty() || live.size() < 4 && random.nextBoolean()) {
                live.add(a.allocate(4 + random.nextInt(3)));
            } else {
                assertTrue(map.put(live.remove(random.nextInt(live.size()))));
            }
            AllocatorStats s = a.verify(); // the budget counts cached pages plus allowances, within its limit
            assertTrue(s.cachedPages() <= 32, "step " + step + ": " + s.cachedPages() + " pages cached");
        }
        for (long pfn : live) {
            assertTrue(map.put(pfn));
        }
        a.drainCaches();
        AllocatorStats s = a.verify();
        assertEquals(0, s.cachedPages());
        assertEquals(PAGES, s.freePages());
    }
}
