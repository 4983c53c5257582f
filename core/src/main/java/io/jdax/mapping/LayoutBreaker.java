package io.jdax.mapping;

import static io.jdax.mapping.DaxEntry.NONE;

import io.jdax.page.PageMap;
import io.jdax.wait.SleepCallback;

import java.util.concurrent.TimeUnit;

/**
 * Layout breaking for one mapping (kernel: {@code dax_break_layout}, {@code dax_layout_busy_page_range},
 * {@code wait_page_idle} and the entry deletion of {@code dax_delete_mapping_range}). The caller holds the
 * mapping's invalidate lock exclusively, so no fault maps a page of the range meanwhile: after the range's views
 * are revoked, a folio whose {@code refcount - mapcount} is not 0 is held by pins or I/O only, and its last put
 * wakes us.
 */
final class LayoutBreaker {

    private final PageMap map;
    private final long id;
    private final EntryLocks locks;
    private final ViewGroups views;
    private final Association association;
    private final EntryWaiters waiters;

    LayoutBreaker(PageMap map, long id, EntryLocks locks, ViewGroups views, Association association,
                  EntryWaiters waiters) {
        this.map = map;
        this.id = id;
        this.locks = locks;
        this.views = views;
        this.association = association;
        this.waiters = waiters;
    }

    /** Revoke, wait until nothing is busy, delete; again if a busy page turned up while deleting. */
    void breakAndDelete(long first, long end, SleepCallback callback, boolean interruptible)
            throws InterruptedException {
        for (;;) {
            views.revoke(first, end);
            for (long busy; (busy = findBusy(first, end)) >= 0;) {
                awaitNotBusy(busy, callback, interruptible);
            }
            if (deleteRange(first, end)) {
                return;
            }
        }
    }

    /**
     * The head of the first busy folio of the range, or -1 (kernel: {@code dax_layout_busy_page_range}, after
     * the unmap): locked entries are waited for, then put back untouched.
     */
    private long findBusy(long first, long end) {
        locks.lock.lock();
        try {
            for (long s = first; (s = locks.entries.nextEntry(s, end)) >= 0;) {
                long e = locks.getUnlocked(s, DaxEntry.order(locks.entries.get(s)));
                if (e == NONE || e == EntryLocks.CONFLICT) {
                    continue; // changed while we waited: look again from s
                }
                long start = DaxEntry.start(e, s);
                locks.putUnlocked(start, e);
                if (isBusy(e)) {
                    return DaxEntry.pfn(e);
                }
                s = start + DaxEntry.pages(e);
            }
            return -1;
        } finally {
            locks.lock.unlock();
        }
    }

    private boolean isBusy(long e) {
        if (!DaxEntry.mapsFolio(e)) {
            return false;
        }
        long head = DaxEntry.pfn(e);
        return map.refCount(head) - map.mapCount(head) != 0;
    }

    /**
     * Waits for {@code head} to stop being busy (kernel: {@code wait_page_idle}). With no map count left, busy
     * means referenced, and the last put wakes us. A folio mapped by another file's views (reflinked) stays
     * referenced by them: no wake comes when its last pin goes, so we look again every millisecond.
     */
    private void awaitNotBusy(long head, SleepCallback callback, boolean interruptible) throws InterruptedException {
        if (map.mapCount(head) == 0) {
            if (interruptible) {
                map.awaitIdle(head, callback);
            } else {
                map.awaitIdleUninterruptibly(head, callback);
            }
        } else if (map.refCount(head) != map.mapCount(head)) {
            map.awaitIdle(head, 1, TimeUnit.MILLISECONDS, callback);
        }
    }

    /**
     * Deletes the range's entries (kernel: {@code __dax_invalidate_entry} with trunc): wait until unlocked,
     * disassociate, erase, wake all. Returns false, having deleted what it passed, if a busy one turned up.
     */
    private boolean deleteRange(long first, long end) {
        locks.lock.lock();
        try {
            for (long s = first; (s = locks.entries.nextEntry(s, end)) >= 0;) {
                long e = locks.getUnlocked(s, DaxEntry.order(locks.entries.get(s)));
                if (e == NONE || e == EntryLocks.CONFLICT) {
                    continue;
                }
                long start = DaxEntry.start(e, s);
                if (isBusy(e)) {
                    locks.putUnlocked(start, e);
                    return false;
                }
                association.disassociate(e);
                locks.entries.erase(start);
                waiters.wakeAll(id, start);
            }
            return true;
        } finally {
            locks.lock.unlock();
        }
    }


    /**
     * Deletes the clean entries of the range whose folios nobody but views holds (kernel:
     * {@code dax_invalidate_mapping_entry_sync}, {@code __dax_invalidate_entry} without trunc): the range's
     * views are revoked first; an entry marked DIRTY or TOWRITE stays, as does a busy one.
     *
     * @return the entries deleted
     */
    long invalidateClean(long first, long end) {
        views.revoke(first, end);
        long deleted = 0;
        locks.lock.lock();
        try {
            for (long s = first; (s = locks.entries.nextEntry(s, end)) >= 0;) {
                long e = locks.getUnlocked(s, DaxEntry.order(locks.entries.get(s)));
                if (e == NONE || e == EntryLocks.CONFLICT) {
                    continue;
                }
                long start = DaxEntry.start(e, s);
                s = start + DaxEntry.pages(e);
                if (locks.entries.isMarked(start, Mark.DIRTY) || locks.entries.isMarked(start, Mark.TOWRITE)
                        || isBusy(e)) {
                    locks.putUnlocked(start, e);
                    continue;
                }
                association.disassociate(e);
                locks.entries.erase(start);
                waiters.wakeAll(id, start);
                deleted++;
            }
        } finally {
            locks.lock.unlock();
        }
        return deleted;
    }
}
