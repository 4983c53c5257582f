package io.jdax.mapping;

import io.jdax.memory.WindowGroup;

import java.lang.foreign.MemorySegment;

/**
 * One mapped entry of a {@link Mapping}, as a {@link MemorySegment} (kernel: the page-table entry a DAX fault
 * installs). A view of a folio holds one reference and one map count on it; a view of a hole maps the shared
 * zero page, read-only, and holds nothing. A read fault's view is read-only, so that every write goes through
 * a write fault, which marks the entry DIRTY.
 *
 * <p>{@link #close()} drops the view's counts; the mapping revokes views when it breaks layouts (truncate, hole
 * punch, close), after which {@link #segment()} and every access through a segment taken earlier throw
 * {@link IllegalStateException}: never a read of memory the file no longer owns. Revocation works by group
 * (views of neighbouring indices share one arena, so that one thread handshake revokes them all): breaking a
 * range also revokes the views of its group that lie outside it; they drop their counts, and a new fault maps
 * the page again. On JDK 25 a thread whose access is cut by the revocation can also be left with its interrupt
 * status set: see {@link WindowGroup}.
 */
public final class MappingView implements AutoCloseable {

    private final WindowGroup.View view;
    private final long head;
    private final long index;
    private final int order;
    private final boolean writable;
    private final MemorySegment bytes;

    MappingView(WindowGroup.View view, long head, long index, int order, boolean writable, MemorySegment bytes) {
        this.view = view;
        this.head = head;
        this.index = index;
        this.order = order;
        this.writable = writable;
        this.bytes = bytes;
    }

    /**
     * The mapped bytes: {@code pageCount()} pages from file page {@link #index()}.
     *
     * @return the segment of the view's window; valid only while the view is open
     * @throws IllegalStateException if the view is closed or revoked
     */
    public MemorySegment segment() {
        if (!view.isOpen()) {
            throw new IllegalStateException(this + " is closed or revoked: fault the page again");
        }
        return bytes;
    }

    /** {@return the first file page the view maps: the start of its entry} */
    public long index() {
        return index;
    }

    /** {@return the order of the entry the view maps: 0 or {@link Mapping#PMD_ORDER}} */
    public int order() {
        return order;
    }

    /** {@return the number of pages the view maps, 2^{@link #order()}} */
    public long pageCount() {
        return 1L << order;
    }

    /** {@return whether the view was made by a write fault} */
    public boolean isWritable() {
        return writable;
    }

    /** {@return whether the view maps the shared zero page (a read of a hole)} */
    public boolean isZeroPage() {
        return head < 0;
    }

    /** {@return the head pfn of the folio mapped, or -1 for the zero page} */
    public long pfn() {
        return head;
    }

    /** {@return whether the view is neither closed nor revoked} */
    public boolean isOpen() {
        return view.isOpen();
    }

    /** Drops the view's reference and map count. Idempotent; a no-op after revocation, which dropped them. */
    @Override
    public void close() {
        view.close();
    }

    @Override
    public String toString() {
        return "MappingView[index " + index + ", order " + order + (head < 0 ? ", zero page" : ", pfn " + head)
                + (writable ? ", rw" : ", ro") + "]";
    }
}
