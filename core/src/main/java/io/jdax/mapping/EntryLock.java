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

    /** First file page of the locked entry. */
    public long index() {
        return index;
    }

    /** Kernel: {@code dax_unlock_mapping_entry}. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            locks.unlock(index, entry);
        }
    }
}
