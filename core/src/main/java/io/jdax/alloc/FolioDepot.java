package io.jdax.alloc;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Cached folios of one order shared by all stripes (what tcmalloc calls a central free list): a stripe whose
 * stack overflows moves half of it here, and a stripe whose stack runs dry refills from here before it goes
 * to the zone. Folios keep their compound layout at refcount 0, so a batch moves by array copy, with no
 * split, merge or prep: when one thread allocates and another frees, their stripes trade batches here
 * instead of through the zone's free lists. Bounded; what does not fit goes to the zone.
 */
final class FolioDepot {

    private final ReentrantLock lock = new ReentrantLock();
    private final long[] folios; // guarded by lock
    private int size;            // guarded by lock

    FolioDepot(int capacity) {
        folios = new long[capacity];
    }

    /** Takes up to {@code n} folios from {@code from[0..n)}; returns how many it took (from the front). */
    int put(long[] from, int n) {
        lock.lock();
        try {
            int k = Math.min(n, folios.length - size);
            System.arraycopy(from, 0, folios, size, k);
            size += k;
            return k;
        } finally {
            lock.unlock();
        }
    }

    /** Moves up to {@code max} folios into {@code into}; returns how many. */
    int take(long[] into, int max) {
        lock.lock();
        try {
            int k = Math.min(max, size);
            size -= k;
            System.arraycopy(folios, size, into, 0, k);
            return k;
        } finally {
            lock.unlock();
        }
    }

    /** With {@link #lock()} held: folios held now. */
    int size() {
        assert lock.isHeldByCurrentThread();
        return size;
    }

    /** With {@link #lock()} held: the {@code i}-th folio. */
    long get(int i) {
        assert lock.isHeldByCurrentThread();
        return folios[i];
    }

    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }
}
