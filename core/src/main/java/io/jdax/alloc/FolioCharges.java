package io.jdax.alloc;

/**
 * What {@link BuddyAllocator#charges()} saw: per order, the folios allocated with a nonzero charge and not yet
 * returned, and the bytes charged for them. Immutable.
 */
public final class FolioCharges {

    private final long[] folios;
    private final long[] bytes;

    FolioCharges(long[] folios, long[] bytes) {
        this.folios = folios;
        this.bytes = bytes;
    }

    /**
     * Largest order counted.
     *
     * @return the allocator's max order
     */
    public int maxOrder() {
        return folios.length - 1;
    }

    /**
     * Charged folios of one order.
     *
     * @param order an order in {@code [0, maxOrder()]}
     * @return how many are out
     * @throws IndexOutOfBoundsException if the order is out of range
     */
    public long folios(int order) {
        return folios[order];
    }

    /**
     * Bytes charged for the folios of one order.
     *
     * @param order an order in {@code [0, maxOrder()]}
     * @return the sum of their charges
     * @throws IndexOutOfBoundsException if the order is out of range
     */
    public long bytes(int order) {
        return bytes[order];
    }
}
