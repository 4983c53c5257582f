package io.jdax.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jdax.alloc.AllocatorStats;
import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;
import io.jdax.pool.PoolStats;
import io.jdax.store.DaxStore;
import io.jdax.store.StoreAccess;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * A mixed multi-threaded workload for a given time ({@code -Djdax.soak.seconds}, 60 by default): pool workers
 * allocate buffers of every size class (slab objects from 1 byte, folios up to 1 MiB), tag them, retain and hand
 * them to other workers, slice and release them; store workers write, read, map, truncate, punch holes, move
 * ranges by reflink, fsync their own files, sync the store and read the others' files. Half the workers are platform
 * threads, half virtual. After they stop: no page lost (free + allocated == total), every refcount 0, every
 * file's checksum equal to its model's. The seed is printed; {@code -Djdax.seed=...} replays the choices of
 * each worker (not their interleaving).
 */
class SoakTest {

    static final long SECONDS = Long.getLong("jdax.soak.seconds", 60);
    static final int POOL_WORKERS = 4;
    static final int STORE_WORKERS = 4;

    @Test
    void mixedWorkloadKeepsEveryPageAndByte() throws Exception {
        long seed = Long.getLong("jdax.seed", System.nanoTime());
        System.out.println("soak: seed " + seed + " (replay with -Djdax.seed=" + seed + "), " + SECONDS + " s, "
                + POOL_WORKERS + " pool and " + STORE_WORKERS + " store workers, half of each on virtual threads");
        long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
        AtomicLong poolOps = new AtomicLong();
        AtomicLong storeOps = new AtomicLong();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (BufferPool pool = BufferPool.builder().capacity(32L << 20).mode(PoolMode.FAST).build();
             DaxStore store = DaxStore.anonymous(32L << 20)) {
            Queue<PoolWorker.Held> handoff = new ConcurrentLinkedQueue<>();
            List<StoreWorker> storeWorkers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < POOL_WORKERS; i++) {
                PoolWorker w = new PoolWorker(pool, handoff, new SplittableRandom(seed + i), deadline, poolOps);
                threads.add(start(i % 2 == 0, "pool-" + i, w, failures));
            }
            for (int i = 0; i < STORE_WORKERS; i++) {
                storeWorkers.add(new StoreWorker(store, i, new SplittableRandom(seed + 100 + i), deadline, storeOps));
            }
            for (StoreWorker w : storeWorkers) {
                w.others = storeWorkers;
                threads.add(start(w.id % 2 == 0, "store-" + w.id, w, failures));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError("soak seed " + seed + ": " + failures.size()
                        + " worker(s) failed; first: " + failures.getFirst(), failures.getFirst());
                failures.stream().skip(1).forEach(e::addSuppressed);
                throw e;
            }
            for (PoolWorker.Held h; (h = handoff.poll()) != null;) {
                h.checkAndRelease();
            }
            checkPool(pool, seed);
            checkStore(store, storeWorkers, seed);
        }
        System.out.printf("soak: %d s, %,d pool operations, %,d store operations, seed %d: passed%n", SECONDS,
                poolOps.get(), storeOps.get(), seed);
    }

    private static Thread start(boolean virtual, String name, Runnable work, List<Throwable> failures) {
        Runnable guarded = () -> {
            try {
                work.run();
            } catch (Throwable t) {
                failures.add(new AssertionError(name + ": " + t, t));
            }
        };
        return virtual ? Thread.ofVirtual().name(name).start(guarded) : Thread.ofPlatform().name(name).start(guarded);
    }

    /**
     * After every buffer went back: no page lost, nothing held but the slabs the slab layer keeps as current
     * (empty, one reference each), every other refcount 0.
     */
    private static void checkPool(BufferPool pool, long seed) {
        String where = "pool after the soak (seed " + seed + "): ";
        pool.slab().shrink();
        pool.allocator().drainCaches();
        PoolStats stats = pool.verify();
        AllocatorStats pages = pool.allocator().verify();
        assertEquals(0, stats.slab().objectsInUse(), where + "slab objects still in use");
        assertEquals(pages.totalPages(), pages.freePages() + pages.cachedPages() + pages.allocatedPages(),
                where + "free + cached + allocated != total: pages lost");
        assertEquals(stats.slab().bytesHeld() / stats.pageSize(), pages.allocatedPages(),
                where + "pages allocated beyond the slabs kept, with every buffer released");
        assertEquals(0, stats.leaks(), where + "leaks reported");
        PageMap map = pool.allocator().pageMap();
        long referenced = 0;
        for (long pfn = 0; pfn < map.nrPages(); pfn++) {
            int c = map.refCount(pfn);
            if (c != 0 && c != 1) {
                fail(where + "page " + pfn + " has refcount " + c + " after quiesce");
            }
            referenced += c;
        }
        assertEquals(stats.slab().slabs(), referenced,
                where + "pages with a reference after quiesce, against the slabs kept (one each)");
    }

    /** After every view closed: blocks accounted for, every refcount 0, every file equal to its model. */
    private static void checkStore(DaxStore store, List<StoreWorker> workers, long seed) {
        String where = "store after the soak (seed " + seed + "): ";
        long allocated = 0;
        for (var b : StoreAccess.blocks(store)) {
            allocated += 1L << b.order();
        }
        var stats = store.stats();
        assertEquals(stats.dataPages(), stats.freePages() + allocated + StoreAccess.quarantinedPages(store),
                where + "free + allocated + quarantined != data pages: pages lost");
        PageMap map = StoreAccess.pageMap(store);
        for (long pfn = 0; pfn < map.nrPages(); pfn++) {
            if (map.refCount(pfn) != 0) {
                fail(where + "page " + pfn + " has refcount " + map.refCount(pfn) + " after quiesce");
            }
        }
        for (StoreWorker w : workers) {
            w.checkFiles(where);
        }
        assertTrue(store.stats().files() == 2 * workers.size(), where + "files: " + store.names());
    }
}
