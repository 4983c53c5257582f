package io.jdax.alloc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte budget, in pages, shared by every stripe's and depot's cached folios of the large orders (4 up to
 * the PMD order): a folio reserves its pages before it enters a cache and gives them back when it leaves, so
 * the caches never hold more than the budget, whichever stripes hold them.
 */
final class LargeFolioBudget {

    private final long limitPages;
    /** Pages in cached folios of the large orders (stripes and depots): reserved before a folio enters. */
    private final AtomicLong cachedPages = new AtomicLong();

    LargeFolioBudget(long limitPages) {
        this.limitPages = limitPages;
    }

    long limitPages() {
        return limitPages;
    }

    /** Reserves room for {@code pages}; false if they do not fit. */
    boolean reserve(long pages) {
        long now = cachedPages.get();
        for (;;) {
            if (pages > limitPages - now) {
                return false;
            }
            long witness = cachedPages.compareAndExchange(now, now + pages);
            if (witness == now) {
                return true;
            }
            now = witness;
        }
    }

    void unreserve(long pages) {
        cachedPages.addAndGet(-pages);
    }

    /** The large-order caches hold {@code large} pages: what the budget counts, and no more than it allows. */
    void check(long large) {
        long counted = cachedPages.get();
        if (large != counted || large > limitPages) {
            throw new IllegalStateException("allocator invariant broken: large-order caches hold " + large
                    + " pages; their budget counts " + counted + " of at most " + limitPages);
        }
    }
}
