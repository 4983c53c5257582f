package io.jdax.page;

import static io.jdax.internal.PageDescriptor.getAndAddPincount;
import static io.jdax.internal.PageDescriptor.isHead;
import static io.jdax.internal.PageDescriptor.pincount;
import static io.jdax.internal.PageDescriptor.refcount;
import static io.jdax.page.PageMap.NO_FOLIO;
import static io.jdax.page.PageMap.PIN_BIAS;

import java.lang.foreign.MemorySegment;

/**
 * Pins of a page map's folios: references held for I/O that cannot be revoked and must be waited for
 * (kernel: {@code FOLL_PIN} accounting of mm/gup.c, the analogue of DMA to the page).
 *
 * <p>A pin of an order-0 folio adds {@link PageMap#PIN_BIAS} to its refcount; a pin of a large folio adds 1
 * to its refcount and 1 to its pin count, kept in page[1]. A pin is taken with the pin count incremented
 * after the reference and released with it decremented before, so a pin count above 0 always comes with a
 * reference, and {@link #maybeDmaPinned} is never false while a pin is held.
 */
public final class FolioPins {

    private final PageMap map;
    private final MemorySegment memmap;

    FolioPins(PageMap map) {
        this.map = map;
        this.memmap = map.memmap();
    }

    /**
     * Pins the folio containing {@code pfn}, which must be in use (kernel: {@code try_grab_folio} with
     * {@code FOLL_PIN}). The lookup is safe against a concurrent split.
     *
     * @param pfn      any page of the folio, in {@code [0, map.nrPages())}
     * @param longTerm a pin that may be held indefinitely (kernel: {@code FOLL_LONGTERM}); refused on a
     *                 {@link PageMap.Kind#DAX dax} map, whose folios must become idle for truncate
     * @return the head pfn of the pinned folio, for {@link #unpin}
     * @throws IllegalStateException    if the folio is idle (pin what you have referenced or mapped)
     * @throws IllegalArgumentException if a long-term pin is asked of a dax map
     */
    public long pin(long pfn, boolean longTerm) {
        long head = tryPin(pfn, longTerm);
        if (head == NO_FOLIO) {
            throw new IllegalStateException("pfn " + pfn + ": cannot pin an idle folio (refcount 0)");
        }
        return head;
    }

    /**
     * Like {@link #pin} but returns {@link PageMap#NO_FOLIO} when the folio is idle.
     *
     * @param pfn      any page of the folio, in {@code [0, map.nrPages())}
     * @param longTerm a pin that may be held indefinitely; refused on a dax map
     * @return the head pfn of the pinned folio, or {@link PageMap#NO_FOLIO} if it is idle
     * @throws IllegalArgumentException if a long-term pin is asked of a dax map
     * @throws RefcountException        if the pin would overflow the refcount; nothing is left held
     */
    public long tryPin(long pfn, boolean longTerm) {
        if (longTerm && map.kind() == PageMap.Kind.DAX) {
            throw new IllegalArgumentException("pfn " + pfn + ": long-term pins of fs-dax folios are refused"
                    + " (they would keep truncate waiting forever)");
        }
        long head = map.tryGetFolio(pfn); // one reference: the folio cannot split under us now
        if (head == NO_FOLIO) {
            return NO_FOLIO;
        }
        if (isHead(map.requireNotTail(head))) {
            getAndAddPincount(memmap, head, 1);
        } else {
            try {
                map.getRefs(head, PIN_BIAS - 1);
            } catch (IllegalStateException overflow) {
                map.put(head);
                throw overflow;
            }
        }
        return head;
    }

    /**
     * Releases a pin taken by {@link #pin} (kernel: {@code unpin_folio}); may drop the last reference.
     *
     * @param head the head pfn {@link #pin} returned
     * @throws IllegalArgumentException if {@code head} is a tail page
     * @throws IllegalStateException    if no pin is held; the counts are unchanged
     */
    public void unpin(long head) {
        map.checkPfn(head);
        if (isHead(map.requireNotTail(head))) {
            int old = getAndAddPincount(memmap, head, -1);
            if (old <= 0) {
                getAndAddPincount(memmap, head, 1);
                throw new IllegalStateException("pfn " + head + ": unpin with pin count " + old);
            }
            map.put(head);
        } else {
            map.refs().drop(head, PIN_BIAS, true); // a CAS: an unpin with no pin held never makes the count negative
        }
    }

    /**
     * {@return whether the folio may be pinned for DMA (kernel: {@code folio_maybe_dma_pinned})} A large
     * folio's pin count is exact; an order-0 folio reports {@code refcount >= PIN_BIAS}, so 1024 plain
     * references look like a pin. False is always exact.
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     */
    public boolean maybeDmaPinned(long head) {
        map.checkPfn(head);
        return isHead(map.requireNotTail(head)) ? pincount(memmap, head) > 0 : refcount(memmap, head) >= PIN_BIAS;
    }

    /**
     * {@return the pins held on the folio} Exact for a large folio; {@code refcount / PIN_BIAS} for an order-0
     * folio, exact only while it has fewer than {@link PageMap#PIN_BIAS} plain references.
     *
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException}
     */
    public int pinCount(long head) {
        map.checkPfn(head);
        return isHead(map.requireNotTail(head)) ? pincount(memmap, head) : refcount(memmap, head) / PIN_BIAS;
    }
}
