package io.jdax.mapping;

import static io.jdax.mapping.DaxEntry.NONE;

import io.jdax.wait.SleepCallback;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A mapping's entry map, its lock, and the entry locks kept in it (kernel: the {@code i_pages} lock and
 * {@code grab_mapping_entry}, {@code get_unlocked_entry}, {@code put_unlocked_entry}, {@code dax_unlock_entry}).
 *
 * <p>An entry's LOCKED bit is changed only under {@link #lock}, held for short steps and never while waiting:
 * a thread that finds the entry locked sleeps on the entry's key, releasing the lock inside the sleep only
 * (see {@link EntryWaiters} for why no wake is lost). Whoever holds an entry lock may drop {@link #lock} and
 * do slow work (ask the extent source, revoke views): nobody else changes the entry meanwhile.
 */
final class EntryLocks {

    /** What {@link #getUnlocked} and {@link #grab} return for a conflict: not an entry (no VALUE bit). */
    static final long CONFLICT = DaxEntry.LOCKED;

    final ReentrantLock lock = new ReentrantLock();
    final EntryMap entries = new EntryMap();
    private final SleepCallback relock = SleepCallback.of(lock::unlock, lock::lock);
    private final long id;
    private final EntryWaiters waiters;
    private final Association association;
    private final ViewGroups views;

    EntryLocks(long id, EntryWaiters waiters, Association association, ViewGroups views) {
        this.id = id;
        this.waiters = waiters;
        this.association = association;
        this.views = views;
    }

    /**
     * The entry in the way of an entry of {@code order} at {@code index}, once it is unlocked (kernel:
     * {@code get_unlocked_entry}): {@link DaxEntry#NONE}, {@link #CONFLICT} if it is smaller than
     * {@code order}, or the unlocked entry. Sleeps, uninterruptibly, while it is locked. Caller holds the lock.
     * A caller that gets an entry and does not lock it passes on the wake it may hold with {@link #putUnlocked};
     * a wake for an entry that vanished meanwhile is passed on here.
     */
    long getUnlocked(long index, int order) {
        assert lock.isHeldByCurrentThread();
        long sleptOn = -1; // the key whose wake-one we may hold: used if we return its entry unlocked
        for (;;) {
            long e = entries.conflict(index, order);
            long start = e == NONE ? -1 : DaxEntry.start(e, index);
            if (e == NONE || DaxEntry.order(e) < order || !DaxEntry.isLocked(e)) {
                if (sleptOn >= 0 && (start != sleptOn || DaxEntry.order(e) < order)) {
                    waiters.wakeNext(id, sleptOn); // the entry we slept on is gone: pass the wake on
                }
                return e == NONE ? NONE : DaxEntry.order(e) < order ? CONFLICT : e;
            }
            if (sleptOn >= 0 && start != sleptOn) {
                waiters.wakeNext(id, sleptOn);
            }
            // wake when that entry is unlocked, or gone, or replaced by another (whose own key we then wait on)
            long key = start;
            waiters.await(id, key, () -> {
                long now = entries.conflict(index, order);
                return !DaxEntry.isLocked(now) || DaxEntry.order(now) < order || DaxEntry.start(now, index) != key;
            }, relock);
            sleptOn = key;
        }
    }

    /**
     * Passes on a wake the caller may have consumed while waiting for {@code entry} and did not use, as it did
     * not lock the entry (kernel: {@code put_unlocked_entry(..., WAKE_NEXT)}).
     */
    void putUnlocked(long start, long entry) {
        if (entry != NONE && entry != CONFLICT) {
            waiters.wakeNext(id, start);
        }
    }

    /**
     * Locks the entry for a fault of {@code order} at {@code index}, which the caller aligned to it (kernel:
     * {@code grab_mapping_entry}): {@link #CONFLICT} (FALLBACK) for a PMD request over PTE entries; for an order-0
     * request over a zero or empty PMD entry, the PMD entry is removed (PTE beats PMD) and an order-0 one
     * inserted; otherwise the existing entry is locked, or a locked EMPTY entry inserted.
     *
     * @return the locked entry, as stored, or {@link #CONFLICT}
     */
    long grab(long index, int order) {
        lock.lock();
        try {
            long e = getUnlocked(index, order);
            if (e == CONFLICT) {
                return CONFLICT;
            }
            if (order == 0 && DaxEntry.isPmd(e) && (DaxEntry.isZero(e) || DaxEntry.isEmpty(e))) {
                downgrade(index & ~DaxEntry.PMD_COLOUR, e);
                e = NONE;
            }
            long locked = DaxEntry.locked(e != NONE ? e : DaxEntry.empty(order));
            entries.put(DaxEntry.start(locked, index), locked);
            return locked;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes a zero or empty PMD entry so that PTE entries can take its place: lock it, unmap the zero page's
     * views (without the lock), disassociate (nothing, for these kinds), erase, wake every waiter. Caller holds
     * the lock. If the views cannot be revoked (I/O in flight) the entry is unlocked again and the failure
     * propagates.
     */
    private void downgrade(long start, long e) {
        entries.put(start, DaxEntry.locked(e)); // keeps the entry ours while the lock is dropped
        if (DaxEntry.isZero(e)) {
            lock.unlock();
            try {
                views.revoke(start, start + DaxEntry.PMD_PAGES);
            } catch (RuntimeException | Error failure) {
                lock.lock();
                entries.put(start, e);
                waiters.wakeNext(id, start);
                throw failure;
            }
            lock.lock();
        }
        association.disassociate(e);
        entries.erase(start);
        waiters.wakeAll(id, start);
    }

    /**
     * Unlocks the entry at {@code start}, storing {@code entry} without its lock bit, and wakes the next waiter
     * (kernel: {@code dax_unlock_entry}).
     *
     * @throws IllegalStateException if the stored entry is not locked (an unlock without a lock)
     */
    void unlock(long start, long entry) {
        lock.lock();
        try {
            long old = entries.get(start);
            if (!DaxEntry.isLocked(old) || DaxEntry.start(old, start) != start) {
                throw new IllegalStateException("mapping " + id + ", index " + start + ": unlock of entry "
                        + DaxEntry.describe(old) + ", which is not locked there");
            }
            entries.put(start, DaxEntry.unlocked(entry));
        } finally {
            lock.unlock();
        }
        waiters.wakeNext(id, start);
    }

    /**
     * Erases the locked EMPTY entry at {@code start}, which a caller inserted and found no use for, and wakes every
     * waiter: each looks again and finds no entry (kernel: what {@code dax_unlock_entry} would leave, minus the
     * empty entry itself).
     */
    void eraseLocked(long start) {
        lock.lock();
        try {
            long old = entries.get(start);
            if (!DaxEntry.isLocked(old) || !DaxEntry.isEmpty(old) || DaxEntry.start(old, start) != start) {
                throw new IllegalStateException("mapping " + id + ", index " + start + ": erase of entry "
                        + DaxEntry.describe(old) + ", which is not a locked empty entry there");
            }
            entries.erase(start);
        } finally {
            lock.unlock();
        }
        waiters.wakeAll(id, start);
    }

    /** Replaces the locked entry at {@code start} by {@code entry} (kept locked). */
    void store(long start, long entry) {
        assert DaxEntry.isLocked(entry);
        lock.lock();
        try {
            assert DaxEntry.isLocked(entries.get(start));
            entries.put(start, entry);
        } finally {
            lock.unlock();
        }
    }

    void mark(long start, Mark mark) {
        lock.lock();
        try {
            entries.setMark(start, mark);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Locks the existing entry covering {@code index} (kernel: {@code dax_lock_mapping_entry}, as memory
     * failure uses it), waiting while another holder has it.
     *
     * @return the locked entry and its start, or null if there is no entry
     */
    long[] lockExisting(long index) {
        lock.lock();
        try {
            long e = getUnlocked(index, 0);
            if (e == NONE) {
                return null;
            }
            long start = DaxEntry.start(e, index);
            entries.put(start, DaxEntry.locked(e));
            return new long[] {start, DaxEntry.locked(e)};
        } finally {
            lock.unlock();
        }
    }

    /** Revokes the views of pages {@code [start, end)}; the caller holds the entry lock there. */
    void revokeViews(long start, long end) {
        views.revoke(start, end);
    }

    int waitersOn(long start) {
        return waiters.waiters(id, start);
    }
}
