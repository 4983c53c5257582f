package io.jdax.alloc;

import static io.jdax.internal.PageDescriptor.NIL;
import static io.jdax.internal.PageDescriptor.buddyOrderBits;
import static io.jdax.internal.PageDescriptor.info;
import static io.jdax.internal.PageDescriptor.isBuddy;
import static io.jdax.internal.PageDescriptor.isSlab;
import static io.jdax.internal.PageDescriptor.isTail;
import static io.jdax.internal.PageDescriptor.refcount;

import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;

/**
 * One full check of an allocator's invariants against its descriptors (kernel-semantics section 6, items 5
 * and the pcp accounting): every page is accounted for exactly once. Runs with every stripe and the zone
 * locked by the caller.
 */
final class AllocatorVerifier {

    private final PageMap map;
    private final MemorySegment memmap;
    private final FreeArea free;
    private final FolioCache cache;
    private final FolioDepot[] depots;
    private final int[] slotOrder;
    private final long[] seen; // one bit per page

    AllocatorVerifier(PageMap map, MemorySegment memmap, FreeArea free, FolioCache cache, FolioDepot[] depots,
                      int[] slotOrder) {
        this.map = map;
        this.memmap = memmap;
        this.free = free;
        this.cache = cache;
        this.depots = depots;
        this.slotOrder = slotOrder;
        this.seen = new long[(int) ((map.nrPages() + 63) >>> 6)];
    }

    void check(long freePages, long cachedPages, long allocatedPages) {
        long free = checkFreeLists();
        long cached = checkCaches();
        long allocated = checkAllocated();
        require(free == freePages, "free lists hold " + free + " pages but their counts say " + freePages);
        require(cached == cachedPages, "caches hold " + cached + " pages but their sizes say " + cachedPages);
        require(allocated == allocatedPages, allocated + " pages are in referenced folios but the zone counts "
                + allocatedPages + " allocated (pages out of its lists minus cached)");
        require(free + cached + allocated == map.nrPages(), "free " + free + " + cached " + cached + " + allocated "
                + allocated + " != total " + map.nrPages());
    }

    private long checkFreeLists() {
        long pages = 0;
        for (int order = 0; order <= free.maxOrder(); order++) {
            long n = 0;
            for (long pfn = free.first(order); pfn != NIL; pfn = free.next(pfn)) {
                long info = info(memmap, pfn);
                require(isBuddy(info) && buddyOrderBits(info) == order, "block " + pfn + " on the order-" + order
                        + " free list is not marked free at that order");
                require((pfn & ((1L << order) - 1)) == 0, "free block " + pfn + " is not aligned to its order " + order);
                require(pfn + (1L << order) <= map.nrPages(), "free block " + pfn + " of order " + order + " passes the end");
                for (long p = pfn; p < pfn + (1L << order); p++) {
                    require(refcount(memmap, p) == 0, "page " + p + " of free block " + pfn + " has a reference");
                    require(!isSlab(info(memmap, p)), "page " + p + " of free block " + pfn + " is marked as a slab");
                    claim(p, "free block " + pfn);
                }
                if (order < free.maxOrder()) {
                    long buddy = pfn ^ (1L << order);
                    if (buddy < map.nrPages()) {
                        long b = info(memmap, buddy);
                        require(!(isBuddy(b) && buddyOrderBits(b) == order), "free buddies " + Math.min(pfn, buddy)
                                + " and " + Math.max(pfn, buddy) + " of order " + order + " were not merged");
                    }
                }
                n++;
                pages += 1L << order;
            }
            require(n == free.count(order), "order-" + order + " free list has " + n + " blocks, count says "
                    + free.count(order));
        }
        return pages;
    }

    private long checkCaches() {
        long pages = 0;
        if (cache == null) {
            return 0;
        }
        for (int i = 0; i < cache.stripeCount(); i++) {
            FolioCache.Stripe s = cache.stripe(i);
            for (int slot = 0; slot < slotOrder.length; slot++) {
                for (int k = 0; k < s.size(slot); k++) {
                    pages += checkCached(s.get(slot, k), slotOrder[slot], "stripe " + i);
                }
            }
        }
        for (int slot = 0; slot < depots.length; slot++) {
            for (int k = 0; k < depots[slot].size(); k++) {
                pages += checkCached(depots[slot].get(k), slotOrder[slot], "depot");
            }
        }
        return pages;
    }

    private long checkCached(long head, int order, String where) {
        require(map.order(head) == order, "folio " + head + " cached in the order-" + order + " " + where
                + " has order " + map.order(head));
        require(map.refCount(head) == 0, "folio " + head + " cached in " + where + " has refcount "
                + map.refCount(head));
        for (long p = head; p < head + (1L << order); p++) {
            require(!isSlab(info(memmap, p)), "page " + p + " of folio " + head + " cached in " + where
                    + " is marked as a slab");
            claim(p, "cached folio " + head + " (" + where + ")");
        }
        return 1L << order;
    }

    private long checkAllocated() {
        long pages = 0;
        for (long pfn = 0; pfn < map.nrPages(); ) {
            if (isSeen(pfn)) {
                pfn++;
                continue;
            }
            long info = info(memmap, pfn);
            require(!isTail(info) && !isBuddy(info), "page " + pfn + " is in no free block, cache or allocated folio");
            require(map.refCount(pfn) > 0, "page " + pfn + " is neither free nor cached but has refcount 0 (lost)");
            long n = map.nrPages(pfn);
            for (long p = pfn; p < pfn + n; p++) {
                claim(p, "allocated folio " + pfn);
            }
            pages += n;
            pfn += n;
        }
        return pages;
    }

    private void claim(long pfn, String owner) {
        require(!isSeen(pfn), "page " + pfn + " is in two places; the second is " + owner);
        seen[(int) (pfn >>> 6)] |= 1L << pfn;
    }

    private boolean isSeen(long pfn) {
        return (seen[(int) (pfn >>> 6)] & 1L << pfn) != 0;
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalStateException("allocator invariant broken: " + problem);
        }
    }
}
