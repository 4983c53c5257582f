package io.jdax.slab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.memory.Region;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Seeded random runs over mixed sizes. Each run takes a fresh seed and prints it; {@code -Djdax.seed=N}
 * replays one. Every live object carries a stamp (its serial number at both ends of its object), checked
 * before it is freed: an object handed out twice, or overlapping another, shows as a broken stamp.
 */
class SlabRandomizedTest {

    private static long seed(String test) {
        long seed = Long.getLong("jdax.seed", System.nanoTime());
        System.out.println(test + ": seed " + seed + " (replay with -Djdax.seed=" + seed + ")");
        return seed;
    }

    /** A live object: its offset, requested size, stamp, and its class's size (at least 16: room for two stamps). */
    private record Live(long offset, int size, long serial, int objectSize) {
    }

    private static void stamp(MemorySegment bytes, Live o) {
        bytes.set(ValueLayout.JAVA_LONG_UNALIGNED, o.offset, o.serial);
        bytes.set(ValueLayout.JAVA_LONG_UNALIGNED, o.offset + o.objectSize - 8, o.serial);
    }

    private static void checkStamp(MemorySegment bytes, Live o, long seed) {
        assertEquals(o.serial, bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, o.offset), "seed " + seed + ": " + o);
        assertEquals(o.serial, bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, o.offset + o.objectSize - 8),
                "seed " + seed + ": " + o);
    }

    @Test
    void mixedSizesKeepEverySlabAndAllocatorInvariantAfterEveryStep() {
        long seed = seed("mixedSizes");
        Random rnd = new Random(seed);
        int pages = 96;
        try (Region region = Region.anonymous(pages * 4096L);
             BuddyAllocator buddy = BuddyAllocator.builder(region).cacheStripes(rnd.nextBoolean() ? 0 : 2).build();
             SlabAllocator s = SlabAllocator.builder(buddy).stripes(1 << rnd.nextInt(3))
                     .emptySlabsKept(rnd.nextInt(3)).build()) {
            MemorySegment bytes = region.segment();
            List<Live> live = new ArrayList<>();
            long requested = 0;
            for (int step = 0; step < 3000; step++) {
                int choice = rnd.nextInt(100);
                if (choice < 55 || live.isEmpty()) {
                    int size = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2048) : 1 + rnd.nextInt(1 << (4 + rnd.nextInt(7)));
                    long off;
                    try {
                        off = s.allocate(Math.min(size, 2048));
                    } catch (OutOfPagesException full) {
                        continue;
                    }
                    Live o = new Live(off, Math.min(size, 2048), step, s.objectSize(Math.min(size, 2048)));
                    stamp(bytes, o);
                    live.add(o);
                    requested += o.size;
                } else if (choice < 95) {
                    Live o = live.remove(rnd.nextInt(live.size()));
                    checkStamp(bytes, o, seed);
                    s.free(o.offset);
                    requested -= o.size;
                } else {
                    Live o = live.get(rnd.nextInt(live.size()));
                    s.free(o.offset);
                    live.remove(o);
                    requested -= o.size;
                    long again = o.offset;
                    assertThrows(IllegalArgumentException.class, () -> s.free(again), "seed " + seed + ": double free");
                }
                SlabStats st = s.verify();
                assertEquals(live.size(), st.objectsInUse(), "seed " + seed + " step " + step);
                assertEquals(requested, st.bytesRequested(), "seed " + seed + " step " + step);
            }
            for (Live o : live) {
                checkStamp(bytes, o, seed);
                s.free(o.offset);
            }
            SlabStats end = s.verify();
            assertEquals(0, end.objectsInUse());
            s.shrink();
            SlabStats shrunk = s.verify();
            long currentPages = 0;
            for (SlabClassStats c : shrunk.classes()) {
                assertEquals(0, c.emptySlabs() + c.partialSlabs() + c.fullSlabs(), "seed " + seed + ": " + c);
                currentPages += c.currentSlabs() << c.slabOrder();
            }
            assertEquals(currentPages, buddy.verify().allocatedPages(), "seed " + seed + ": only current slabs hold pages");
        }
    }

    @Test
    void threadsAllocatingAndFreeingAcrossStripesLoseAndDuplicateNothing() throws Exception {
        long seed = seed("threads");
        try (Region region = Region.anonymous(1024 * 4096L);
             BuddyAllocator buddy = BuddyAllocator.create(region);
             SlabAllocator s = SlabAllocator.builder(buddy).stripes(2).emptySlabsKept(1).build();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            MemorySegment bytes = region.segment();
            List<Long> handoff = new ArrayList<>(); // objects freed by a thread that did not allocate them
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                long taskSeed = seed + t;
                tasks.add(pool.submit(() -> {
                    Random rnd = new Random(taskSeed);
                    List<Live> mine = new ArrayList<>();
                    for (int op = 0; op < 20_000; op++) {
                        if (rnd.nextBoolean() || mine.isEmpty()) {
                            int size = 1 + rnd.nextInt(1 << (4 + rnd.nextInt(7)));
                            Live o = new Live(s.allocate(size), size, taskSeed << 32 | op, s.objectSize(size));
                            stamp(bytes, o);
                            mine.add(o);
                        } else {
                            Live o = mine.remove(rnd.nextInt(mine.size()));
                            checkStamp(bytes, o, seed);
                            if (rnd.nextInt(8) == 0) {
                                synchronized (handoff) {
                                    handoff.add(o.offset);
                                }
                            } else {
                                s.free(o.offset);
                            }
                        }
                        if (op % 64 == 0) {
                            Long other = null;
                            synchronized (handoff) {
                                if (!handoff.isEmpty()) {
                                    other = handoff.remove(handoff.size() - 1);
                                }
                            }
                            if (other != null) {
                                s.free(other);
                            }
                        }
                    }
                    for (Live o : mine) {
                        checkStamp(bytes, o, seed);
                        s.free(o.offset);
                    }
                    return null;
                }));
            }
            for (Future<?> f : tasks) {
                f.get();
            }
            for (long off : handoff) {
                s.free(off);
            }
            SlabStats end = s.verify();
            assertEquals(0, end.objectsInUse(), "seed " + seed);
            assertTrue(end.slabs() <= end.classes().size() * (2 + 1), "at most the current and kept slabs remain: "
                    + end);
        }
    }
}
