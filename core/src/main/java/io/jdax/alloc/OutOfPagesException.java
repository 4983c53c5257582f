package io.jdax.alloc;

/**
 * An allocation the allocator could not satisfy, even after draining its caches: no free block of the order
 * or above, or the configured limit would be passed. The message says which, with the free-list state.
 */
public final class OutOfPagesException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final int order;
    private final boolean overLimit;

    OutOfPagesException(String message, int order, boolean overLimit) {
        super(message);
        this.order = order;
        this.overLimit = overLimit;
    }

    /** The order asked for. */
    public int order() {
        return order;
    }

    /** Whether the limit, rather than the free lists, refused the allocation. */
    public boolean overLimit() {
        return overLimit;
    }
}
