package io.jdax.slab;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slab: a folio of the buddy allocator cut into {@code capacity} objects of one size class (kernel:
 * {@code struct slab}, which overlays the folio's {@code struct page}; here the descriptor keeps only the
 * mark, class and id, and the object state lives on the heap).
 *
 * <p>Everything a slab writes lives in one {@code long[]}, padded at both ends so that two stripes' current
 * slabs never share a cache line (DESIGN.md: hot fields in one padded array, not in padded classes):
 *
 * <pre>
 *  [PAD] lock | free count | state | requested bytes | hint | free bitmap (1 = free) ... | sizes ... [PAD]
 * </pre>
 * The free bitmap has one bit per object (kernel: the free list threaded through the objects; a bitmap
 * instead keeps user memory untouched on free and makes a double free an O(1) check). The sizes hold each
 * live object's requested size minus one, four 16-bit values per long: requested vs held is the slab's
 * internal fragmentation.
 *
 * <p>The lock is a try-lock word: the allocation fast path never waits for it (it tries another stripe's
 * slab), frees and the slow paths spin briefly, then yield. It guards every word of the array; the state
 * additionally changes only with the size class's lock held as well, so a holder of either lock sees a
 * stable state. Lock order: the size class, then a slab.
 */
final class Slab {

    /** Owned by a stripe; only its holders allocate from it (kernel: the per-CPU slab, "frozen"). */
    static final int CURRENT = 1;
    /** On its class's partial list: some objects free, some live. */
    static final int PARTIAL = 2;
    /** On no list: every object live (kernel: full slabs are not listed either). */
    static final int FULL = 3;
    /** On its class's empty list: every object free, folio kept for the next refill. */
    static final int EMPTY = 4;
    /** Returned to the buddy allocator; the object is garbage once every reader lets go of it. */
    static final int DEAD = 5;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD = 8;
    private static final int LOCK = PAD;
    private static final int FREE_COUNT = LOCK + 1;
    private static final int STATE = FREE_COUNT + 1;
    private static final int REQUESTED = STATE + 1;
    private static final int HINT = REQUESTED + 1;
    private static final int BITMAP = HINT + 1;
    /** 16-bit sizes per long. */
    private static final int SIZES_PER_LONG = 4;

    final SlabCache cache;
    final long head;       // head pfn of the folio
    final long base;       // region byte offset of object 0
    final int id;          // index in the allocator's slab table, kept in the head's descriptor
    final int capacity;
    private final int bitmapWords;
    private final int sizesBase;
    private final long[] w;

    /** Links of the class's partial or empty list; guarded by the class lock. */
    Slab prev;
    Slab next;

    Slab(SlabCache cache, long head, long base, int id) {
        this.cache = cache;
        this.head = head;
        this.base = base;
        this.id = id;
        this.capacity = cache.capacity;
        this.bitmapWords = (capacity + 63) >>> 6;
        this.sizesBase = BITMAP + bitmapWords;
        this.w = new long[sizesBase + (capacity + SIZES_PER_LONG - 1) / SIZES_PER_LONG + PAD];
        for (int i = 0; i < bitmapWords; i++) {
            int bits = Math.min(64, capacity - (i << 6));
            w[BITMAP + i] = bits == 64 ? -1L : (1L << bits) - 1;
        }
        w[FREE_COUNT] = capacity;
        w[STATE] = EMPTY; // not yet on any list: the creator places it, under the class lock
    }

    // ------------------------------------------------------------------ lock

    boolean tryLock() {
        return w[LOCK] == 0 && LONGS.compareAndSet(w, LOCK, 0L, 1L);
    }

    /** Spins, then yields, until the slab is ours: frees and slow paths, never the allocation fast path. */
    void lock() {
        for (int spins = 0; !tryLock(); spins++) {
            if (spins < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    void unlock() {
        LONGS.setRelease(w, LOCK, 0L);
    }

    // ------------------------------------------------------------------ with the lock held

    int state() {
        return (int) w[STATE];
    }

    /** Needs the class lock as well. */
    void setState(int state) {
        w[STATE] = state;
    }

    /**
     * Marks the slab DEAD if no object of it is in use (a dead slab hands out nothing: allocations take
     * objects only from a CURRENT slab they hold locked); returns whether it did.
     */
    boolean retireIfUnused() {
        lock();
        try {
            boolean unused = freeCount() == capacity;
            if (unused) {
                setState(DEAD);
            }
            return unused;
        } finally {
            unlock();
        }
    }

    /** Marks the slab DEAD, under its lock; returns whether it was alive before (not DEAD already). */
    boolean retire() {
        lock();
        try {
            boolean alive = state() != DEAD;
            setState(DEAD);
            return alive;
        } finally {
            unlock();
        }
    }

    int freeCount() {
        return (int) w[FREE_COUNT];
    }

    long requestedBytes() {
        return w[REQUESTED];
    }

    /** Takes a free object (the caller checked {@code freeCount() > 0}) for a request of {@code bytes}. */
    int take(int bytes) {
        int start = (int) w[HINT];
        for (int k = 0; k < bitmapWords; k++) {
            int word = start + k < bitmapWords ? start + k : start + k - bitmapWords;
            long bits = w[BITMAP + word];
            if (bits != 0) {
                int bit = Long.numberOfTrailingZeros(bits);
                w[BITMAP + word] = bits & (bits - 1);
                w[HINT] = word;
                int index = word << 6 | bit;
                w[FREE_COUNT]--;
                w[REQUESTED] += bytes;
                setSize(index, bytes);
                return index;
            }
        }
        throw new AssertionError("slab " + head + " has free count " + w[FREE_COUNT] + " but no free bit");
    }

    /** The object index at region offset {@code offset}, or -1 if no object of this slab starts there. */
    int indexOf(long offset) {
        long rel = offset - base;
        if (rel < 0) {
            return -1;
        }
        long index = cache.indexOf(rel);
        return index < capacity && index * cache.objectSize == rel ? (int) index : -1;
    }

    boolean isLive(int index) {
        return (w[BITMAP + (index >>> 6)] & 1L << index) == 0;
    }

    /** Frees a live object. */
    void free(int index) {
        assert isLive(index);
        w[BITMAP + (index >>> 6)] |= 1L << index;
        w[FREE_COUNT]++;
        w[REQUESTED] -= size(index);
    }

    /** Requested size of a live object. */
    int size(int index) {
        long word = w[sizesBase + index / SIZES_PER_LONG];
        return (int) (word >>> (index % SIZES_PER_LONG * 16) & 0xFFFF) + 1;
    }

    private void setSize(int index, int bytes) {
        int i = sizesBase + index / SIZES_PER_LONG;
        int shift = index % SIZES_PER_LONG * 16;
        w[i] = w[i] & ~(0xFFFFL << shift) | (long) (bytes - 1) << shift;
    }

    /** Free bits set in the bitmap (for verification), and that no bit past the capacity is set. */
    int countFreeBits() {
        int n = 0;
        for (int i = 0; i < bitmapWords; i++) {
            n += Long.bitCount(w[BITMAP + i]);
        }
        return n;
    }

    long bitmapWord(int i) {
        return w[BITMAP + i];
    }

    int bitmapWords() {
        return bitmapWords;
    }

    static String stateName(int state) {
        return switch (state) {
            case CURRENT -> "current";
            case PARTIAL -> "partial";
            case FULL -> "full";
            case EMPTY -> "empty";
            case DEAD -> "returned";
            default -> "state " + state;
        };
    }

    @Override
    public String toString() {
        return "slab " + id + " (folio " + head + ", " + cache.objectSize + "-byte objects)";
    }
}
