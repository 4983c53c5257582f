package io.jdax.pool;

import io.jdax.page.PageMap;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** The leaks a {@link BufferPool} reported: counted, the first {@link #MAX_KEPT} kept, each logged and a JFR event. */
final class PoolLeaks {

    /** Leak reports kept for {@link BufferPool#leaks()}; further leaks are counted only. */
    static final int MAX_KEPT = 1000;

    private static final System.Logger LOG = System.getLogger(BufferPool.class.getName());

    private final List<LeakReport> kept = new ArrayList<>(); // guarded by itself
    private final AtomicLong count = new AtomicLong();

    void report(LeakReport leak) {
        count.incrementAndGet();
        synchronized (kept) {
            if (kept.size() < MAX_KEPT) {
                kept.add(leak);
            }
        }
        PoolEvents.Leak event = new PoolEvents.Leak();
        if (event.isEnabled()) {
            event.bytes = leak.bytes();
            event.reclaimed = leak.reclaimed();
            event.allocationSite = leak.allocationSite().map(PoolLeaks::firstCallerFrame).orElse("unknown (FAST mode)");
            event.commit();
        }
        LOG.log(Level.WARNING, leak::toString);
    }

    /**
     * Reports every folio of {@code map} that holds a reference, with its size, in pfn order, and returns
     * their heads (ascending). A FAST buffer and its slices share one folio: one report. The walk reads each
     * head's count once; a count that changes meanwhile is the caller's race to settle.
     */
    long[] reportReferencedFolios(PageMap map) {
        long[] heads = new long[16];
        int n = 0;
        long pages = map.nrPages();
        for (long pfn = 0; pfn < pages; ) {
            if (map.refCount(pfn) <= 0) { // free, cached, a tail page, or an over-release undoing itself
                pfn++;
                continue;
            }
            int order;
            try {
                order = map.order(pfn);
            } catch (IllegalArgumentException splitMeanwhile) {
                pfn++;
                continue;
            }
            if (n == heads.length) {
                heads = Arrays.copyOf(heads, n * 2);
            }
            heads[n++] = pfn;
            report(new LeakReport(map.pageSize() << order, Optional.empty(), false));
            pfn += 1L << order;
        }
        return Arrays.copyOf(heads, n);
    }

    List<LeakReport> kept() {
        synchronized (kept) {
            return List.copyOf(kept);
        }
    }

    long count() {
        return count.get();
    }

    private static String firstCallerFrame(Throwable site) {
        for (StackTraceElement e : site.getStackTrace()) {
            if (!e.getClassName().startsWith("io.jdax.pool.")) {
                return e.toString();
            }
        }
        return site.getStackTrace().length > 0 ? site.getStackTrace()[0].toString() : "unknown";
    }
}
