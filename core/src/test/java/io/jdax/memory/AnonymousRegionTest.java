package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class AnonymousRegionTest extends RegionContract {

    @Override
    Region create(long byteSize) {
        return Region.anonymous(byteSize);
    }

    @Test
    void isAlignedToThePmdSizeAndPersistsNothing() {
        Region r = Region.anonymous(3 * 4096 + 5);
        try {
            assertEquals(0, r.segment().address() % Region.ANONYMOUS_ALIGNMENT);
            assertEquals(Persistence.NONE, r.persistence());
            assertEquals(java.util.Optional.empty(), r.file());
        } finally {
            r.close();
        }
    }

    @Test
    void threadsCreatingRegionsAtOnceNeverCollide() throws Exception {
        // guards the fix for backing files named by pid and nanoTime, which two threads could share; that
        // collision was rare (jcstress's quick mode hit it once in 15 minutes), so this cannot force it, but
        // it does check that concurrent creation works and leaves no file behind
        int threads = 4;
        int each = 200;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            java.util.List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        Region.anonymous(4096).close();
                    }
                    return each;
                }));
            }
            int made = 0;
            for (var f : done) {
                made += f.get();
            }
            assertEquals(threads * each, made);
        }
        try (var leftovers = java.nio.file.Files.list(java.nio.file.Path.of("/dev/shm"))) {
            assertEquals(0, leftovers.filter(p -> p.getFileName().toString().startsWith("jdax-anon-")).count(),
                    "backing files are unlinked at once");
        }
    }

    @Test
    void regionsLargerThan2GiBWork() {
        long size = 3L << 30;
        Region r = Region.anonymous(size);
        try {
            r.segment().set(ValueLayout.JAVA_LONG, size - 8, -1L);
            r.segment().set(ValueLayout.JAVA_LONG, (2L << 30) + 8, 99L);
            assertEquals(-1L, r.segment().get(ValueLayout.JAVA_LONG, size - 8));
            assertEquals(99L, r.slice((2L << 30) + 8, 8).get(ValueLayout.JAVA_LONG, 0));
        } finally {
            r.close();
        }
    }
}
