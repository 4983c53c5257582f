package io.jdax.alloc;

import static io.jdax.internal.PageDescriptor.NIL;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Small-order folio caches in front of the zone (kernel: the per-CPU page lists, {@code struct per_cpu_pages}),
 * striped instead of per-thread: a fixed number of stripes, picked by hashing the thread id, each a bounded
 * stack per cached order. Memory does not grow with the number of threads, so a million virtual threads
 * cost what two platform threads cost (DESIGN.md house style 7, Netty PR #13075).
 *
 * <p>A stripe is guarded by a try-lock that is never waited for on the fast path: a thread that finds its
 * stripe busy tries the next ones and, if all are busy, goes to the zone. Critical sections are a few array
 * operations and never block, so nothing parks and no carrier is pinned. Cached folios keep their compound
 * layout with refcount 0, so a cache hit needs no prep and a cache free no split.
 */
final class FolioCache {

    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(Stripe.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One stripe: a try-lock and, per cached order, a stack of folio heads. Padded against false sharing. */
    static final class Stripe {
        long p1, p2, p3, p4, p5, p6, p7;
        volatile int lock;
        long q1, q2, q3, q4, q5, q6, q7;
        final long[][] stacks;   // guarded by lock
        final int[] sizes;       // guarded by lock
        final long[] scratch;    // guarded by lock: folios on their way to or from the zone
        long allocations;        // guarded by lock: served from this stripe

        Stripe(int[] capacities, int scratchSize) {
            scratch = new long[scratchSize];
            stacks = new long[capacities.length][];
            for (int i = 0; i < capacities.length; i++) {
                stacks[i] = new long[capacities[i]];
            }
            sizes = new int[capacities.length];
        }

        boolean tryLock() {
            return lock == 0 && LOCK.compareAndSet(this, 0, 1);
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
            LOCK.setRelease(this, 0);
        }

        long pop(int slot) {
            int n = sizes[slot];
            if (n == 0) {
                return NIL;
            }
            sizes[slot] = n - 1;
            return stacks[slot][n - 1];
        }

        /** Pushes unless full; returns whether it did. */
        boolean push(int slot, long pfn) {
            int n = sizes[slot];
            if (n == stacks[slot].length) {
                return false;
            }
            stacks[slot][n] = pfn;
            sizes[slot] = n + 1;
            return true;
        }

        /** Moves the oldest {@code count} entries of a stack into {@code out} (cold end first out). */
        int takeOldest(int slot, long[] out, int count) {
            int n = sizes[slot];
            int k = Math.min(count, n);
            long[] stack = stacks[slot];
            System.arraycopy(stack, 0, out, 0, k);
            System.arraycopy(stack, k, stack, 0, n - k);
            sizes[slot] = n - k;
            return k;
        }

        int size(int slot) {
            return sizes[slot];
        }

        int capacity(int slot) {
            return stacks[slot].length;
        }
    }

    private final Stripe[] stripes;
    private final int mask;

    FolioCache(int stripeCount, int[] capacities, int scratchSize) {
        stripes = new Stripe[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new Stripe(capacities, scratchSize);
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
