package io.jdax.mapping;

import io.jdax.page.PageMap;

/**
 * Where a file's pages live in a dax page map (kernel: the filesystem's {@code iomap_ops}, as fs/dax.c calls
 * them on every fault, and the block freeing of truncate and hole punch). A mapping calls {@link #extent} with
 * the entry of the asked range locked, so two faults of one mapping never ask for one index at once; faults of
 * different mappings, and different ranges of one mapping, call concurrently: implementations are thread-safe.
 */
public interface ExtentSource {

    /** {@return the dax page map whose pfns this source hands out} */
    PageMap pageMap();

    /**
     * The block backing page {@code index} of {@code mapping} (kernel: {@code iomap_begin}). For a write to a
     * hole, allocates one, preferably of {@code order} and aligned to it in the file; a read of a hole answers
     * {@link Extent#hole} of the largest order up to {@code order} whose aligned range has no block (a PMD
     * fault maps the zero page only over a whole PMD hole).
     *
     * @param mapping the mapping faulting, owner of the file
     * @param index   file page asked, {@code >= 0}
     * @param order   largest order wanted, in [0, 30]; the answer may be smaller
     * @param write   whether the fault writes (a hole then gets a block allocated)
     * @return the extent containing {@code index}: its block, or a hole for a read of a hole
     * @throws OutOfSpaceException if a write finds no space left (kernel: {@code -ENOSPC}, a SIGBUS fault)
     */
    Extent extent(Mapping mapping, long index, int order, boolean write);

    /**
     * Drops the blocks of {@code mapping} in pages {@code [start, end)} (kernel: the block freeing of truncate
     * and hole punch). The mapping calls it after deleting the range's entries, so no folio of the range is
     * associated with it any more; a block still used by another file (reflinked) stays allocated.
     *
     * @param mapping the mapping whose blocks to drop
     * @param start   first file page to drop, {@code >= 0}
     * @param end     file page after the last one to drop, {@code >= start}
     */
    void release(Mapping mapping, long start, long end);
}
