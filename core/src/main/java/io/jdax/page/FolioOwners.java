package io.jdax.page;

import io.jdax.internal.PageDescriptor;

import java.lang.foreign.MemorySegment;

/**
 * Owner fields of a page map's folios (kernel: {@code folio->mapping} and the {@code index} / {@code share}
 * union that fs/dax.c maintains): which mapping owns a folio and at which file index, or, while no single
 * mapping owns it, how many mappings share it (reflinked extents).
 *
 * <p>Ownership changes of one folio ({@link #set}) are serialised by the caller, as the kernel does under the
 * mapping's lock. {@link #addShare} is atomic on its own, because two files sharing a folio update the count
 * under two different locks (kernel-semantics invariant 7).
 *
 * <p>The fields can be read on every map but written only on {@link PageMap.Kind#DAX dax} and
 * {@link PageMap.Kind#DEVICE device} maps: a pool map's folios belong to its allocator, which keeps its free
 * lists in these very slots and hands folios out without clearing them (the kernel, likewise, treats a page
 * freed with its mapping still set as a bug, {@code bad_page}, rather than something to clean up).
 */
public final class FolioOwners {

    private final PageMap map;
    private final MemorySegment memmap;

    FolioOwners(PageMap map) {
        this.map = map;
        this.memmap = map.memmap();
    }

    /** Id of the mapping that owns the folio, 0 for none. While it is 0, {@link #share} counts sharers. */
    public long mapping(long head) {
        check(head);
        return PageDescriptor.mapping(memmap, head);
    }

    /**
     * File index of the folio within its mapping.
     *
     * @throws IllegalStateException if no mapping owns the folio (the slot then holds the share count)
     */
    public long index(long head) {
        check(head);
        if (PageDescriptor.mapping(memmap, head) == 0) {
            throw new IllegalStateException("pfn " + head + " has no mapping: its index slot holds the share count");
        }
        return PageDescriptor.index(memmap, head);
    }

    /**
     * Number of mappings sharing the folio.
     *
     * @throws IllegalStateException if a single mapping owns the folio (the slot then holds its index)
     */
    public long share(long head) {
        check(head);
        long mapping = PageDescriptor.mapping(memmap, head);
        if (mapping != 0) {
            throw new IllegalStateException("pfn " + head + " is owned by mapping " + mapping
                    + ": its index slot holds the index, not a share count");
        }
        return PageDescriptor.index(memmap, head);
    }

    /**
     * Makes {@code mapping} (an id {@code > 0}) the owner of the folio at file index {@code indexOrShare}, or,
     * with {@code mapping == 0}, leaves the folio unowned with a share count of {@code indexOrShare} (kernel: the
     * exclusive and the shared half of {@code dax_associate_entry}).
     *
     * @throws IllegalArgumentException if {@code mapping} or {@code indexOrShare} is negative
     * @throws IllegalStateException    on a pool map
     */
    public void set(long head, long mapping, long indexOrShare) {
        checkWritable(head);
        if (mapping < 0 || indexOrShare < 0) {
            throw new IllegalArgumentException("pfn " + head + ": mapping " + mapping + " and index/share "
                    + indexOrShare + " must be >= 0");
        }
        PageDescriptor.setMapping(memmap, head, mapping);
        PageDescriptor.setIndex(memmap, head, indexOrShare);
    }

    /**
     * Adds {@code delta} to the share count of an unowned folio, atomically.
     *
     * @return the new share count
     * @throws IllegalStateException if a mapping owns the folio, the count would go negative (it is then
     *                               unchanged), or this is a pool map
     */
    public long addShare(long head, long delta) {
        checkWritable(head);
        long mapping = PageDescriptor.mapping(memmap, head);
        if (mapping != 0) {
            throw new IllegalStateException("pfn " + head + " is owned by mapping " + mapping + ": it has no share count");
        }
        long old = PageDescriptor.getAndAddIndex(memmap, head, delta);
        if (old + delta < 0) {
            PageDescriptor.getAndAddIndex(memmap, head, -delta);
            throw new IllegalStateException("pfn " + head + ": share " + old + " + " + delta + " would be negative");
        }
        return old + delta;
    }

    private void check(long head) {
        map.checkPfn(head);
        map.requireNotTail(head);
    }

    private void checkWritable(long head) {
        check(head);
        if (map.kind() == PageMap.Kind.POOL) {
            throw new IllegalStateException("pfn " + head + ": owner fields of a pool map's folios belong to its "
                    + "allocator; own folios through a DAX or DEVICE map");
        }
    }
}
