package io.jdax.stress;

import io.jdax.alloc.AllocatorStats;
import io.jdax.alloc.BuddyAllocator;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

/**
 * A four-page allocator for one jcstress state: small enough that every page's fate is an outcome, closed
 * by the state's arbiter so that states do not pile up mappings.
 */
final class TinyAllocator {

    final Region region = Region.anonymous(4 * PageMap.DEFAULT_PAGE_SIZE);
    final BuddyAllocator allocator;
    final PageMap map;

    TinyAllocator(int cacheStripes) {
        allocator = BuddyAllocator.builder(region).cacheStripes(cacheStripes).build();
        map = allocator.pageMap();
    }

    /** Verifies every invariant, closes, and returns the verified snapshot; null if an invariant broke. */
    AllocatorStats verifyAndClose() {
        try {
            return allocator.verify();
        } catch (IllegalStateException broken) {
            return null;
        } finally {
            region.close();
        }
    }
}
