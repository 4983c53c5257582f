package io.jdax.alloc;

import static io.jdax.internal.PageDescriptor.NIL;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Folio caches in front of the zone (kernel: the per-CPU page lists, {@code struct per_cpu_pages}, which cover
 * orders 0 to 3 and the THP order; here every order up to the PMD order), striped instead of per-thread: a
 * fixed number of stripes, picked by hashing the thread id, each a bounded stack per cached order. Memory does not grow with the number of threads, so a million virtual threads
 * cost what two platform threads cost (DESIGN.md house style 7, Netty PR #13075).
 *
 * <p>A stripe is guarded by a try-lock that the fast path never waits for: a thread that finds its stripe
 * busy tries the next ones and, if all are busy, goes to the zone. A hit or a free is a few array operations
 * under it. A refill or an overflow keeps the stripe while it trades a batch with the depot or the zone,
 * taking their locks (order: stripe, depot, zone) and prepping or splitting the batch: other threads then
 * use other stripes, and only drains and snapshots ({@code lockSlowly}) spin, then yield, until it is done.
 * Nothing parks while holding a stripe. Cached folios keep their compound layout with refcount 0, so a
 * cache hit needs no prep and a cache free no split.
 */
final class FolioCache {

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Longs of padding at each end of a stripe's array: a cache line, so no other object shares its lines. */
    private static final int PAD = 8;
    /** Index of the try-lock word in a stripe's array. */
    private static final int LOCK = PAD;
    /** Index of the count of allocations served by the stripe. */
    private static final int ALLOCATIONS = LOCK + 1;
    /** Index of the stripe's allowance: pages of the large-folio budget it holds for no cached folio. */
    private static final int ALLOWANCE = ALLOCATIONS + 1;
    /**
     * First of the charge counters: per cached order, the charged folios and their charged bytes that went
     * out through this stripe minus those that came back through it (either may be negative on its own).
     */
    private static final int CHARGES = ALLOWANCE + 1;

    /**
     * One stripe. Everything a stripe writes lives in one array ({@code space}), padded at both ends: the
     * try-lock word, its allocation count, its budget allowance, its charge counters, and per cached order a size header followed by a stack of folio
     * heads. An array's interior is never rearranged, so no garbage collection can move another thread's hot
     * data next to it (padding by fields cannot promise that: the JVM orders fields by type and, with
     * {@code UseEmptySlotsInSupers}, fills gaps in superclass layouts, and copying collectors place objects
     * side by side). The {@code Stripe} object itself is never written after construction.
     */
    static final class Stripe {
        final long[] space;      // [LOCK] via LONGS; the rest guarded by it
        final int[] base;        // immutable, shared by all stripes: slot -> first stack entry
        final int[] capacity;    // immutable, shared by all stripes
        final long[] scratch;    // guarded by the lock: folios on their way to or from the zone

        Stripe(int[] base, int[] capacity, int spaceLength, int scratchSize) {
            this.base = base;
            this.capacity = capacity;
            this.space = new long[spaceLength];
            this.scratch = new long[scratchSize];
        }

        boolean tryLock() {
            return space[LOCK] == 0 && LONGS.compareAndSet(space, LOCK, 0L, 1L);
        }

        /** Spins until the stripe is ours: only for drains and snapshots, off the fast path. */
        void lockSlowly() {
            for (int spins = 0; !tryLock(); spins++) {
                if (spins < 64) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        void unlock() {
            LONGS.setRelease(space, LOCK, 0L);
        }

        void countAllocation() {
            space[ALLOCATIONS]++;
        }

        long allocations() {
            return space[ALLOCATIONS];
        }

        long allowance() {
            return space[ALLOWANCE];
        }

        void setAllowance(long pages) {
            space[ALLOWANCE] = pages;
        }

        /** Counts a charged folio of {@code slot} going out ({@code sign} 1) or coming back (-1). */
        void charge(int slot, long bytes, int sign) {
            if (bytes != 0) {
                space[CHARGES + 2 * slot] += sign;
                space[CHARGES + 2 * slot + 1] += sign * bytes;
            }
        }

        long chargedFolios(int slot) {
            return space[CHARGES + 2 * slot];
        }

        long chargedBytes(int slot) {
            return space[CHARGES + 2 * slot + 1];
        }

        long pop(int slot) {
            int b = base[slot];
            int n = (int) space[b - 1];
            if (n == 0) {
                return NIL;
            }
            space[b - 1] = n - 1;
            return space[b + n - 1];
        }

        /** Pushes unless full; returns whether it did. */
        boolean push(int slot, long pfn) {
            int b = base[slot];
            int n = (int) space[b - 1];
            if (n == capacity[slot]) {
                return false;
            }
            space[b + n] = pfn;
            space[b - 1] = n + 1;
            return true;
        }

        /** Moves the oldest {@code count} entries of a stack into {@code out} (the cold end goes first). */
        int takeOldest(int slot, long[] out, int count) {
            int b = base[slot];
            int n = (int) space[b - 1];
            int k = Math.min(count, n);
            System.arraycopy(space, b, out, 0, k);
            System.arraycopy(space, b + k, space, b, n - k);
            space[b - 1] = n - k;
            return k;
        }

        int size(int slot) {
            return (int) space[base[slot] - 1];
        }

        /** The {@code i}-th folio of a stack, oldest first (for verification). */
        long get(int slot, int i) {
            return space[base[slot] + i];
        }
    }

    private final Stripe[] stripes;
    private final int mask;

    FolioCache(int stripeCount, int[] capacities, int scratchSize) {
        int[] base = new int[capacities.length];
        int next = CHARGES + 2 * capacities.length; // the first slot's size header
        for (int slot = 0; slot < capacities.length; slot++) {
            base[slot] = next + 1; // after the slot's size header
            next = base[slot] + capacities[slot];
        }
        int spaceLength = next + PAD;
        int[] capacity = capacities.clone();
        stripes = new Stripe[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new Stripe(base, capacity, spaceLength, scratchSize);
        }
        mask = stripeCount - 1;
    }

    /**
     * The calling thread's stripe, locked, or the first free one after it; {@code null} if every stripe is
     * busy this instant (the caller then goes to the zone).
     */
    Stripe lockAny() {
        long id = Thread.currentThread().threadId();
        int start = (int) ((id * 0x9E3779B97F4A7C15L) >>> 32) & mask;
        for (int i = 0; i <= mask; i++) {
            Stripe s = stripes[(start + i) & mask];
            if (s.tryLock()) {
                return s;
            }
        }
        return null;
    }

    int stripeCount() {
        return stripes.length;
    }

    Stripe stripe(int i) {
        return stripes[i];
    }
}
