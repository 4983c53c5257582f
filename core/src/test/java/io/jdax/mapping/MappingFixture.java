package io.jdax.mapping;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A 64 MiB anonymous region, a dax map over it, a space and an in-memory extent source. */
abstract class MappingFixture {

    static final Duration LIMIT = Duration.ofSeconds(30);
    static final long PAGE = 4096;
    static final long PAGES = 16384;

    Region region;
    PageMap map;
    MappingSpace space;
    InMemoryExtentSource source;

    @BeforeEach
    void setUp() {
        region = Region.anonymous(PAGES * PAGE);
        map = PageMap.dax(region);
        space = new MappingSpace(map);
        source = new InMemoryExtentSource(map);
    }

    @AfterEach
    void tearDown() {
        region.close();
    }

    /** A file of {@code pages} pages that faults at the PMD order. */
    Mapping huge(long pages) {
        return space.open(source, pages * PAGE);
    }

    /** A file of {@code pages} pages that faults at order 0. */
    Mapping small(long pages) {
        return space.open(source, pages * PAGE, 0);
    }

    /**
     * Runs {@code task} on a thread of its own (the common pool has one thread on a 2-CPU machine, which would
     * run two waiters one after the other).
     */
    static <T> java.util.concurrent.CompletableFuture<T> async(java.util.concurrent.Callable<T> task) {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return f;
    }

    static java.util.concurrent.CompletableFuture<Void> run(Runnable task) {
        return async(() -> {
            task.run();
            return null;
        });
    }

    /** Polls (without asserting anything about time) until the condition holds. */
    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(1);
        }
    }
}
