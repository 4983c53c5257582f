package io.jdax.slab;

import java.util.ArrayList;
import java.util.List;

/**
 * The size classes of a slab allocator and the request-to-class lookup (kernel: {@code kmalloc_caches} and
 * {@code kmalloc_size_index}).
 *
 * <p>Classes: 16, 32, then every power of two from 64 and one and a half times each power of two from 32
 * (48, 96, 192, ...), up to half a page and at most {@link #MAX_OBJECT_SIZE}. The kernel's kmalloc adds 96
 * and 192 between its powers of two; every step here has the half-way class, so that a request just above a
 * power of two does not waste half its object. All are multiples of 16, so every object is 16-byte aligned.
 *
 * <p>Worst-case internal waste (object size minus request, over the object): 15 of 32 bytes (47%) for a
 * 17-byte request; from 33 bytes up, below one third (a request of {@code 2^k + 1} in a class of
 * {@code 1.5 * 2^k}); and below one quarter between {@code 1.5 * 2^k} and {@code 2^(k+1)}.
 *
 * <p>Slab order: the smallest order up to 3 whose slab leaves at most 1/16 of its bytes unused at the end
 * (kernel: {@code calculate_order} with its {@code slub_max_order} of 3 and first fraction 1/16), else the
 * order with the smallest unused fraction. With 4 KiB pages every class fits an order-0 slab except 1536,
 * which takes order 1 (5 objects, 512 bytes unused); the unused tails are 16 bytes (48), 64 (96, 192),
 * 256 (384, 768) and 0 for the powers of two.
 */
final class SizeClasses {

    /** Largest object: requested sizes are kept in 16 bits per object. */
    static final int MAX_OBJECT_SIZE = 1 << 16;
    /** Granule of the lookup table. */
    private static final int GRANULE_SHIFT = 4;
    /** Largest slab order tried (kernel: {@code slub_max_order}). */
    private static final int MAX_SLAB_ORDER = 3;

    final SlabCache[] caches;
    private final byte[] classOfGranule; // (bytes - 1) >>> 4 -> class index
    final int maxObjectSize;

    SizeClasses(long pageSize, int maxBuddyOrder) {
        int max = (int) Math.min(pageSize / 2, MAX_OBJECT_SIZE);
        List<Integer> sizes = new ArrayList<>(List.of(16, 32));
        for (long p = 32; ; p *= 2) {
            long half = p + p / 2;
            if (half > max) {
                break;
            }
            sizes.add((int) half);
            if (2 * p > max) {
                break;
            }
            sizes.add((int) (2 * p));
        }
        caches = new SlabCache[sizes.size()];
        for (int i = 0; i < caches.length; i++) {
            caches[i] = new SlabCache(i, sizes.get(i), slabOrder(sizes.get(i), pageSize, maxBuddyOrder), pageSize);
        }
        maxObjectSize = sizes.get(sizes.size() - 1);
        classOfGranule = new byte[maxObjectSize >>> GRANULE_SHIFT];
        int c = 0;
        for (int g = 0; g < classOfGranule.length; g++) {
            int bytes = (g + 1) << GRANULE_SHIFT; // largest request of this granule
            while (caches[c].objectSize < bytes) {
                c++;
            }
            classOfGranule[g] = (byte) c;
        }
    }

    /** Refuses a request outside {@code [1, maxObjectSize]}, naming it. */
    void checkSize(int bytes) {
        if (bytes <= 0 || bytes > maxObjectSize) {
            throw new IllegalArgumentException("object size " + bytes + " outside [1, " + maxObjectSize
                    + "]: larger buffers take a folio of their own");
        }
    }

    /** The class of a request of {@code bytes} in {@code [1, maxObjectSize]}. */
    SlabCache classOf(int bytes) {
        return caches[classOfGranule[(bytes - 1) >>> GRANULE_SHIFT]];
    }

    static int slabOrder(int objectSize, long pageSize, int maxBuddyOrder) {
        int best = 0;
        double bestFraction = 1;
        for (int order = 0; order <= Math.min(MAX_SLAB_ORDER, maxBuddyOrder); order++) {
            long bytes = pageSize << order;
            long objects = bytes / objectSize;
            long unused = bytes - objects * objectSize;
            if (unused * 16 <= bytes) {
                return order;
            }
            double fraction = (double) unused / bytes;
            if (fraction < bestFraction) {
                best = order;
                bestFraction = fraction;
            }
        }
        return best;
    }
}
