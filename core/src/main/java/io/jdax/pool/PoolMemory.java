package io.jdax.pool;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.page.PageMap;
import io.jdax.slab.SlabAllocator;
import io.jdax.slab.SlabStats;

import java.util.List;

/**
 * The two allocators under a {@link BufferPool}: slab objects for buffers up to half a page, folios above,
 * with the JFR events of a failure and the requested-bytes accounting of the folio buffers. Under pressure a
 * folio allocation makes the slab layer give back its kept empty slabs (kernel: {@code kmem_cache_shrink} on
 * the reclaim path) and tries once more. An {@link IllegalStateException} from below goes to the caller as
 * is: the pool knows what was closed.
 */
final class PoolMemory {

    final BuddyAllocator allocator;
    final SlabAllocator slab;
    final int maxSmall;
    private final PageMap map;
    private final int pageShift;

    PoolMemory(BuddyAllocator allocator) {
        this.allocator = allocator;
        this.map = allocator.pageMap();
        this.pageShift = map.pageShift();
        this.slab = SlabAllocator.create(allocator); // allocates nothing until the first small buffer
        this.maxSmall = slab.maxObjectSize();
    }

    /** A slab object of at least {@code bytes}, or {@link SlabAllocator#NO_OBJECT} if {@code !orThrow}. */
    long slabObject(int bytes, boolean orThrow) {
        try {
            long off = orThrow ? slab.allocate(bytes) : slab.tryAllocate(bytes);
            if (off == SlabAllocator.NO_OBJECT) {
                PoolEvents.allocationFailed(allocator, bytes, 0, null);
            }
            return off;
        } catch (OutOfPagesException e) {
            PoolEvents.allocationFailed(allocator, bytes, 0, e);
            throw e;
        }
    }

    /** A folio of {@code order} with one reference, or {@link PageMap#NO_FOLIO} if {@code !orThrow}. */
    long folio(long bytes, int order, boolean orThrow) {
        long pfn;
        try {
            if (orThrow) {
                try {
                    pfn = allocator.allocate(order, bytes);
                } catch (OutOfPagesException e) {
                    if (slab.shrink() == 0) {
                        throw e;
                    }
                    pfn = allocator.allocate(order, bytes);
                }
            } else {
                pfn = allocator.tryAllocate(order, bytes);
                if (pfn == PageMap.NO_FOLIO && slab.shrink() > 0) {
                    pfn = allocator.tryAllocate(order, bytes);
                }
            }
        } catch (OutOfPagesException e) {
            PoolEvents.allocationFailed(allocator, bytes, order, e);
            throw e;
        }
        if (pfn == PageMap.NO_FOLIO) {
            PoolEvents.allocationFailed(allocator, bytes, order, null);
        }
        return pfn;
    }

    /**
     * Drops a hold on a slab object ({@code share} non-null, or a FAST buffer never sliced: {@code head} is then
     * the object's offset and it is freed) or a reference on folio {@code head}; whoever drops the last gives
     * the memory back. {@code requested} tells which: the bytes the buffer was allocated with.
     */
    void put(long head, SlabShare share, long requested) {
        if (requested <= maxSmall) {
            if (share == null || share.put()) {
                slab.free(head);
            }
        } else {
            map.put(head); // the last put returns the folio and its charge to the allocator
        }
    }

    int orderOf(long bytes) {
        long pages = (bytes + map.pageSize() - 1) >>> pageShift;
        return pages == 1 ? 0 : Long.SIZE - Long.numberOfLeadingZeros(pages - 1);
    }

    List<PoolSizeClass> sizeClasses(SlabStats small) {
        return FolioUsage.snapshot(map.pageSize(), small, allocator.charges());
    }
}
