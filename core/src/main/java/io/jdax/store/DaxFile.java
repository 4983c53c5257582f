package io.jdax.store;

import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingEntry;
import io.jdax.mapping.MappingPin;
import io.jdax.mapping.MappingView;
import io.jdax.mapping.Mark;
import io.jdax.mapping.OutOfSpaceException;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * One file of a {@link DaxStore}. Reads and writes copy through the file's entries without a view (kernel:
 * {@code dax_iomap_rw}): each entry is locked for its part of the copy, which makes a read or write within one
 * entry (a 4 KiB page, or a 2 MiB block) atomic against other reads and writes of it, and a write marks the
 * entry DIRTY before its bytes go in. {@link #map} returns zero-copy views. Thread-safe; writes that grow the
 * file serialise on the file, others run in parallel.
 */
public final class DaxFile {

    private static final long PAGE = DaxStore.PAGE;

    private final DaxStore store;
    private final String name;
    private final Mapping mapping;
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder bytesFlushed = new LongAdder();
    private volatile boolean deleted;
    private volatile boolean poisoned;

    DaxFile(DaxStore store, String name, Mapping mapping, boolean poisoned) {
        this.store = store;
        this.name = name;
        this.mapping = mapping;
        this.poisoned = poisoned;
    }

    /**
     * The file's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The file's size in bytes.
     *
     * @return the size
     */
    public long size() {
        return mapping.size();
    }

    DaxStore store() {
        return store;
    }

    Mapping mapping() {
        return mapping;
    }

    /**
     * Whether a memory failure hit a page of the file: its reads, writes and maps then fail.
     *
     * @return whether poisoned
     */
    public boolean isPoisoned() {
        return poisoned;
    }

    /**
     * Whether the file was deleted.
     *
     * @return whether deleted
     */
    public boolean isDeleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
    }

    void markPoisoned() {
        poisoned = true;
        store.metadataChanged();
    }

    void checkUsable() {
        store.checkOpen();
        if (deleted) {
            throw new IllegalStateException("file '" + name + "' was deleted");
        }
        if (poisoned) {
            throw new IllegalStateException("file '" + name + "' is poisoned: a memory failure hit one of its pages");
        }
    }

    // ------------------------------------------------------------------ copy in and out

    /**
     * Copies bytes from offset {@code offset} of the file into {@code dst}: as many as {@code dst} holds, fewer
     * at the end of the file. Holes read as zeros.
     *
     * @param offset first byte, at most {@link #size()}
     * @param dst    where to copy to
     * @return bytes copied: 0 at the end of the file
     * @throws IllegalArgumentException if {@code offset} is negative or past the end
     * @throws IllegalStateException    if the file is deleted or poisoned, or the store closed
     */
    public long read(long offset, MemorySegment dst) {
        Objects.requireNonNull(dst, "dst");
        checkUsable();
        long size = size();
        if (offset < 0 || offset > size) {
            throw new IllegalArgumentException("read offset " + offset + " outside [0, " + size + "] of " + this);
        }
        long done = mapping.read(offset, dst);
        bytesRead.add(done);
        return done;
    }

    /**
     * {@link #read(long, MemorySegment)} into {@code dst[off, off + len)}.
     *
     * @param offset first byte of the file, at most {@link #size()}
     * @param dst    the array
     * @param off    first index of {@code dst}
     * @param len    bytes asked for
     * @return bytes copied
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code dst}
     * @throws IllegalArgumentException  if {@code offset} is negative or past the end
     * @throws IllegalStateException     if the file is deleted or poisoned, or the store closed
     */
    public int read(long offset, byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        return (int) read(offset, MemorySegment.ofArray(dst).asSlice(off, len));
    }

    /**
     * Copies {@code src} to offset {@code offset} of the file, growing it if the bytes end past its size (a
     * gap reads as zeros). The written entries are marked DIRTY: {@link #fsync} makes them durable.
     *
     * <p>A write that finds the store full throws {@link OutOfSpaceException}: its first
     * {@link OutOfSpaceException#written()} bytes are written (whole entries, in order), the rest are not, and
     * the file keeps the size the write gave it (a grown part that was not written reads as zeros; bytes below
     * the old size keep what they held). As with a short {@code write(2)}, what to keep is the caller's call:
     * truncate to drop the tail, or free space and write the rest.
     *
     * @param offset first byte, non-negative
     * @param src    the bytes
     * @throws IllegalArgumentException if {@code offset} is negative or the end would pass the largest size
     * @throws OutOfSpaceException      if the store has no free block for a page the write needs
     * @throws IllegalStateException    if the file is deleted or poisoned, or the store closed
     */
    public void write(long offset, MemorySegment src) {
        Objects.requireNonNull(src, "src");
        checkUsable();
        long n = src.byteSize();
        if (offset < 0 || offset > Long.MAX_VALUE - n) {
            throw new IllegalArgumentException("write offset " + offset + " of " + n + " bytes to " + this
                    + ": negative or overflowing");
        }
        long end = offset + n;
        if (end > size()) {
            grow(end);
        }
        try {
            mapping.write(offset, src);
        } catch (IllegalArgumentException shrunk) {
            checkUsable(); // deleted meanwhile: say so
            throw new IllegalStateException("write of " + n + " bytes at offset " + offset + " to " + this
                    + ": the file shrank meanwhile", shrunk);
        } catch (OutOfSpaceException full) {
            bytesWritten.add(full.written());
            throw new OutOfSpaceException("write of " + n + " bytes at offset " + offset + " to " + this + ": the "
                    + "store is full; the first " + full.written()
                    + " bytes are written, the rest are not, and the file's size stays " + size(), full.written(),
                    full);
        }
        bytesWritten.add(n);
    }

    /**
     * {@link #write(long, MemorySegment)} of {@code src[off, off + len)}.
     *
     * @param offset first byte of the file, non-negative
     * @param src    the array
     * @param off    first index of {@code src}
     * @param len    bytes to write
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code src}
     * @throws IllegalArgumentException  if {@code offset} is negative or the end would overflow
     * @throws OutOfSpaceException       if the store has no free block for a page the write needs (see
     *                                   {@link #write(long, MemorySegment)} for what is written)
     * @throws IllegalStateException     if the file is deleted or poisoned, or the store closed
     */
    public void write(long offset, byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        write(offset, MemorySegment.ofArray(src).asSlice(off, len));
    }

    /**
     * Grows the file to {@code end} bytes, first zeroing the old last page past the old end (kernel: what
     * {@code xfs_zero_eof} does on extension): a shrink keeps that page's block with whatever lay past the new
     * end, and after a crash the page may hold bytes written when the file was longer.
     */
    private void grow(long end) {
        grow(end, Long.MAX_VALUE);
    }

    /**
     * {@link #grow(long)}, zeroing the old last page only below {@code zeroLimit}: a reflink that grows the file
     * starts its range there, and the pages from there on are the source's blocks. The zeros go in by a copy
     * (under the entry lock, marking it DIRTY), never through a view a concurrent writeback could revoke.
     */
    synchronized void grow(long end, long zeroLimit) {
        long old = size();
        if (end <= old) {
            return;
        }
        try {
            mapping.truncate(end); // growing only sets the size: nothing to wait for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while growing " + this, e);
        }
        store.metadataChanged(); // after the change: a commit that saw the count saw the size
        long tailEnd = Math.min(Math.min(end, old - old % PAGE + PAGE), zeroLimit);
        if (old % PAGE != 0 && tailEnd > old) {
            boolean hole;
            try (MappingPin p = mapping.pin(old / PAGE, false)) {
                hole = p.pfn() < 0;
            }
            if (!hole) {
                mapping.write(old, MemorySegment.ofArray(new byte[(int) (tailEnd - old)]));
            }
        }
    }

    // ------------------------------------------------------------------ views

    /**
     * Maps bytes {@code [offset, offset + length)} for zero-copy access. The range must lie inside one entry:
     * one page, or one 2 MiB block of a file whose size and alignment gave it one. A writable view marks the
     * entry DIRTY; writeback revokes writable views (write protection), after which a write through the view
     * throws and the caller maps again. Close the view when done; truncate, hole punch, delete and memory
     * failure revoke it.
     *
     * @param offset first byte
     * @param length bytes, positive
     * @param write  whether to write through it
     * @return the view
     * @throws IllegalArgumentException if the range is negative, empty, passes the end of the file, or spans
     *                                  more than one entry
     * @throws IllegalStateException    if the file is deleted or poisoned, or the store closed
     */
    public FileView map(long offset, long length, boolean write) {
        checkUsable();
        long size = size();
        if (offset < 0 || length <= 0 || offset > size - length) {
            throw new IllegalArgumentException("map of [" + offset + ", " + offset + " + " + length + ") outside the "
                    + size + " bytes of " + this);
        }
        MappingView v = mapping.map(offset / PAGE, write);
        long in = offset - v.index() * PAGE;
        if (in + length > v.pageCount() * PAGE) {
            v.close();
            throw new IllegalArgumentException("map of " + length + " bytes at offset " + offset + " spans more than "
                    + "the " + v.pageCount() * PAGE + "-byte entry at offset " + v.index() * PAGE + " of " + this);
        }
        return new FileView(v, in, length, store.pageMap());
    }

    /**
     * Pins the block behind byte {@code offset} for I/O in flight (a hole is pinned as the zero page). Unlike a
     * view, a pin is not revoked: truncate, hole punch and delete of its page wait until it is closed.
     *
     * @param offset a byte of the page to pin, in {@code [0, size())}
     * @param write  whether the I/O writes the page (a hole then gets a block, and the entry is marked DIRTY)
     * @return the pin
     * @throws IllegalArgumentException if {@code offset} is negative or not before the end of the file
     * @throws IllegalStateException    if the file is deleted or poisoned, or the store closed
     */
    public FilePin pin(long offset, boolean write) {
        checkUsable();
        long size = size();
        if (offset < 0 || offset >= size) {
            throw new IllegalArgumentException("pin of offset " + offset + " outside the " + size + " bytes of " + this);
        }
        return new FilePin(mapping.pin(offset / PAGE, write), store.pageMap(), offset / PAGE);
    }

    // ------------------------------------------------------------------ size and holes

    /**
     * Sets the size. Shrinking revokes the views past the new end, waits until none of those pages is pinned,
     * and gives their blocks back.
     *
     * @param newSize the size, non-negative
     * @throws IllegalArgumentException if {@code newSize} is negative or too large; nothing is changed
     * @throws IllegalStateException    if the file is deleted or poisoned, or the store closed
     * @throws InterruptedException     if interrupted while waiting: nothing is changed
     */
    public synchronized void truncate(long newSize) throws InterruptedException {
        checkUsable();
        long old = size();
        if (newSize > old) {
            grow(newSize);
        } else {
            mapping.truncate(newSize, StoreEvents.idleWaits(name, "truncate", old - newSize));
            store.metadataChanged();
        }
    }

    /**
     * Punches a hole: bytes {@code [offset, offset + length)} read as zeros and their blocks go back.
     *
     * @param offset first byte, a multiple of {@link DaxStore#PAGE}
     * @param length bytes, a multiple of {@link DaxStore#PAGE}; the range within the size
     * @throws IllegalArgumentException if the range is negative, unaligned or past the end; nothing is changed
     * @throws IllegalStateException    if the file is deleted or poisoned, or the store closed
     * @throws InterruptedException     if interrupted while waiting: nothing is changed
     */
    public void punchHole(long offset, long length) throws InterruptedException {
        checkUsable();
        if (offset < 0 || length < 0 || offset % PAGE != 0 || length % PAGE != 0 || offset > size() - length) {
            throw new IllegalArgumentException("hole [" + offset + ", " + offset + " + " + length + ") of " + this
                    + ": must be page aligned and within its " + size() + " bytes");
        }
        mapping.punchHole(offset, offset + length, StoreEvents.idleWaits(name, "punchHole", length));
    }

    // ------------------------------------------------------------------ durability

    /**
     * Makes the file durable: writes back its dirty entries (exactly their extents) and commits the store's
     * metadata (its size and extents, and those of every other file).
     *
     * @return bytes of file data flushed
     * @throws IllegalStateException if the file is deleted, the store closed, or a writable view is in use by
     *                               I/O in flight
     */
    public long fsync() {
        store.checkOpen();
        if (deleted) {
            throw new IllegalStateException("file '" + name + "' was deleted");
        }
        long flushed = writebackData();
        store.commit();
        return flushed;
    }

    long writebackData() {
        StoreEvents.Writeback event = new StoreEvents.Writeback();
        event.begin();
        long flushed = mapping.sync();
        bytesFlushed.add(flushed);
        if (event.shouldCommit()) {
            event.file = name;
            event.bytes = flushed;
            event.commit();
        }
        return flushed;
    }

    /**
     * The file's statistics.
     *
     * @return a snapshot
     */
    public FileStats stats() {
        var extents = store.source().extents(mapping);
        long huge = extents.stream().filter(e -> e.order() == Mapping.PMD_ORDER).count();
        long dirty = 0;
        for (long i = mapping.nextMarked(Mark.DIRTY, 0, Mapping.MAX_INDEX + 1); i >= 0;) {
            dirty++;
            MappingEntry e = mapping.entry(i);
            long next = i + (e == null ? 1 : 1L << e.order());
            i = mapping.nextMarked(Mark.DIRTY, next, Mapping.MAX_INDEX + 1);
        }
        return new FileStats(name, size(), extents.size(), huge, dirty, bytesRead.sum(), bytesWritten.sum(),
                bytesFlushed.sum(), poisoned);
    }

    @Override
    public String toString() {
        return "DaxFile['" + name + "', " + size() + " bytes" + (deleted ? ", deleted" : "")
                + (poisoned ? ", poisoned" : "") + "]";
    }
}
