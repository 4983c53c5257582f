package io.jdax.mapping;

import io.jdax.page.PageMap;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pin of one entry's folio: a reference held for I/O in flight (kernel: a {@code FOLL_PIN} reference taken by
 * {@code pin_user_pages} on a DAX mapping). Unlike a view it holds no map count and cannot be revoked: breaking
 * the layout of its range waits until it is closed. A pin of a hole holds the zero page, which needs no waiting.
 */
public final class MappingPin implements AutoCloseable {

    private final PageMap map;
    private final long head;
    private final long index;
    private final AtomicBoolean closed = new AtomicBoolean();

    MappingPin(PageMap map, long head, long index) {
        this.map = map;
        this.head = head;
        this.index = index;
    }

    /** {@return the head pfn of the pinned folio, or -1 for the zero page} */
    public long pfn() {
        return head;
    }

    /** {@return the first file page of the pinned entry} */
    public long index() {
        return index;
    }

    /** {@return whether the pin is still held, {@link #close} not having been called} */
    public boolean isOpen() {
        return !closed.get();
    }

    /** Releases the pin (kernel: {@code unpin_user_page}); may let a waiting truncate go on. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && head >= 0) {
            map.pins().unpin(head);
        }
    }

    @Override
    public String toString() {
        return "MappingPin[index " + index + (head < 0 ? ", zero page" : ", pfn " + head) + (isOpen() ? "" : ", closed")
                + "]";
    }
}
