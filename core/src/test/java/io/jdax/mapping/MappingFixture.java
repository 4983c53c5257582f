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

    /** Polls (without asserting anything about time) until the condition holds. */
    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(1);
        }
    }
}
