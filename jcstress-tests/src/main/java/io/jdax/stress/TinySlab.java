package io.jdax.stress;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;
import io.jdax.slab.SlabAllocator;
import io.jdax.slab.SlabStats;

/**
 * A slab allocator over four pages with no buddy caches, for one jcstress state: 2048-byte objects, two per
 * page, so every object's and every slab's fate is an outcome. No empty slab is kept, so a slab whose last
 * object is freed goes straight back to the buddy allocator. Closed by the state's arbiter.
 */
final class TinySlab {

    static final int SIZE = 2048;

    final Region region = Region.anonymous(4 * PageMap.DEFAULT_PAGE_SIZE);
    final BuddyAllocator buddy = BuddyAllocator.builder(region).cacheStripes(0).build();
    final SlabAllocator slab;

    TinySlab(int stripes) {
        slab = SlabAllocator.builder(buddy).stripes(stripes).emptySlabsKept(0).build();
    }

    long allocate() {
        return slab.allocate(SIZE);
    }

    /** The page of an object. */
    static long page(long offset) {
        return offset / PageMap.DEFAULT_PAGE_SIZE;
    }

    /** Pages the buddy allocator has handed out (to slabs: nothing else allocates here). */
    long allocatedPages() {
        return buddy.verify().allocatedPages();
    }

    /**
     * Frees {@code live} (which the caller believes live), verifies every slab and buddy invariant, closes,
     * and returns the verified statistics from before the frees; null if a free failed or an invariant broke.
     */
    SlabStats verifyFreeAndClose(long... live) {
        try {
            SlabStats s = slab.verify();
            for (long offset : live) {
                slab.free(offset);
            }
            slab.verify();
            return s;
        } catch (IllegalStateException | IllegalArgumentException broken) {
            return null;
        } finally {
            region.close();
        }
    }
}
