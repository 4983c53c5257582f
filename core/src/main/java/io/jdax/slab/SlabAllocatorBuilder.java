package io.jdax.slab;

import io.jdax.alloc.BuddyAllocator;

import java.util.Objects;

/** Options of a {@link SlabAllocator}: made by {@link SlabAllocator#builder}. */
public final class SlabAllocatorBuilder {
    private static final int DEFAULT_EMPTY_SLABS_KEPT = 2;

    final BuddyAllocator buddy;
    int stripes = defaultStripes();
    int emptySlabsKept = DEFAULT_EMPTY_SLABS_KEPT;

    SlabAllocatorBuilder(BuddyAllocator buddy) {
        this.buddy = Objects.requireNonNull(buddy, "buddy");
    }

    private static int defaultStripes() {
        int want = Math.min(64, Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
        return Integer.highestOneBit(want - 1) << 1;
    }

    /**
     * Stripes, each with a current slab per class: a power of two in [1, 1024] (default 2 x CPUs, at most 64).
     *
     * @param n the number of stripes
     * @return this builder
     * @throws IllegalArgumentException naming {@code n} if it is not a power of two in [1, 1024]
     */
    public SlabAllocatorBuilder stripes(int n) {
        if (n < 1 || n > 1024 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two in [1, 1024]: " + n);
        }
        this.stripes = n;
        return this;
    }

    /**
     * Empty slabs kept per class for the next refill, the rest go back (kernel: {@code min_partial}); default 2.
     *
     * @param n empty slabs kept per class, {@code >= 0}
     * @return this builder
     * @throws IllegalArgumentException naming {@code n} if it is negative
     */
    public SlabAllocatorBuilder emptySlabsKept(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("empty slabs kept must be >= 0: " + n);
        }
        this.emptySlabsKept = n;
        return this;
    }

    /**
     * Builds the slab allocator; it takes no folio until its first allocation.
     *
     * @return the slab allocator
     */
    public SlabAllocator build() {
        return new SlabAllocator(this);
    }
}
