package io.jdax.store;

import io.jdax.mapping.MappingView;

import java.lang.foreign.MemorySegment;

/**
 * A zero-copy view of a range of a {@link DaxFile}, inside one of its entries. Close it when done.
 */
public final class FileView implements AutoCloseable {

    private final MappingView view;
    private final long offset;
    private final long length;

    FileView(MappingView view, long offset, long length) {
        this.view = view;
        this.offset = offset;
        this.length = length;
    }

    /**
     * The mapped bytes; read-only unless the view was made for writing.
     *
     * @return a segment of the range's length
     * @throws IllegalStateException if the view is closed or was revoked (writeback of a writable view,
     *                               truncate, hole punch, delete, memory failure): map again
     */
    public MemorySegment segment() {
        return view.segment().asSlice(offset, length);
    }

    /**
     * The page of the store's region the view's first byte lies in (what {@link DaxStore#memoryFailure} takes).
     *
     * @return the pfn, or -1 for a hole (the shared zero page)
     */
    public long pfn() {
        return view.isZeroPage() ? -1 : view.pfn() + offset / DaxStore.PAGE;
    }

    /**
     * Whether the view is neither closed nor revoked.
     *
     * @return whether usable
     */
    public boolean isOpen() {
        return view.isOpen();
    }

    /** Drops the view's hold on the file's page. Idempotent. */
    @Override
    public void close() {
        view.close();
    }
}
