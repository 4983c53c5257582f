package io.jdax.stress;

import io.jdax.internal.Internals;
import io.jdax.internal.PageDescriptor;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Page maps shared by every state object of a stress test. jcstress makes states by the thousand, far too
 * many for a region and a page map each, so each state takes its own aligned slot of {@link #SLOT_PAGES}
 * pages from one big map and resets those descriptors to fresh pages. Slots are reused round-robin only after
 * a million pages, far beyond the states jcstress keeps alive at once. The regions are sparse tmpfs files
 * whose bytes are never touched: they cost only the descriptors (32 MiB per map).
 */
public final class StressMaps {

    /** Pages per slot: room for an order-2 folio. */
    public static final int SLOT_PAGES = 4;
    private static final long PAGES = 1L << 20;
    private static final AtomicLong NEXT = new AtomicLong();

    public static final PageMap DAX = PageMap.dax(Region.anonymous(PAGES * PageMap.DEFAULT_PAGE_SIZE));
    public static final PageMap DEVICE = PageMap.device(Region.anonymous(PAGES * PageMap.DEFAULT_PAGE_SIZE));

    private StressMaps() {
    }

    /** First pfn of a fresh slot of {@code map}: every page order-0, idle, unowned. */
    public static long slot(PageMap map) {
        long base = NEXT.getAndIncrement() * SLOT_PAGES % PAGES;
        MemorySegment memmap = Internals.memmap(map);
        for (long p = base; p < base + SLOT_PAGES; p++) {
            PageDescriptor.clear(memmap, p);
        }
        return base;
    }

    /** A fresh slot holding one folio of {@code order} at its first pfn, with {@code refs} references. */
    public static long folio(PageMap map, int order, int refs) {
        long head = slot(map);
        map.prepCompound(head, order);
        if (refs > 0) {
            map.incRef(head);
            if (refs > 1) {
                map.getRefs(head, refs - 1);
            }
        }
        return head;
    }
}
