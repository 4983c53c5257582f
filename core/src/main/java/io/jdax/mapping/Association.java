package io.jdax.mapping;

import io.jdax.page.FolioOwners;
import io.jdax.page.PageMap;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The folio half of fs/dax.c: who owns a folio, at which index, or how many files share it (kernel:
 * {@code dax_associate_entry}, {@code dax_disassociate_entry} and {@code dax_folio_put} after the 2025 series).
 *
 * <p>Two files sharing a folio associate and disassociate it under their own mapping locks, so those locks do
 * not serialise them. A striped lock by head pfn does: it makes "read the owner, prep or split the layout,
 * write the owner" one step, so a folio is never split while a share is being added, nor prepped twice.
 * Lock order: a mapping's lock, then a folio stripe.
 */
final class Association {

    private static final int STRIPES = 256;

    private final PageMap map;
    private final FolioOwners owners;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    Association(PageMap map) {
        this.map = map;
        this.owners = map.owners();
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    private ReentrantLock stripe(long head) {
        return stripes[(int) ((head * 0x9E3779B97F4A7C15L) >>> (Long.SIZE - Integer.numberOfTrailingZeros(STRIPES)))];
    }

    /**
     * Associates the folio of {@code entry} with mapping {@code mappingId} at {@code index} (kernel:
     * {@code dax_associate_entry}); zero and empty entries have no folio and are skipped. A shared extent whose
     * folio another file already owns or shares becomes, or stays, shared, one more share; otherwise the folio is
     * made a compound folio of the entry's order and owned by the mapping.
     *
     * @return the share count after, 0 when the mapping became the only owner
     * @throws IllegalStateException if the folio is laid out at another order than the entry (a reflinked block
     *                               mapped huge by one file and small by the other), or owned already while the
     *                               extent is not shared; nothing is changed
     */
    long associate(long entry, long mappingId, long index, boolean shared) {
        if (!DaxEntry.mapsFolio(entry)) {
            return 0;
        }
        long head = DaxEntry.pfn(entry);
        int order = DaxEntry.order(entry);
        ReentrantLock lock = stripe(head);
        lock.lock();
        try {
            long folio = map.folioOf(head);
            if (folio != head) {
                throw new IllegalStateException("pfn " + head + " is a tail of the order-" + map.order(folio)
                        + " folio at pfn " + folio + ", mapped so by another file: an order-" + order
                        + " entry of mapping " + mappingId + " at index " + index + " cannot share it");
            }
            long owner = owners.mapping(head);
            boolean sharedNow = owners.isShared(head);
            if (shared && (owner != 0 || sharedNow)) {
                if (map.order(head) != order) {
                    throw new IllegalStateException("folio at pfn " + head + " has order " + map.order(head)
                            + ", the entry of mapping " + mappingId + " at index " + index + " order " + order
                            + ": a shared folio is mapped at one order by every file");
                }
                // kernel: dax_folio_make_shared (mapping = NULL, share = 1), then share++: one CAS
                return owners.associate(head, mappingId, index, true);
            }
            if (owner != 0 || sharedNow) {
                throw new IllegalStateException("folio at pfn " + head + " is " + (owner != 0 ? "owned by mapping "
                        + owner + " at index " + owners.index(head) : "shared by " + owners.share(head) + " mappings")
                        + ", but its extent is not shared: mapping " + mappingId + " cannot own it at index " + index);
            }
            map.prepCompound(head, order); // kernel: dax_folio_init; refuses a referenced or laid-out page
            return owners.associate(head, mappingId, index, shared);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Undoes one association of the folio of {@code entry} (kernel: {@code dax_disassociate_entry} ->
     * {@code dax_folio_put}): one share fewer; at none, the folio has no owner and a large one is split back into
     * order-0 pages, which needs refcount 0.
     *
     * @return the share count after, 0 when no file uses the folio any more
     * @throws IllegalStateException if the folio would be split while referenced; nothing is changed
     */
    long disassociate(long entry) {
        if (!DaxEntry.mapsFolio(entry)) {
            return 0;
        }
        long head = DaxEntry.pfn(entry);
        ReentrantLock lock = stripe(head);
        lock.lock();
        try {
            long left = owners.isShared(head) ? owners.share(head) - 1 : 0;
            if (left == 0 && map.order(head) > 0 && map.refCount(head) != 0) {
                throw new IllegalStateException("folio at pfn " + head + " would be split with refcount "
                        + map.refCount(head) + ": its last entry was deleted while it is in use");
            }
            left = owners.disassociate(head);
            if (left == 0 && map.order(head) > 0) {
                map.split(head);
            }
            return left;
        } finally {
            lock.unlock();
        }
    }

}
