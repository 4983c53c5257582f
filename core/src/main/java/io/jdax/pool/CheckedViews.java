package io.jdax.pool;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link PoolMode#CHECKED} buffers and slices of a pool that are not finished yet: each is a kernel
 * mapping, so they are capped, and the pool's close finishes and reports whichever remain.
 */
final class CheckedViews {

    private final Set<CheckedView> outstanding = ConcurrentHashMap.newKeySet();
    private final AtomicInteger held = new AtomicInteger(); // mappings made and not yet forgotten
    private final int limit;

    CheckedViews(int limit) {
        this.limit = limit;
    }

    /**
     * Reserves room for one more mapping.
     *
     * @throws IllegalStateException if the pool holds its limit already
     */
    void reserve() {
        if (held.incrementAndGet() > limit) {
            held.decrementAndGet();
            throw new IllegalStateException("a CHECKED pool holds at most " + limit + " buffers and slices at once "
                    + "(each is a kernel mapping; see BufferPool.DEFAULT_CHECKED_BUFFER_LIMIT)");
        }
    }

    /** Gives back a reservation that made no view. */
    void unreserve() {
        held.decrementAndGet();
    }

    void add(CheckedView view) {
        outstanding.add(view);
    }

    /** A finished view: its reservation goes too. */
    void forget(CheckedView view) {
        outstanding.remove(view);
        held.decrementAndGet();
    }

    /**
     * At close: finishes every outstanding view and reports it to {@code leaks}; returns how many an I/O
     * operation kept in use (their own mappings outlive the region, so that I/O stays safe).
     */
    int finishAll(PoolLeaks leaks) {
        int inUse = 0;
        for (CheckedView view : outstanding) {
            int result = view.finish();
            if (result != CheckedView.ALREADY) {
                leaks.report(new LeakReport(view.bytes, Optional.of(view.allocationSite), false));
            }
            if (result == CheckedView.IN_USE) {
                inUse++;
            }
        }
        return inUse;
    }

    /** At close, when the pool's memory went first: revokes every view's mapping; nothing can be counted. */
    void revokeAll() {
        for (CheckedView view : outstanding) {
            try {
                view.finish();
            } catch (IllegalStateException descriptorsGone) {
                // the view's own mapping is revoked; its folio went with the region
            }
        }
    }
}
