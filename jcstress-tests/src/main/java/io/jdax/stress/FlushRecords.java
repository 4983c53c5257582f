package io.jdax.stress;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jdax.internal.Internals;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the flushes of {@link MappingStress#MAP}'s region wrote: for each flushed page, the first long it held
 * at the moment of its last flush (what a crash right after would keep). States read and forget their pages
 * from their arbiter.
 */
public final class FlushRecords {

    private static final ConcurrentHashMap<Long, Long> DURABLE = new ConcurrentHashMap<>();
    private static final long PAGE = PageMap.DEFAULT_PAGE_SIZE;

    static {
        MemorySegment memory = MappingStress.MAP.region().segment();
        Internals.flushListener(MappingStress.MAP.region(), (offset, length) -> {
            for (long o = offset; o < offset + length; o += PAGE) {
                DURABLE.put(o / PAGE, memory.get(JAVA_LONG, o));
            }
        });
    }

    private FlushRecords() {
    }

    /** The first long of page {@code pfn} at its last flush, or -1 if it was not flushed; forgets it. */
    public static long take(long pfn) {
        Long v = DURABLE.remove(pfn);
        return v == null ? -1 : v;
    }
}
