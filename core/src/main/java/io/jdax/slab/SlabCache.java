package io.jdax.slab;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One size class (kernel: {@code struct kmem_cache} with its {@code kmem_cache_node} lists): the geometry of
 * its slabs and, under one lock, the lists of slabs no stripe owns. The lock is off the allocation fast
 * path: a stripe takes it only when its current slab runs dry, and a free only when its slab must change
 * lists (full to partial, partial to empty).
 *
 * <p>The lists are doubly linked through the slabs. Full slabs are on no list (as in the kernel without
 * debugging); the allocator's slab table still finds them for statistics and verification.
 */
final class SlabCache {

    final int index;        // position in the allocator's class table, kept in slab descriptors
    final int objectSize;
    final int order;        // folio order of a slab
    final int capacity;     // objects per slab
    final long slabBytes;
    /** Object size = {@code 2^sizeShift} or {@code 3 * 2^sizeShift}: an index is a shift and maybe a /3. */
    final int sizeShift;
    final boolean threeTimes;

    final ReentrantLock lock = new ReentrantLock();
    private Slab partial;   // guarded by lock
    private int partialCount;
    private Slab empty;     // guarded by lock
    private int emptyCount;

    SlabCache(int index, int objectSize, int order, long pageSize) {
        this.index = index;
        this.objectSize = objectSize;
        this.order = order;
        this.slabBytes = pageSize << order;
        this.capacity = (int) (slabBytes / objectSize);
        this.threeTimes = Integer.bitCount(objectSize) != 1;
        this.sizeShift = Integer.numberOfTrailingZeros(threeTimes ? objectSize / 3 : objectSize);
        assert (threeTimes ? 3 : 1) << sizeShift == objectSize : "size class " + objectSize;
    }

    /**
     * The object index of byte {@code rel} of a slab, rounded down: a shift, and a division by the constant 3
     * (which the JIT turns into a multiplication) for the half-way classes, instead of a 64-bit division.
     */
    long indexOf(long rel) {
        long q = rel >>> sizeShift;
        return threeTimes ? q / 3 : q;
    }

    /** Bytes at the end of each slab that no object uses. */
    long leftover() {
        return slabBytes - (long) capacity * objectSize;
    }

    // ------------------------------------------------------------------ with lock held

    void addPartial(Slab s) {
        partial = push(partial, s);
        partialCount++;
    }

    void removePartial(Slab s) {
        partial = unlink(partial, s);
        partialCount--;
    }

    void addEmpty(Slab s) {
        empty = push(empty, s);
        emptyCount++;
    }

    /** A partial slab if there is one (kernel: {@code get_partial}), else a kept empty one, else null. */
    Slab pollPartialOrEmpty() {
        Slab s = partial;
        if (s != null) {
            removePartial(s);
            return s;
        }
        return pollEmpty();
    }

    Slab pollEmpty() {
        Slab s = empty;
        if (s != null) {
            empty = unlink(empty, s);
            emptyCount--;
        }
        return s;
    }

    Slab firstPartial() {
        return partial;
    }

    Slab firstEmpty() {
        return empty;
    }

    int partialCount() {
        return partialCount;
    }

    int emptyCount() {
        return emptyCount;
    }

    private static Slab push(Slab first, Slab s) {
        assert s.prev == null && s.next == null : s + " is already on a list";
        s.next = first;
        if (first != null) {
            first.prev = s;
        }
        return s;
    }

    private static Slab unlink(Slab first, Slab s) {
        if (s.prev != null) {
            s.prev.next = s.next;
        } else {
            assert first == s;
            first = s.next;
        }
        if (s.next != null) {
            s.next.prev = s.prev;
        }
        s.prev = null;
        s.next = null;
        return first;
    }

    @Override
    public String toString() {
        return "size class " + objectSize + " (order-" + order + " slabs of " + capacity + " objects)";
    }
}
