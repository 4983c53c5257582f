package io.jdax.alloc;

import java.util.Arrays;

/**
 * An allocation the allocator could not satisfy, even after draining its caches: no free block of the order
 * or above, or the configured limit would be passed. The message says which, with the free-list state.
 */
public final class OutOfPagesException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** The order asked for. */
    private final int order;
    /** Whether the limit refused it. */
    private final boolean overLimit;

    OutOfPagesException(String message, int order, boolean overLimit) {
        super(message);
        this.order = order;
        this.overLimit = overLimit;
    }

    /** The failure of an order-{@code order} allocation, explained from the snapshot {@code s} taken after it. */
    static OutOfPagesException of(AllocatorStats s, long pageSize, int order) {
        boolean overLimit = s.cachedPages() + s.allocatedPages() + (1L << order) > s.limitPages();
        String why = overLimit
                ? "the limit of " + s.limitPages() + " pages would be passed (" + s.allocatedPages() + " allocated)"
                : "no free block of order >= " + order + " (free blocks per order " + Arrays.toString(s.freeBlocks())
                        + ", " + s.freePages() + " pages free in all)";
        return new OutOfPagesException("cannot allocate an order-" + order + " folio (" + (pageSize << order)
                + " bytes): " + why, order, overLimit);
    }

    /**
     * The order asked for.
     *
     * @return the order
     */
    public int order() {
        return order;
    }

    /**
     * Whether the limit, rather than the free lists, refused the allocation.
     *
     * @return true if over the limit
     */
    public boolean overLimit() {
        return overLimit;
    }
}
