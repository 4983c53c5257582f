package io.jdax.store;

import io.jdax.mapping.MappingView;
import io.jdax.page.FolioOwners;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;

/**
 * A zero-copy view of a range of a {@link DaxFile}, inside one of its entries. Close it when done.
 */
public final class FileView implements AutoCloseable {

    private final MappingView view;
    private final long offset;
    private final long length;
    private final PageMap map;

    FileView(MappingView view, long offset, long length, PageMap map) {
        this.view = view;
        this.offset = offset;
        this.length = length;
        this.map = map;
    }

    /**
     * The mapped bytes; read-only unless the view was made for writing.
     *
     * @return a segment of the range's length
     * @throws IllegalStateException if the view is closed or was revoked (writeback of a writable view,
     *                               truncate, hole punch, delete, memory failure): map again. On JDK 25 a
     *                               thread whose access is cut by a revocation can also find its interrupt
     *                               status set, spuriously (JDK-8306324): see {@code io.jdax.memory.WindowGroup}
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
     * How many files map the view's block (kernel: the {@code mapping} / {@code share} fields fs/dax.c keeps in
     * the folio): 1 while one file owns it; once files that share it by reflink have both mapped it, the number
     * of those that did. A snapshot: faults and truncates of the sharing files change it.
     *
     * @return the count, 0 for a hole (the shared zero page)
     */
    public long shareCount() {
        long head = view.pfn();
        if (head < 0) {
            return 0;
        }
        FolioOwners owners = map.owners();
        for (;;) {
            try {
                return owners.isShared(head) ? owners.share(head) : owners.mapping(head) != 0 ? 1 : 0;
            } catch (IllegalStateException changed) {
                // a sharer let go between the two reads and one file owns it again: read again
            }
        }
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
