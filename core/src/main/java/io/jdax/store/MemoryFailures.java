package io.jdax.store;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jdax.internal.Internals;
import io.jdax.internal.PageDescriptor;
import io.jdax.mapping.EntryLock;
import io.jdax.mapping.InMemoryExtentSource;
import io.jdax.mapping.InMemoryExtentSource.Owner;
import io.jdax.page.PageMap;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Memory failure of a store (kernel: {@code memory_failure_dev_pagemap}, {@code dax_holder_notify_failure},
 * {@code mf_dax_kill_procs}). For each failed page: set its descriptor's HWPOISON bit; find every owner
 * through the extent source's reverse map (all sharers of a reflinked block); for each, lock its entry (which
 * holds off truncation: a layout break waits for entry locks before it deletes and releases), check again
 * under the lock that the owner still uses the page (a file that truncated it meanwhile, and the page reused by
 * another, is not the owner any more: the poison goes to the page's owner at the time of the check only),
 * revoke the entry's views, mark the file poisoned, unlock, and tell the listeners.
 */
final class MemoryFailures {

    private static final VarHandle INFO = JAVA_LONG.varHandle();

    private final DaxStore store;
    private final PageMap map;
    private final InMemoryExtentSource source;
    private final List<FailureListener> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder poisoned = new LongAdder();

    MemoryFailures(DaxStore store, PageMap map, InMemoryExtentSource source) {
        this.store = store;
        this.map = map;
        this.source = source;
    }

    void addListener(FailureListener l) {
        listeners.add(l);
    }

    long poisonedPages() {
        return poisoned.sum();
    }

    List<String> fail(long pfn, long count) {
        if (pfn < 0 || count < 1 || pfn > map.nrPages() - count) {
            throw new IllegalArgumentException("memory failure of " + count + " pages at pfn " + pfn + ": outside [0, "
                    + map.nrPages() + ")");
        }
        Set<String> hit = new LinkedHashSet<>();
        var memmap = Internals.memmap(map);
        for (long p = pfn; p < pfn + count; p++) {
            long old = (long) INFO.getAndBitwiseOr(memmap, p * PageDescriptor.SIZE + PageDescriptor.INFO_OFFSET,
                    PageDescriptor.HWPOISON);
            if ((old & PageDescriptor.HWPOISON) == 0) {
                poisoned.increment();
            }
            for (Owner o : source.owners(p)) {
                DaxFile f = store.fileOf(o.mappingId());
                if (f != null && poisonOwner(f, o, p)) {
                    hit.add(f.name());
                }
            }
        }
        return new ArrayList<>(hit);
    }

    private boolean poisonOwner(DaxFile f, Owner o, long p) {
        EntryLock lock;
        try {
            lock = f.mapping().lockEntry(o.index());
        } catch (IllegalStateException closed) {
            return false; // deleted meanwhile
        }
        try {
            if (!source.owners(p).contains(o)) {
                return false; // truncated (and perhaps reused) before we held the entry
            }
            if (lock != null && lock.pfn() >= 0) {
                lock.revokeViews();
            }
            f.markPoisoned();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
        for (FailureListener l : listeners) {
            l.failed(f.name(), o.index() * DaxStore.PAGE);
        }
        return true;
    }

    /** Clears the HWPOISON bit of page {@code pfn}; see {@link DaxStore#unpoison}. */
    boolean unpoison(long pfn) {
        if (pfn < 0 || pfn >= map.nrPages()) {
            throw new IllegalArgumentException("pfn " + pfn + " outside [0, " + map.nrPages() + ")");
        }
        var memmap = Internals.memmap(map);
        long old = (long) INFO.getAndBitwiseAnd(memmap, pfn * PageDescriptor.SIZE + PageDescriptor.INFO_OFFSET,
                ~PageDescriptor.HWPOISON);
        return (old & PageDescriptor.HWPOISON) != 0;
    }
}
