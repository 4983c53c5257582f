package io.jdax.page;

import static io.jdax.internal.PageDescriptor.entireMapcount;
import static io.jdax.internal.PageDescriptor.getAndAddEntireMapcount;
import static io.jdax.internal.PageDescriptor.getAndAddMapcount;
import static io.jdax.internal.PageDescriptor.isHead;
import static io.jdax.internal.PageDescriptor.mapcount;
import static io.jdax.internal.PageDescriptor.refcount;

import java.lang.foreign.MemorySegment;

/**
 * Map counts of a page map's folios (kernel: {@code folio_mapcount}, zero-based here): an order-0 folio
 * counts in its own mapcount, a large folio mapped whole in page[1]'s entire mapcount. Every mapping also
 * holds a reference, taken before the count goes up and dropped after it goes down, so
 * {@code mapcount <= refcount} always holds for correct callers, and {@code refcount - mapcount} counts the
 * references held by someone other than a mapping (the fs-dax "busy" test).
 */
final class MapCounts {

    private final PageMap map;
    private final MemorySegment memmap;

    MapCounts(PageMap map) {
        this.map = map;
        this.memmap = map.memmap();
    }

    int get(long head) {
        map.checkPfn(head);
        return isHead(map.requireNotTail(head)) ? entireMapcount(memmap, head) : mapcount(memmap, head);
    }

    void inc(long head) {
        map.checkPfn(head);
        boolean large = isHead(map.requireNotTail(head));
        // checked before the add, so a refused call never shows anyone a mapcount above the refcount
        int now = large ? entireMapcount(memmap, head) : mapcount(memmap, head);
        int refs = refcount(memmap, head);
        if (now >= refs) {
            throw new IllegalStateException("pfn " + head + ": mapcount " + now + " + 1 with refcount " + refs
                    + ": every mapping holds a reference; take it (incRef or get) before counting the mapping");
        }
        int old = add(head, large, 1);
        if (old >= PageMap.MAX_REFCOUNT) {
            add(head, large, -1);
            throw new IllegalStateException("pfn " + head + ": mapcount " + old + " + 1 would pass the limit "
                    + PageMap.MAX_REFCOUNT);
        }
    }

    void dec(long head) {
        map.checkPfn(head);
        boolean large = isHead(map.requireNotTail(head));
        int old = add(head, large, -1);
        if (old <= 0) {
            add(head, large, 1);
            throw new IllegalStateException("pfn " + head + ": unmap with mapcount " + old);
        }
    }

    private int add(long head, boolean large, int delta) {
        return large ? getAndAddEntireMapcount(memmap, head, delta) : getAndAddMapcount(memmap, head, delta);
    }
}
