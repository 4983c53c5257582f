package io.jdax.internal;

import static io.jdax.internal.PageDescriptor.BUDDY;
import static io.jdax.internal.PageDescriptor.FOLIO_ORDER_MASK;
import static io.jdax.internal.PageDescriptor.HEAD;
import static io.jdax.internal.PageDescriptor.HWPOISON;
import static io.jdax.internal.PageDescriptor.LINK_SHIFT;
import static io.jdax.internal.PageDescriptor.MAX_ORDER;
import static io.jdax.internal.PageDescriptor.TAIL;
import static io.jdax.internal.PageDescriptor.folioOrderBits;
import static io.jdax.internal.PageDescriptor.info;
import static io.jdax.internal.PageDescriptor.isHead;
import static io.jdax.internal.PageDescriptor.isTail;
import static io.jdax.internal.PageDescriptor.link;
import static io.jdax.internal.PageDescriptor.pincount;
import static io.jdax.internal.PageDescriptor.refcount;
import static io.jdax.internal.PageDescriptor.setInfo;
import static io.jdax.internal.PageDescriptor.tailInfo;
import static io.jdax.internal.PageDescriptor.withFolioOrder;

import java.lang.foreign.MemorySegment;

/**
 * Compound prep and split over one memmap (kernel: {@code prep_compound_page}, and the split half of
 * {@code dax_folio_put}). {@link #prep} and {@link #split} validate every page first and only then write, so
 * a refused request changes nothing; they serve public callers through {@code PageMap}. The allocator, which
 * owns its free and cached folios exclusively, uses {@link #prepOwned} and {@link #splitOwned}: the same
 * writes with the checks only as assertions, so a 1 GiB folio is not read twice per allocation. The caller has
 * range-checked the head pfn and serialises layout changes.
 */
public final class CompoundLayout {

    private final MemorySegment memmap;
    private final long nrPages;

    public CompoundLayout(MemorySegment memmap, long nrPages) {
        this.memmap = memmap;
        this.nrPages = nrPages;
    }

    public void prep(long head, int order) {
        if (order < 0 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order " + order + " outside [0, " + MAX_ORDER + "]");
        }
        long n = 1L << order;
        if ((head & (n - 1)) != 0) {
            throw new IllegalArgumentException("pfn " + head + " is not aligned to order " + order);
        }
        if (n > nrPages - head) {
            throw new IndexOutOfBoundsException("order-" + order + " folio at pfn " + head
                    + " passes the end of the map (" + nrPages + " pages)");
        }
        for (long p = head; p < head + n; p++) {
            long info = info(memmap, p);
            if ((info & (HEAD | TAIL | BUDDY)) != 0 || refcount(memmap, p) != 0 || PageDescriptor.mapcount(memmap, p) != 0
                    || PageDescriptor.mapping(memmap, p) != 0 || PageDescriptor.index(memmap, p) != 0) {
                throw new IllegalStateException("cannot prep an order-" + order + " folio at pfn " + head + ": page "
                        + p + " is " + describe(p, info) + "; every page must be order-0, idle and unowned");
            }
        }
        prepOwned(head, order);
    }

    /**
     * The writes of {@link #prep}, for an allocator preparing a block it owns (order-0, idle, unowned pages).
     * Kernel order: head flag, tails, then the head fields kept in page[1]; a racing lookup that meets a
     * half-built folio finds refcount 0 on whichever head it reaches, and fails. page[1]'s pin count and
     * entire mapcount overlay its mapping slot, which is 0. A page's poison mark survives.
     */
    public void prepOwned(long head, int order) {
        if (order == 0) {
            return;
        }
        long n = 1L << order;
        assert refcount(memmap, head) == 0 && PageDescriptor.mapping(memmap, head + 1) == 0 : "prep of busy " + head;
        setInfo(memmap, head, info(memmap, head) | HEAD);
        for (long p = head + 2; p < head + n; p++) {
            setInfo(memmap, p, tailInfo(head) | info(memmap, p) & HWPOISON);
        }
        setInfo(memmap, head + 1, withFolioOrder(tailInfo(head) | info(memmap, head + 1) & HWPOISON, order));
    }

    public void split(long head) {
        long info = info(memmap, head);
        if (isTail(info)) {
            throw new IllegalArgumentException("pfn " + head + " is a tail page of folio " + link(info)
                    + ": split the head");
        }
        if ((info & BUDDY) != 0) {
            throw new IllegalStateException("cannot split pfn " + head + ": it is free in an allocator");
        }
        long n = isHead(info) ? 1L << folioOrderBits(info(memmap, head + 1)) : 1;
        long owner = PageDescriptor.owner(memmap, head);
        if (PageDescriptor.isShared(owner)) {
            throw new IllegalStateException("cannot split folio " + head + ": still shared by "
                    + PageDescriptor.shareOf(owner) + " mappings");
        }
        for (long p = head; p < head + n; p++) {
            int ref = refcount(memmap, p);
            if (ref != 0) {
                throw new IllegalStateException("cannot split folio " + head + ": page " + p + " has refcount " + ref);
            }
        }
        int mapped = n > 1 ? PageDescriptor.entireMapcount(memmap, head) : PageDescriptor.mapcount(memmap, head);
        if (mapped != 0) {
            throw new IllegalStateException("cannot split folio " + head + ": mapcount " + mapped);
        }
        if (n > 1 && pincount(memmap, head) != 0) {
            throw new IllegalStateException("cannot split folio " + head + ": pin count " + pincount(memmap, head));
        }
        splitOwned(head);
    }

    /**
     * The writes of {@link #split}, for an allocator splitting a folio it owns (idle, unpinned, unshared).
     * Every page loses its head/tail flags and link, and page[1] its order (the kernel once forgot that
     * reset, and a stale page[1] order became the flags of a new order-0 folio); page[1]'s pin count and
     * entire mapcount live in its mapping slot and are cleared with it. Tails first, head last: the folio
     * stays recognisable as one until its tails are gone. A page's poison mark survives.
     */
    public void splitOwned(long head) {
        long info = info(memmap, head);
        long n = isHead(info) ? 1L << folioOrderBits(info(memmap, head + 1)) : 1;
        assert refcount(memmap, head) == 0 : "split of a referenced folio " + head;
        long keepFlags = (1L << LINK_SHIFT) - 1 & ~(HEAD | TAIL | FOLIO_ORDER_MASK);
        for (long p = head + n - 1; p >= head; p--) {
            setInfo(memmap, p, info(memmap, p) & keepFlags);
            PageDescriptor.setMapping(memmap, p, 0);
            PageDescriptor.setIndex(memmap, p, 0);
        }
    }

    /** What stands in the way of a prep, for the exception message. */
    private String describe(long pfn, long info) {
        if (isTail(info)) {
            return "a tail of folio " + link(info);
        }
        if (isHead(info)) {
            return "the head of an order-" + folioOrderBits(info(memmap, pfn + 1)) + " folio";
        }
        if ((info & BUDDY) != 0) {
            return "free in an allocator";
        }
        int ref = refcount(memmap, pfn);
        long owner = PageDescriptor.owner(memmap, pfn);
        return ref != 0 ? "referenced (refcount " + ref + ")"
                : PageDescriptor.isShared(owner) ? "shared by " + PageDescriptor.shareOf(owner) + " mappings"
                : "owned (mapping " + PageDescriptor.ownerId(owner) + ", index " + PageDescriptor.ownerIndex(owner) + ")";
    }
}
