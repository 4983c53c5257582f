package io.jdax.mapping;

/**
 * An extent source's answer for one page of a file (kernel: the {@code struct iomap} that {@code iomap_begin}
 * fills in, reduced to what fs/dax.c uses).
 *
 * @param pfn    the page backing the asked index, or -1 for a hole
 * @param order  order of the allocated block containing it, aligned both in the file and in the page map
 *               (2^order pages from {@code index & -(1 << order)} are backed by 2^order pages from
 *               {@code pfn & -(1 << order)}); for a hole, 2^order pages from {@code index & -(1 << order)}
 *               have no block
 * @param shared whether another file maps the same block (kernel: {@code IOMAP_F_SHARED}, a reflinked extent)
 */
public record Extent(long pfn, int order, boolean shared) {

    /** A one-page hole: a read there is served by the shared zero page. */
    public static final Extent HOLE = new Extent(-1, 0, false);

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if {@code pfn < -1}, {@code order} is outside [0, 30], or a hole is shared
     */
    public Extent {
        if (pfn < -1 || order < 0 || order > 30 || pfn == -1 && shared) {
            throw new IllegalArgumentException("extent of pfn " + pfn + ", order " + order + ", shared " + shared
                    + ": pfn must be >= 0 (or -1 for a hole, not shared) and order in [0, 30]");
        }
    }

    /**
     * A hole of 2^order pages, aligned in the file.
     *
     * @param order log2 of the hole's page count, in [0, 30]
     * @return {@link #HOLE} for order 0, else a new hole extent
     * @throws IllegalArgumentException if {@code order} is outside [0, 30]
     */
    public static Extent hole(int order) {
        return order == 0 ? HOLE : new Extent(-1, order, false);
    }

    /** {@return whether this extent is a hole (its pfn is -1)} */
    public boolean isHole() {
        return pfn == -1;
    }
}
