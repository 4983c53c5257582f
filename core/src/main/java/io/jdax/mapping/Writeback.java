package io.jdax.mapping;

import static io.jdax.mapping.DaxEntry.NONE;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Writeback of one mapping (kernel: {@code dax_writeback_mapping_range}, {@code tag_pages_for_writeback},
 * {@code dax_writeback_one}, {@code dax_entry_mkclean}).
 *
 * <p>A range's writeback copies DIRTY to TOWRITE, then for each TOWRITE entry: waits while it is locked, skips
 * it if it vanished or no longer maps a folio, locks it and clears TOWRITE, write-protects it, flushes exactly
 * its extent (2 MiB for a PMD entry) through the region, clears DIRTY, and unlocks.
 *
 * <h2>Why no write slips between the flush and the DIRTY clear</h2>
 * The Java equivalent of write-protecting the page tables is revoking the writable views: every write to a
 * file page goes through a writable {@link MappingView}, and a writable view is made only by a write fault,
 * which holds the entry lock and marks the entry DIRTY before it hands the view out. Write protection revokes
 * every view group of the entry that ever handed out a writable view; the revocation closes the group's shared
 * arena, whose handshake lets each write already under way finish and makes every later access through the
 * group's segments throw. So, from the revocation on, the only way to write the entry's memory is a new write
 * fault, and that needs the entry lock, which the writeback holds from before the revocation until after the
 * DIRTY clear. A write that finished before the revocation is in memory when the flush reads it; a write after
 * the unlock marks the entry DIRTY again.
 *
 * <h2>Each entry flushed once</h2>
 * An entry whose flush is in flight (TOWRITE cleared, DIRTY still set, locked by a writeback) is not tagged
 * again by a writeback that starts meanwhile: that one waits for the entry's unlock instead, which comes after
 * the flush, so it returns with the entry durable without flushing it twice.
 */
final class Writeback {

    private final long id;
    private final EntryLocks locks;
    private final ViewGroups views;
    private final Region region;
    private final int pageShift;
    /** Entries flushed together (kernel: a pagevec of {@code dax_writeback_mapping_range}). */
    static final int BATCH = 64;

    private final Set<Long> inFlight = new HashSet<>(); // guarded by locks.lock: entry starts being flushed

    Writeback(long id, PageMap map, EntryLocks locks, ViewGroups views) {
        this.id = id;
        this.locks = locks;
        this.views = views;
        this.region = map.region();
        this.pageShift = map.pageShift();
    }

    /**
     * Writes back the entries covering pages {@code [first, end)}.
     *
     * @param hook run with each entry's start after its TOWRITE clear and before its flush (tests), or null
     * @return the bytes flushed through the region
     */
    long run(long first, long end, LongConsumer hook) {
        List<Long> awaited = tag(first, end);
        long flushed = 0;
        long[] starts = new long[BATCH];
        long[] entries = new long[BATCH];
        int n = 0;
        for (long from = first;;) {
            long start;
            locks.lock.lock();
            try {
                start = locks.entries.nextMarked(Mark.TOWRITE, from, end);
                if (start < 0) {
                    break;
                }
                long e = locks.getUnlocked(start, 0);
                if (e == NONE || e == EntryLocks.CONFLICT || DaxEntry.start(e, start) != start
                        || !locks.entries.isMarked(start, Mark.TOWRITE)) {
                    locks.putUnlocked(start, e); // vanished, replaced, or written back by another: look again
                    from = e == NONE || e == EntryLocks.CONFLICT ? start + 1 : DaxEntry.start(e, start) + DaxEntry.pages(e);
                    continue;
                }
                from = start + DaxEntry.pages(e);
                locks.entries.clearMark(start, Mark.TOWRITE);
                if (!DaxEntry.mapsFolio(e)) {
                    locks.putUnlocked(start, e); // a zero or empty entry has nothing to flush
                    continue;
                }
                starts[n] = start;
                entries[n] = DaxEntry.locked(e);
                locks.entries.put(start, entries[n]);
                inFlight.add(start);
                n++;
            } finally {
                locks.lock.unlock();
            }
            if (n == BATCH) {
                flushed += writeBatch(starts, entries, n, hook);
                n = 0;
            }
        }
        if (n > 0) {
            flushed += writeBatch(starts, entries, n, hook);
        }
        for (long start : awaited) {
            awaitUnlocked(start);
        }
        return flushed;
    }

    /** Kernel: {@code tag_pages_for_writeback}; returns the starts of entries in flight to wait for instead. */
    private List<Long> tag(long first, long end) {
        List<Long> awaited = new ArrayList<>();
        locks.lock.lock();
        try {
            for (long s = locks.entries.nextMarked(Mark.DIRTY, first, end); s >= 0;
                    s = locks.entries.nextMarked(Mark.DIRTY, s + DaxEntry.pages(locks.entries.get(s)), end)) {
                if (inFlight.contains(s)) {
                    awaited.add(s);
                } else {
                    locks.entries.setMark(s, Mark.TOWRITE);
                }
            }
        } finally {
            locks.lock.unlock();
        }
        return awaited;
    }

    /**
     * Write-protects each entry of the batch, flushes their extents in one region call, clears DIRTY, unlocks;
     * the entries are locked by us (in index order, so two batches never wait on each other in a cycle) and out
     * of TOWRITE. A failure leaves every entry of the batch DIRTY for the next writeback.
     */
    private long writeBatch(long[] starts, long[] entries, int n, LongConsumer hook) {
        boolean clean = false;
        long bytes = 0;
        long[] offsets = new long[n];
        long[] lengths = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                if (hook != null) {
                    hook.accept(starts[i]);
                }
                views.writeProtect(starts[i], starts[i] + DaxEntry.pages(entries[i]));
                offsets[i] = DaxEntry.pfn(entries[i]) << pageShift;
                lengths[i] = DaxEntry.pages(entries[i]) << pageShift;
                bytes += lengths[i];
            }
            region.flush(offsets, lengths, n);
            clean = true;
        } finally {
            locks.lock.lock();
            try {
                for (int i = 0; i < n; i++) {
                    if (clean) {
                        locks.entries.clearMark(starts[i], Mark.DIRTY);
                    }
                    inFlight.remove(starts[i]);
                }
            } finally {
                locks.lock.unlock();
            }
            for (int i = 0; i < n; i++) {
                locks.unlock(starts[i], entries[i]);
            }
        }
        return bytes;
    }

    /**
     * Writes back what deleting the entries of pages {@code [first, last)} would lose, with the invalidate lock
     * held (no fault runs): with {@code all}, every DIRTY entry (the caller keeps the blocks: the bytes stay in
     * the file); otherwise a DIRTY PMD entry cut by an edge of the range (its pages outside stay in the file) and
     * a DIRTY entry whose block another file shares (its bytes are that file's too). The kernel needs neither: a
     * write to a shared extent copies it first, and a huge entry is split before a partial truncate. Nothing is
     * flushed once the region is closed: there is nowhere left to flush to.
     *
     * @return the bytes flushed
     */
    long beforeDelete(Mapping m, ExtentSource source, long first, long last, boolean all) {
        if (!region.isOpen()) {
            return 0;
        }
        if (all) {
            return run(first, last, null);
        }
        long flushed = 0;
        for (long edge : new long[] {first, last}) {
            long base = edge & ~DaxEntry.PMD_COLOUR;
            if (edge != base && edge <= Mapping.MAX_INDEX) {
                flushed += run(base, base + DaxEntry.PMD_PAGES, null);
            }
        }
        List<long[]> dirty = new ArrayList<>();
        locks.lock.lock();
        try {
            for (long s = locks.entries.nextMarked(Mark.DIRTY, first, last); s >= 0;
                    s = locks.entries.nextMarked(Mark.DIRTY, s + DaxEntry.pages(locks.entries.get(s)), last)) {
                dirty.add(new long[] {s, DaxEntry.pages(locks.entries.get(s))});
            }
        } finally {
            locks.lock.unlock();
        }
        for (long[] d : dirty) {
            Extent x = source.extent(m, d[0], 0, false); // the entry's block exists: a lookup, no allocation
            if (x != null && x.shared()) {
                flushed += run(d[0], d[0] + d[1], null);
            }
        }
        return flushed;
    }

    private void awaitUnlocked(long start) {
        locks.lock.lock();
        try {
            long e = locks.getUnlocked(start, 0);
            locks.putUnlocked(e == NONE || e == EntryLocks.CONFLICT ? start : DaxEntry.start(e, start), e);
        } finally {
            locks.lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Writeback[mapping " + id + "]";
    }
}
