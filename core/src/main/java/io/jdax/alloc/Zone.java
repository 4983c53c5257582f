package io.jdax.alloc;

import static io.jdax.internal.PageDescriptor.NIL;
import static io.jdax.internal.PageDescriptor.buddyOrderBits;
import static io.jdax.internal.PageDescriptor.info;
import static io.jdax.internal.PageDescriptor.isBuddy;
import static io.jdax.internal.PageDescriptor.refcount;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The buddy allocator proper (kernel: {@code struct zone} with {@code __rmqueue_smallest}, {@code expand} and
 * {@code __free_one_page}): free blocks by order under one lock, split on allocation, merged on free. It
 * deals in blocks of order-0 pages; compound prep and split are the caller's, outside the lock.
 *
 * <p>The optional limit caps the pages out of the free lists (allocated or sitting in a cache).
 */
final class Zone {

    private final ReentrantLock lock = new ReentrantLock();
    private final MemorySegment memmap;
    private final long nrPages;
    private final long limitPages;
    private final FreeArea free;   // guarded by lock
    private long takenPages;       // guarded by lock
    private long directAllocations; // guarded by lock: allocations that bypassed the caches

    Zone(MemorySegment memmap, long nrPages, int maxOrder, long limitPages) {
        this.memmap = memmap;
        this.nrPages = nrPages;
        this.limitPages = limitPages;
        this.free = new FreeArea(memmap, maxOrder);
        // carve the whole range into the largest aligned blocks that fit
        for (long pfn = 0; pfn < nrPages; ) {
            int order = Math.min(maxOrder, pfn == 0 ? Long.SIZE - 1 : Long.numberOfTrailingZeros(pfn));
            order = Math.min(order, 63 - Long.numberOfLeadingZeros(nrPages - pfn));
            free.add(pfn, order);
            pfn += 1L << order;
        }
    }

    /**
     * One block of {@code order} for an allocation that bypasses the caches, or {@code NIL} when no block is
     * free or the limit would be passed (the allocator's exception tells which, from a snapshot).
     */
    long take(int order) {
        lock.lock();
        try {
            long pfn = takeLocked(order);
            if (pfn != NIL) {
                directAllocations++;
            }
            return pfn;
        } finally {
            lock.unlock();
        }
    }

    /** Up to {@code max} blocks of {@code order} into {@code out}, under one lock hold; returns how many. */
    int takeBatch(int order, long[] out, int max) {
        lock.lock();
        try {
            int n = 0;
            while (n < max) {
                long pfn = takeLocked(order);
                if (pfn == NIL) {
                    break;
                }
                out[n++] = pfn;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    private long takeLocked(int order) {
        long size = 1L << order;
        for (int o = order; o <= free.maxOrder(); o++) {
            if (free.count(o) == 0) {
                continue;
            }
            if (takenPages > limitPages - size) {
                return NIL;
            }
            long pfn = free.poll(o);
            while (o > order) { // expand: hand the upper halves back down
                o--;
                free.add(pfn + (1L << o), o);
            }
            takenPages += size;
            return pfn;
        }
        return NIL;
    }

    /** Returns a block of order-0 pages to the free lists, merging it with its free buddies. */
    void give(long pfn, int order) {
        lock.lock();
        try {
            giveLocked(pfn, order);
        } finally {
            lock.unlock();
        }
    }

    void giveBatch(long[] pfns, int order, int n) {
        lock.lock();
        try {
            for (int i = 0; i < n; i++) {
                giveLocked(pfns[i], order);
            }
        } finally {
            lock.unlock();
        }
    }

    private void giveLocked(long pfn, int order) {
        takenPages -= 1L << order;
        while (order < free.maxOrder()) {
            long buddy = pfn ^ (1L << order);
            if (buddy >= nrPages) {
                break;
            }
            long info = info(memmap, buddy);
            if (!isBuddy(info) || buddyOrderBits(info) != order) {
                break;
            }
            assert refcount(memmap, buddy) == 0 : "free buddy " + buddy + " has a reference";
            free.remove(buddy, order);
            pfn &= buddy;
            order++;
        }
        free.add(pfn, order);
    }

    long limitPages() {
        return limitPages;
    }

    /** Takes the zone lock for a consistent snapshot; the caller must call {@link #unlock()}. */
    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** With the lock held: the free lists. */
    FreeArea freeArea() {
        assert lock.isHeldByCurrentThread();
        return free;
    }

    /** With the lock held: pages out of the free lists. */
    long takenPages() {
        assert lock.isHeldByCurrentThread();
        return takenPages;
    }

    /** With the lock held: allocations served straight from the zone. */
    long directAllocations() {
        assert lock.isHeldByCurrentThread();
        return directAllocations;
    }

    /** With the lock held: free pages per order. */
    long[] freeBlocks() {
        assert lock.isHeldByCurrentThread();
        long[] blocks = new long[free.maxOrder() + 1];
        for (int o = 0; o < blocks.length; o++) {
            blocks[o] = free.count(o);
        }
        return blocks;
    }
}
