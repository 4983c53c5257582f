package io.jdax.catalogue;

import static io.jdax.catalogue.Env.MiB;
import static io.jdax.catalogue.Row.NOTHING;
import static io.jdax.catalogue.Row.of;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.memory.Region;
import io.jdax.page.RefcountException;
import io.jdax.pool.BufferPool;

import java.util.List;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Rows of docs/bad-input.md marked "open": misuses the API accepts today. Each test states the behaviour
 * the table asks for and fails until it is there; enable it with the fix.
 */
class OpenMisuseTest {

    /** The ids of the open rows, as in docs/bad-input.md. */
    static final List<String> IDS = List.of("alloc-limit-below-page", "put-below-mapcount",
            "put-refs-below-mapcount", "pool-stripes-negative");

    @Test
    @Disabled("open: BuddyAllocator.builder(r).limitBytes(100).build() makes an allocator whose limit is 0 pages")
    void anAllocatorLimitBelowOnePageIsRejected() throws Exception {
        BadInputCatalogueTest.check(of("alloc-limit-below-page", "BuddyAllocator.builder(r).limitBytes(100).build()",
                IllegalArgumentException.class, List.of(100), env -> env.extra.add(Region.anonymous(MiB)),
                env -> env.extra.add(BuddyAllocator.builder((Region) env.extra.getFirst()).limitBytes(100).build())));
    }

    @Test
    void aPutBelowTheMapcountIsRejected() throws Exception {
        BadInputCatalogueTest.check(of("put-below-mapcount", "map.put(5) of a folio mapped once with refcount 1",
                RefcountException.class, List.of(5, "mapcount"), env -> {
                    env.dax.incRef(5);
                    env.dax.incMapCount(5);
                }, env -> env.dax.put(5)));
    }

    @Test
    void putRefsBelowTheMapcountIsRejected() throws Exception {
        BadInputCatalogueTest.check(of("put-refs-below-mapcount", "map.putRefs(5, 2) of a folio mapped once with "
                + "refcount 2", RefcountException.class, List.of(5, "mapcount"), env -> {
                    env.dax.incRef(5);
                    env.dax.get(5);
                    env.dax.incMapCount(5);
                }, env -> env.dax.putRefs(5, 2)));
    }

    @Test
    @Disabled("open: BufferPool.builder().cacheStripes(-2) is accepted (build() treats any negative count as"
            + " \"unset\" and picks the default); BuddyAllocator.builder(r).cacheStripes(-2) is refused")
    void negativeCacheStripesAreRejected() throws Exception {
        BadInputCatalogueTest.check(of("pool-stripes-negative",
                "BufferPool.builder().capacity(1 MiB).cacheStripes(-2).build()", IllegalArgumentException.class,
                List.of(-2), NOTHING, env -> env.extra.add(BufferPool.builder().capacity(MiB).cacheStripes(-2)
                        .build())));
    }
}
