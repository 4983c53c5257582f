package io.jdax.mapping;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A held entry lock (kernel: the cookie of {@code dax_lock_mapping_entry}): while it is held no fault, pin or
 * layout break of the mapping touches the entry. {@link #close()} unlocks and wakes the next waiter.
 */
public final class EntryLock implements AutoCloseable {

    private final EntryLocks locks;
    private final long index;
    private final long entry;
    private final AtomicBoolean closed = new AtomicBoolean();

    EntryLock(EntryLocks locks, long index, long entry) {
        this.locks = locks;
        this.index = index;
        this.entry = entry;
    }

    /** {@return the first file page of the locked entry} */
    public long index() {
        return index;
    }

    /**
     * First page of the folio the entry maps.
     *
     * @return the pfn, or -1 for a zero-page or empty entry
     */
    public long pfn() {
        return DaxEntry.mapsFolio(entry) ? DaxEntry.pfn(entry) : -1;
    }

    /**
     * Pages the entry covers.
     *
     * @return 1, or 512 for a PMD entry
     */
    public long pageCount() {
        return DaxEntry.pages(entry);
    }

    /**
     * Revokes every view of the entry (kernel: the {@code unmap_mapping_range} of memory failure): later
     * accesses through them throw; a new fault needs this lock.
     *
     * @throws IllegalStateException if the lock is released, or a view is in use by I/O in flight
     */
    public void revokeViews() {
        if (closed.get()) {
            throw new IllegalStateException("entry lock at " + index + " is released");
        }
        locks.revokeViews(index, index + DaxEntry.pages(entry));
    }

    /** Kernel: {@code dax_unlock_mapping_entry}. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            locks.unlock(index, entry);
        }
    }
}
