package io.jdax.store;

import io.jdax.mapping.MappingPin;
import io.jdax.page.PageMap;

/**
 * A pin of the block behind one page of a {@link DaxFile}, for I/O in flight (kernel: a {@code FOLL_PIN}
 * reference taken by {@code pin_user_pages} on a DAX file, as direct I/O and RDMA do). Unlike a
 * {@link FileView} it cannot be revoked: truncate, hole punch and delete of its page wait until it is closed,
 * and {@link #waiters()} shows them waiting. Close it when the I/O is done.
 */
public final class FilePin implements AutoCloseable {

    private final MappingPin pin;
    private final PageMap map;
    private final long pfn;

    FilePin(MappingPin pin, PageMap map, long page) {
        this.pin = pin;
        this.map = map;
        this.pfn = pin.pfn() < 0 ? -1 : pin.pfn() + (page - pin.index());
    }

    /**
     * The page of the store's region pinned.
     *
     * @return the pfn, or -1 for a hole (the shared zero page, which nothing waits for)
     */
    public long pfn() {
        return pfn;
    }

    /**
     * The threads waiting for the pinned block to become idle: a truncate, hole punch or delete of its range
     * waiting for this pin (and any other) to go. A snapshot.
     *
     * @return the number of waiters, 0 for a hole
     */
    public int waiters() {
        return pin.pfn() < 0 ? 0 : map.idleWaiterCount(pin.pfn());
    }

    /**
     * Whether the pin is still held.
     *
     * @return whether {@link #close} was not called yet
     */
    public boolean isOpen() {
        return pin.isOpen();
    }

    /** Releases the pin (kernel: {@code unpin_user_page}); a truncate waiting for it then goes on. Idempotent. */
    @Override
    public void close() {
        pin.close();
    }

    @Override
    public String toString() {
        return "FilePin[" + (pfn < 0 ? "zero page" : "pfn " + pfn) + (isOpen() ? "" : ", closed") + "]";
    }
}
