package io.jdax.page;

import static io.jdax.internal.PageDescriptor.compareAndExchangeOwner;
import static io.jdax.internal.PageDescriptor.owner;
import static io.jdax.internal.PageDescriptor.ownedWord;
import static io.jdax.internal.PageDescriptor.ownerId;
import static io.jdax.internal.PageDescriptor.ownerIndex;
import static io.jdax.internal.PageDescriptor.shareOf;
import static io.jdax.internal.PageDescriptor.sharedWord;

import io.jdax.internal.PageDescriptor;

import java.lang.foreign.MemorySegment;

/**
 * Owner of a page map's folios (kernel: {@code folio->mapping} and the {@code index} / {@code share} union
 * that fs/dax.c maintains): which mapping owns a folio and at which file index, or, while no single mapping
 * owns it, how many mappings share it (a reflinked extent).
 *
 * <p>All three states live in one word of the head's descriptor (its diagram is in {@link PageDescriptor}), so
 * every change between "owned by mapping M at index I", "shared by N mappings" and "unowned" is one
 * compare-and-set. The kernel keeps {@code share} as a plain word under one mapping's lock, but two files
 * sharing a folio update it under two different locks (kernel-semantics invariant 7): here an owned-to-shared
 * conversion by one mapping racing a share change by another cannot lose either update, and a folio is
 * never shared with a count of 0 (the count reaching 0 makes the word unowned in the same CAS).
 *
 * <p>Mapping ids are in {@code [1, MAX_MAPPING_ID]} and indices in {@code [0, MAX_INDEX]}: 24 and 39 bits, so
 * that both fit the word (2^39 pages of 4 KiB is a 2 PiB file).
 *
 * <p>The word can be written only on {@link PageMap.Kind#DAX dax} and {@link PageMap.Kind#DEVICE device} maps:
 * a pool map's folios belong to its allocator, which keeps its free lists in the same slots; on a pool map
 * every folio reads as unowned.
 */
public final class FolioOwners {

    /** Largest mapping id the owner word holds. */
    public static final long MAX_MAPPING_ID = PageDescriptor.MAX_OWNER_ID;
    /** Largest file index the owner word holds. */
    public static final long MAX_INDEX = PageDescriptor.MAX_OWNER_INDEX;

    private final PageMap map;
    private final MemorySegment memmap;
    private final boolean pool;

    FolioOwners(PageMap map) {
        this.map = map;
        this.memmap = map.memmap();
        this.pool = map.kind() == PageMap.Kind.POOL;
    }

    /**
     * {@return the id of the mapping that owns the folio; 0 if it is unowned or shared, or on a pool map}
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     */
    public long mapping(long head) {
        return ownerId(word(head));
    }

    /**
     * {@return whether several mappings share the folio} Then {@link #mapping} is 0 and {@link #share} counts them.
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     */
    public boolean isShared(long head) {
        return PageDescriptor.isShared(word(head));
    }

    /**
     * {@return the file index of the folio within its owning mapping, in {@code [0, MAX_INDEX]}}
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     * @throws IllegalStateException if no single mapping owns the folio
     */
    public long index(long head) {
        long w = word(head);
        if (ownerId(w) == 0) {
            throw new IllegalStateException("pfn " + head + " is " + describe(w) + ": it has no file index");
        }
        return ownerIndex(w);
    }

    /**
     * {@return the number of mappings sharing the folio; 0 for an unowned one}
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     * @throws IllegalStateException if a single mapping owns the folio
     */
    public long share(long head) {
        long w = word(head);
        if (ownerId(w) != 0) {
            throw new IllegalStateException("pfn " + head + " is " + describe(w) + ": it has no share count");
        }
        return shareOf(w);
    }

    /**
     * Records that {@code mappingId} maps the folio at file {@code index} (kernel: the folio half of
     * {@code dax_associate_entry}), in one CAS. If {@code shared} (a reflinked extent) and the folio is already
     * owned or shared, an owner becomes one of two sharers ({@code dax_folio_make_shared}, then
     * {@code share++}) and a shared folio gains a sharer; otherwise an unowned folio becomes owned by
     * {@code mappingId} at {@code index}.
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     * @param mappingId the associating mapping, in {@code [1, MAX_MAPPING_ID]}
     * @param index     the folio's file index in that mapping, in {@code [0, MAX_INDEX]}
     * @param shared    whether the extent may already be mapped by other files (reflink)
     * @return the share count afterwards, 0 if the folio is now owned by {@code mappingId} alone
     * @throws IllegalArgumentException if the id or index is out of range
     * @throws IllegalStateException    if an exclusive associate meets an owned or shared folio (kernel: WARN),
     *                                  the share count would overflow, or this is a pool map; nothing changed
     */
    public long associate(long head, long mappingId, long index, boolean shared) {
        checkWritable(head);
        checkOwner(head, mappingId, index);
        long w = owner(memmap, head);
        for (;;) {
            long next;
            if (w == 0) {
                next = ownedWord(mappingId, index);
            } else if (!shared) {
                throw new IllegalStateException("pfn " + head + " is " + describe(w) + ": mapping " + mappingId
                        + " cannot own it exclusively");
            } else if (PageDescriptor.isShared(w)) {
                next = sharedWord(checkedShare(head, shareOf(w), 1));
            } else {
                next = sharedWord(2);
            }
            long witness = compareAndExchangeOwner(memmap, head, w, next);
            if (witness == w) {
                return shareOf(next);
            }
            w = witness;
        }
    }

    /**
     * Records that one mapping no longer maps the folio (kernel: the share half of {@code dax_folio_put}), in one
     * CAS: an owned folio becomes unowned, a shared one loses a sharer and becomes unowned when none is left.
     * Splitting an unowned large folio back to order-0 pages is the caller's next step ({@link PageMap#split}).
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     * @return the share count afterwards: 0 means the folio is now unowned
     * @throws IllegalStateException if the folio is unowned, or this is a pool map; nothing changed
     */
    public long disassociate(long head) {
        checkWritable(head);
        long w = owner(memmap, head);
        for (;;) {
            if (w == 0) {
                throw new IllegalStateException("pfn " + head + " is unowned: nothing to disassociate");
            }
            long share = PageDescriptor.isShared(w) ? shareOf(w) - 1 : 0;
            long next = share == 0 ? 0 : sharedWord(share);
            long witness = compareAndExchangeOwner(memmap, head, w, next);
            if (witness == w) {
                return share;
            }
            w = witness;
        }
    }

    /**
     * Sets the word outright: owned by {@code mapping} (an id {@code >= 1}) at file index {@code indexOrShare},
     * or, with {@code mapping == 0}, shared by {@code indexOrShare} mappings (0: unowned). One store; for setting
     * up a folio nobody else can reach yet, and for tests.
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     * @param mapping      the owning mapping id in {@code [1, MAX_MAPPING_ID]}, or 0 for shared/unowned
     * @param indexOrShare the file index in {@code [0, MAX_INDEX]} if {@code mapping != 0}, else a share count
     *                     {@code >= 0}
     * @throws IllegalArgumentException if a value is out of range
     * @throws IllegalStateException    on a pool map
     */
    public void set(long head, long mapping, long indexOrShare) {
        checkWritable(head);
        if (mapping != 0) {
            checkOwner(head, mapping, indexOrShare);
        } else if (indexOrShare < 0) {
            throw new IllegalArgumentException("pfn " + head + ": share " + indexOrShare + " must be >= 0");
        }
        PageDescriptor.setMapping(memmap, head, mapping != 0 ? ownedWord(mapping, indexOrShare)
                : indexOrShare == 0 ? 0 : sharedWord(indexOrShare));
    }

    /**
     * Adds {@code delta} to the share count of a folio no single mapping owns, atomically; a count reaching 0
     * leaves it unowned.
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     * @param delta the change, negative to drop sharers
     * @return the new share count
     * @throws IllegalStateException if a mapping owns the folio, the count would go negative or overflow (it
     *                               is then unchanged), or this is a pool map
     */
    public long addShare(long head, long delta) {
        checkWritable(head);
        long w = owner(memmap, head);
        for (;;) {
            if (ownerId(w) != 0) {
                throw new IllegalStateException("pfn " + head + " is " + describe(w) + ": it has no share count");
            }
            long share = checkedShare(head, shareOf(w), delta);
            long witness = compareAndExchangeOwner(memmap, head, w, share == 0 ? 0 : sharedWord(share));
            if (witness == w) {
                return share;
            }
            w = witness;
        }
    }

    private static long checkedShare(long head, long share, long delta) {
        long sum = share + delta;
        if (delta > 0 && sum < share) {
            throw new IllegalStateException("pfn " + head + ": share " + share + " + " + delta + " would overflow");
        }
        if (sum < 0) {
            throw new IllegalStateException("pfn " + head + ": share " + share + " + " + delta + " would be negative");
        }
        return sum;
    }

    private static void checkOwner(long head, long mappingId, long index) {
        if (mappingId < 1 || mappingId > MAX_MAPPING_ID) {
            throw new IllegalArgumentException("pfn " + head + ": mapping id " + mappingId + " outside [1, "
                    + MAX_MAPPING_ID + "]");
        }
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("pfn " + head + ": index " + index + " outside [0, " + MAX_INDEX + "]");
        }
    }

    static String describe(long w) {
        return w == 0 ? "unowned" : PageDescriptor.isShared(w) ? "shared by " + shareOf(w) + " mappings"
                : "owned by mapping " + ownerId(w) + " at index " + ownerIndex(w);
    }

    private long word(long head) {
        map.checkPfn(head);
        map.requireNotTail(head);
        return pool ? 0 : owner(memmap, head);
    }

    private void checkWritable(long head) {
        map.checkPfn(head);
        map.requireNotTail(head);
        if (pool) {
            throw new IllegalStateException("pfn " + head + ": owner fields of a pool map's folios belong to its "
                    + "allocator; own folios through a DAX or DEVICE map");
        }
    }
}
