package io.jdax.alloc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte budget, in pages, shared by every stripe's and depot's cached folios of the large orders (4 up to
 * the PMD order): a folio reserves its pages before it enters a cache and gives them back when it leaves, so
 * the caches never hold more than the budget, whichever stripes hold them.
 *
 * <p>A stripe keeps the pages of the last large folio that left it as an allowance (kernel: the batch of a
 * {@code percpu_counter}), under its own lock: the next large folio that enters it takes its room from there.
 * So a thread that allocates and releases large folios in turn touches the shared count only when the sizes
 * change, not twice per buffer. The shared count is the pages in cached large folios plus every stripe's
 * allowance, and never above the limit; an allowance is at most one folio's pages, and drains give it back.
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

    /** With stripe {@code s} held: a large folio of {@code pages} left its cache; keeps one folio's worth. */
    void left(FolioCache.Stripe s, long pages) {
        long kept = s.allowance() + pages;
        if (kept > pages) {
            unreserve(kept - pages);
            kept = pages;
        }
        s.setAllowance(kept);
    }

    /** With stripe {@code s} held: room for a folio of {@code pages} to enter its cache, or false if none. */
    boolean enter(FolioCache.Stripe s, long pages) {
        long a = s.allowance();
        if (a >= pages) {
            s.setAllowance(a - pages);
            return true;
        }
        if (!reserve(pages - a)) {
            return false;
        }
        s.setAllowance(0);
        return true;
    }

    /** With stripe {@code s} held: gives its allowance back (a drain). */
    void returnAllowance(FolioCache.Stripe s) {
        unreserve(s.allowance());
        s.setAllowance(0);
    }

    /**
     * The large-order caches hold {@code large} pages and the stripes' allowances {@code allowances}: together
     * what the budget counts, and no more than it allows.
     */
    void check(long large, long allowances) {
        long counted = cachedPages.get();
        if (large + allowances != counted || counted > limitPages) {
            throw new IllegalStateException("allocator invariant broken: large-order caches hold " + large
                    + " pages and the stripes' allowances " + allowances + "; their budget counts " + counted
                    + " of at most " + limitPages);
        }
    }
}
