package io.jdax.mapping;

import static io.jdax.mapping.DaxEntry.NONE;

import io.jdax.page.FolioOwners;
import io.jdax.page.PageMap;
import io.jdax.wait.SleepCallback;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One file over a dax page map (kernel: an {@code address_space} as fs/dax.c drives it): a sparse map from page
 * index to entry, entry locks, DIRTY / TOWRITE marks, faults that map the file's folios as revocable
 * {@link MappingView views}, pins for I/O, and layout breaking for truncate and hole punch. Made by
 * {@link MappingSpace#open}. Thread-safe.
 *
 * <h2>Faults</h2>
 * {@link #map} locks the entry of the asked range (an order-{@link #PMD_ORDER} entry for a PMD fault, else order
 * 0; a PMD fault over PTE entries falls back to a PTE fault, and a PTE fault over a zero or empty PMD entry
 * removes it), asks the {@link ExtentSource} where the page lives, associates the folio with this mapping
 * (the first file owns it; a reflinked folio counts its sharers), takes a reference and a map count for the
 * view, and unlocks. A read of a hole maps the shared zero page, replaced (its views revoked) by the first
 * write fault; a write fault marks the entry DIRTY, and TOWRITE too when the extent is shared. When the entry
 * is already there the fault does not associate again: the kernel's disassociate-then-associate of a
 * shared folio there nets to nothing, and of an owned one would split a folio that views still reference.
 *
 * <h2>Breaking layouts</h2>
 * A page is busy while {@code refcount - mapcount != 0}: someone besides the views (a pin, I/O) holds it.
 * {@link #breakLayouts} blocks faults of this mapping, revokes the range's views, waits until no folio of the
 * range is busy, then deletes the range's entries (disassociating their folios: at share 0 a large folio is
 * split back into idle order-0 pages). {@link #truncate}, {@link #punchHole} and {@link #close} build on it.
 * Afterwards no page of the range is referenced by this mapping and every access through an old view throws.
 *
 * <p>Lock order: the invalidate lock (faults shared, layout breaks exclusive; kernel:
 * {@code mapping->invalidate_lock}), an entry lock, the entry map's lock, a folio association stripe.
 */
public final class Mapping implements AutoCloseable {

    /** Largest mapping id a folio's owner word holds. */
    public static final long MAX_MAPPING_ID = FolioOwners.MAX_MAPPING_ID;
    /** Largest page index a folio's owner word holds. */
    public static final long MAX_INDEX = FolioOwners.MAX_INDEX;
    /** Order of a PMD entry: 512 pages. */
    public static final int PMD_ORDER = DaxEntry.PMD_ORDER;

    private static final long END = MAX_INDEX + 1;

    private final MappingSpace space;
    private final ExtentSource source;
    private final PageMap map;
    private final long id;
    private final int faultOrder;
    private final int pageShift;
    private final ViewGroups views;
    private final EntryLocks locks;
    private final Association association;
    private final LayoutBreaker breaker;
    private final Writeback writeback;
    private final Faults faults;
    /** Run by a writeback between an entry's TOWRITE clear and its flush; tests only. */
    volatile LongConsumer writebackHook;
    private final ReentrantReadWriteLock invalidate = new ReentrantReadWriteLock();
    private volatile long size;       // written under the invalidate write lock
    private volatile boolean closed;  // written under the invalidate write lock

    Mapping(MappingSpace space, ExtentSource source, long id, long size, int faultOrder) {
        this.space = space;
        this.source = source;
        this.map = space.pageMap();
        this.id = id;
        this.size = size;
        this.faultOrder = faultOrder;
        this.pageShift = map.pageShift();
        this.views = new ViewGroups(space);
        this.association = space.association();
        this.locks = new EntryLocks(id, space.waiters(), association, views);
        this.breaker = new LayoutBreaker(map, id, locks, views, association, space.waiters());
        this.writeback = new Writeback(id, map, locks, views);
        this.faults = new Faults(this, id, map, source, locks, views, association);
    }

    static void checkSize(long size, int pageShift) {
        if (size < 0 || size > maxSize(pageShift)) {
            throw new IllegalArgumentException("file size " + size + " outside [0, " + maxSize(pageShift) + "]");
        }
    }

    private static long maxSize(int pageShift) {
        return pageShift + 39 >= Long.SIZE - 1 ? Long.MAX_VALUE : END << pageShift;
    }

    /** {@return the id this mapping's folios carry as their owner, in [1, {@link #MAX_MAPPING_ID}]} */
    public long id() {
        return id;
    }

    /** {@return the extent source saying where the file's pages live} */
    public ExtentSource source() {
        return source;
    }

    /** {@return the dax page map the file's pages live in} */
    public PageMap pageMap() {
        return map;
    }

    /** {@return the file size in bytes} */
    public long size() {
        return size;
    }

    /** {@return the largest order {@link #map(long, boolean)} faults at: {@link #PMD_ORDER} or 0} */
    public int faultOrder() {
        return faultOrder;
    }

    /** {@return whether the mapping is not closed yet} */
    public boolean isOpen() {
        return !closed;
    }

    // ------------------------------------------------------------------ faults

    /** {@link #map(long, boolean, int)} at this mapping's {@link #faultOrder()}; throws as it does.
     * @param index file page to map, in [0, file pages)
     * @param write whether the view is for writing
     * @return a new open view of the entry covering {@code index} */
    public MappingView map(long index, boolean write) {
        return map(index, write, faultOrder);
    }

    /** Maps the entry covering page {@code index} (kernel: {@code dax_iomap_fault}): a PMD fault first if
     * {@code maxOrder} allows it and the PMD range lies inside the file, else, or on fallback, a PTE fault. The
     * view covers the whole entry: {@link MappingView#index()} is its first page.
     * @param index    file page to map, in [0, file pages)
     * @param write    whether the view is for writing (marks the entry DIRTY; a hole gets a block)
     * @param maxOrder largest order to map: 0 or {@link #PMD_ORDER}
     * @return a new open view of the entry covering {@code index}
     * @throws IndexOutOfBoundsException if {@code index} is at or past the end of the file (kernel: SIGBUS)
     * @throws IllegalArgumentException  if {@code maxOrder} is neither 0 nor {@link #PMD_ORDER}
     * @throws IllegalStateException     if the mapping is closed, the extent source fails, or a count would
     *                                   overflow; the entry is left unlocked
     */
    public MappingView map(long index, boolean write, int maxOrder) {
        return (MappingView) fault(index, write, checkOrder(maxOrder), faults.view);
    }

    /** Pins the folio backing page {@code index}, faulting it in under the entry lock first if need be (kernel:
     * {@code pin_user_pages} on a DAX mapping, whose fault-in step runs under the entry lock). The pin holds a
     * reference, no map count, and is not revoked: breaking the layout waits for it.
     * @param index file page to pin, in [0, file pages)
     * @param write whether the pin is for writing (a hole then gets a block)
     * @return a new pin of the folio backing {@code index}, or of the zero page for a read of a hole
     * @throws IndexOutOfBoundsException if {@code index} is at or past the end of the file
     * @throws IllegalStateException     if the mapping is closed or the extent source fails */
    public MappingPin pin(long index, boolean write) {
        return pin(index, write, faultOrder);
    }

    /** {@link #pin(long, boolean)} faulting at most at {@code maxOrder}; throws as it does, and
     * {@link IllegalArgumentException} if {@code maxOrder} is neither 0 nor {@link #PMD_ORDER}.
     * @param index    file page to pin, in [0, file pages)
     * @param write    whether the pin is for writing (a hole then gets a block)
     * @param maxOrder largest order to fault: 0 or {@link #PMD_ORDER}
     * @return a new pin of the folio backing {@code index}, or of the zero page for a read of a hole */
    public MappingPin pin(long index, boolean write, int maxOrder) {
        return (MappingPin) fault(index, write, checkOrder(maxOrder), faults.pin);
    }

    private static int checkOrder(int maxOrder) {
        if (maxOrder != 0 && maxOrder != PMD_ORDER) {
            throw new IllegalArgumentException("fault order " + maxOrder + ": 0 or " + PMD_ORDER);
        }
        return maxOrder;
    }

    /** A PMD attempt if {@code maxOrder} allows and the PMD range lies in the file, else or on fallback a PTE one. */
    private Object fault(long index, boolean write, int maxOrder, Faults.Use use) {
        invalidate.readLock().lock();
        try {
            checkOpen();
            long pages = pagesOf(size);
            if (index < 0 || index >= pages) {
                throw new IndexOutOfBoundsException("page " + index + " is outside the file of " + size + " bytes ("
                        + pages + " pages) of mapping " + id);
            }
            if (maxOrder == PMD_ORDER && (index | DaxEntry.PMD_COLOUR) < pages) {
                Object done = faults.at(index & ~DaxEntry.PMD_COLOUR, PMD_ORDER, write, use);
                if (done != null) {
                    return done;
                }
            }
            return faults.at(index, 0, write, use);
        } finally {
            invalidate.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ copies

    /** Copies the file's bytes from {@code pos} into {@code dst} without a view (kernel: {@code dax_iomap_rw} of a
     * read): entry by entry, each under its entry lock, faulting at {@link #faultOrder()} as {@link #map} does. A
     * copy is atomic against the other copies and faults of its entry; one that spans entries is not atomic as a
     * whole. Holes read as zeros and are left holes.
     * @param pos first byte of the file, in [0, {@link #size()}]
     * @param dst where to copy to: as many bytes as it holds, fewer at the end of the file
     * @return bytes copied, 0 at the end of the file
     * @throws IllegalArgumentException if {@code pos} is outside [0, {@link #size()}]
     * @throws IllegalStateException    if the mapping is closed, or a page copied from was poisoned */
    public long read(long pos, MemorySegment dst) {
        Objects.requireNonNull(dst, "dst");
        long n = copyLength(pos, dst.byteSize(), false);
        return copy(pos, dst, n, false);
    }

    /** Copies {@code src} into the file at {@code pos} without a view (kernel: {@code dax_iomap_rw} of a write),
     * entry by entry under each entry lock: holes get blocks, and each entry is marked DIRTY (and TOWRITE if
     * shared) before its bytes go in, so a writeback, which locks the entry to flush it, flushes them whole.
     * The range must lie in the file: grow it first with {@link #truncate}.
     * @param pos first byte of the file, {@code >= 0}
     * @param src the bytes
     * @throws IllegalArgumentException if the range passes the end of the file or {@code pos} is negative
     * @throws OutOfSpaceException      if the extent source is out of space: the bytes before the failing entry
     *                                  are written, {@link OutOfSpaceException#written()} says how many
     * @throws IllegalStateException    if the mapping is closed, or a page written was poisoned */
    public void write(long pos, MemorySegment src) {
        Objects.requireNonNull(src, "src");
        copy(pos, src, copyLength(pos, src.byteSize(), true), true);
    }

    private long copyLength(long pos, long bytes, boolean write) {
        long s = size;
        if (pos < 0 || pos > s || (write && bytes > s - pos)) {
            throw new IllegalArgumentException((write ? "write of " + bytes + " bytes at " : "read at ") + "offset "
                    + pos + ": outside the " + s + " bytes of mapping " + id);
        }
        return Math.min(bytes, s - pos);
    }

    private long copy(long pos, MemorySegment mem, long n, boolean write) {
        long done = 0;
        while (done < n) {
            Faults.Copy c = faults.new Copy(pos + done, mem, done, n - done);
            try {
                fault((pos + done) >>> pageShift, write, faultOrder, c);
            } catch (IndexOutOfBoundsException shrunk) {
                if (write) {
                    throw new IllegalStateException("mapping " + id + " shrank under a write at offset "
                            + (pos + done), shrunk);
                }
                break; // a read stops at the end the file has now
            } catch (OutOfSpaceException full) {
                long written = done + c.copied;
                throw new OutOfSpaceException("write of " + n + " bytes at offset " + pos + " to mapping " + id
                        + ": " + full.getMessage() + "; the first " + written + " bytes are written, the rest "
                        + "are not", written, full);
            }
            done += c.copied;
        }
        return done;
    }

    /** Locks the entry covering page {@code index}, waiting while someone else holds it (kernel:
     * {@code dax_lock_mapping_entry}, as memory failure uses it).
     * @param index file page, in [0, {@link #MAX_INDEX}]
     * @return the held lock, or null if no entry covers the page
     * @throws IndexOutOfBoundsException if {@code index} is outside [0, {@link #MAX_INDEX}] */
    public EntryLock lockEntry(long index) {
        checkIndex(index);
        long[] held = locks.lockExisting(index);
        return held == null ? null : new EntryLock(locks, held[0], held[1]);
    }

    // ------------------------------------------------------------------ entries and marks

    /** The entry covering a page.
     * @param index file page, in [0, {@link #MAX_INDEX}]
     * @return a snapshot of the entry covering {@code index}, or null if none does
     * @throws IndexOutOfBoundsException if {@code index} is outside [0, {@link #MAX_INDEX}] */
    public MappingEntry entry(long index) {
        checkIndex(index);
        locks.lock.lock();
        try {
            long e = locks.entries.get(index);
            if (e == NONE) {
                return null;
            }
            long start = DaxEntry.start(e, index);
            return MappingEntry.of(start, e, locks.entries.isMarked(start, Mark.DIRTY),
                    locks.entries.isMarked(start, Mark.TOWRITE));
        } finally {
            locks.lock.unlock();
        }
    }

    /** {@return the pages covered by entries (kernel: {@code mapping->nrpages})} */
    public long nrPages() {
        locks.lock.lock();
        try {
            return locks.entries.pages();
        } finally {
            locks.lock.unlock();
        }
    }

    /** {@return the number of entries} */
    public long entryCount() {
        locks.lock.lock();
        try {
            return locks.entries.entries();
        } finally {
            locks.lock.unlock();
        }
    }

    /** The first page of the first entry marked {@code mark} that covers a page in {@code [from, to)}, or -1;
     * visits marked entries only. Walk a range with {@code next = nextMarked(mark, found + entry pages, to)}.
     * @param mark the mark to look for
     * @param from first file page of the range, {@code >= 0}
     * @param to   page after the range, {@code >= from}
     * @return the first page of the entry found, or -1 if none
     * @throws NullPointerException     if {@code mark} is null
     * @throws IllegalArgumentException if the range is negative or reversed */
    public long nextMarked(Mark mark, long from, long to) {
        Objects.requireNonNull(mark, "mark");
        checkRange(from, to);
        locks.lock.lock();
        try {
            return locks.entries.nextMarked(mark, from, to);
        } finally {
            locks.lock.unlock();
        }
    }

    /** {@return the number of threads waiting for the lock of the entry starting at page {@code index}}
     * @param index file page, in [0, {@link #MAX_INDEX}]
     * @throws IndexOutOfBoundsException if {@code index} is outside [0, {@link #MAX_INDEX}] */
    public int entryWaiters(long index) {
        checkIndex(index);
        return locks.waitersOn(index);
    }

    /** Whether an entry covers a page of {@code [from, to)}. */
    boolean hasEntries(long from, long to) {
        locks.lock.lock();
        try {
            return locks.entries.nextEntry(from, to) >= 0;
        } finally {
            locks.lock.unlock();
        }
    }

    /** {@return the number of views made and neither closed nor revoked} */
    public long liveViews() {
        return views.liveViews();
    }

    /** Checks the entry map's invariants (pages == the sum of 2^order over the entries, no PMD entry beside a PTE
     * entry, marks only on entries).
     * @throws IllegalStateException naming the first violation */
    public void verify() {
        locks.lock.lock();
        try {
            locks.entries.verify();
        } finally {
            locks.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ writeback

    /** Makes the written bytes of {@code [start, end)}, widened to whole entries, durable (kernel: fsync of a
     * range, {@code dax_writeback_mapping_range}): every entry marked DIRTY when the call starts is
     * write-protected (its writable views revoked), its whole extent flushed through the region (2 MiB for a
     * PMD entry) and its DIRTY mark cleared; clean entries are not flushed. A later write needs a new write
     * fault, which marks the entry DIRTY again. See {@link Writeback} for why no write is lost in between.
     * @param start first byte of the range
     * @param end   end of the range, exclusive
     * @return the bytes flushed through the region by this call (an entry being flushed by a concurrent
     *         writeback is waited for, not flushed again)
     * @throws IllegalArgumentException if the range is negative or reversed
     * @throws IllegalStateException    if the mapping is closed, the region is closed, or a writable view is in
     *                                  use by I/O in flight (the entry then stays DIRTY)
     */
    public long writeback(long start, long end) {
        long first = firstPage(start, end);
        long last = lastPage(end);
        checkOpen();
        return writeback.run(first, last, writebackHook);
    }

    /** Writes back the whole mapping (kernel: fsync): {@link #writeback} over every page.
     * @return the bytes flushed through the region by this call
     * @throws IllegalStateException if the mapping or the region is closed, or a writable view is in use by I/O
     */
    public long sync() {
        checkOpen();
        return writeback.run(0, END, writebackHook);
    }

    /** Deletes the clean entries of bytes {@code [start, end)} (widened to whole pages) without truncating
     * (kernel: {@code invalidate_inode_pages2_range} on a DAX file): revokes the range's views, then deletes
     * each entry that is neither DIRTY nor TOWRITE nor busy (pinned or under I/O). Dirty entries stay, so that
     * their writeback still happens; the blocks stay with the file.
     * @param start first byte of the range
     * @param end   end of the range, exclusive
     * @return the number of entries deleted
     * @throws IllegalArgumentException if the range is negative or reversed
     * @throws IllegalStateException    if the mapping is closed or a view is in use by I/O in flight
     */
    public long invalidate(long start, long end) {
        long first = firstPage(start, end);
        long last = lastPage(end);
        invalidate.writeLock().lock();
        try {
            checkOpen();
            return breaker.invalidateClean(first, last);
        } finally {
            invalidate.writeLock().unlock();
        }
    }

    // ------------------------------------------------------------------ layout breaking

    /** Breaks the layout of bytes {@code [start, end)}, widened to whole pages (kernel: {@code dax_break_layout}
     * followed by the deletion of the range's entries): blocks this mapping's faults, revokes the range's views,
     * waits until no folio of the range is busy, then deletes the range's entries. The extents stay.
     * @param start    first byte of the range, {@code >= 0}
     * @param end      byte after the range, {@code >= start}
     * @param callback run around each sleep (for instance to drop and retake a lock of the caller's), or null
     * @throws InterruptedException      if interrupted while waiting: the entries are then all still there
     * @throws IllegalArgumentException  if the range is negative or reversed
     * @throws IllegalStateException     if the mapping is closed, or a view is used by I/O in flight
     */
    public void breakLayouts(long start, long end, SleepCallback callback) throws InterruptedException {
        long first = firstPage(start, end);
        long last = lastPage(end);
        invalidate.writeLock().lockInterruptibly();
        try {
            checkOpen();
            writeback.beforeDelete(this, source, first, last, true); // the blocks stay: so must the bytes
            breaker.breakAndDelete(first, last, callback, true);
        } finally {
            invalidate.writeLock().unlock();
        }
    }

    /** Breaks the layout of the whole file and deletes every entry, waiting uninterruptibly (kernel:
     * {@code dax_break_layout_final}, at inode eviction); an interrupt is re-asserted on return.
     */
    public void breakLayoutsFinal() {
        invalidate.writeLock().lock();
        try {
            checkOpen();
            writeback.beforeDelete(this, source, 0, END, true);
            breakAndDeleteFinal();
        } finally {
            invalidate.writeLock().unlock();
        }
    }

    /** Sets the file size. Shrinking breaks the layout of every page from the new end on (interruptibly), deletes
     * their entries and releases their blocks to the extent source; a partial last page keeps its block.
     * @param newSize the new size in bytes, {@code >= 0} and at most {@link #MAX_INDEX} + 1 pages
     * @throws IllegalArgumentException if {@code newSize} is negative or too large; nothing is changed
     * @throws InterruptedException     if interrupted while waiting for busy pages: the size and the entries
     *                                  are unchanged
     */
    public void truncate(long newSize) throws InterruptedException {
        truncate(newSize, null);
    }

    /** {@link #truncate(long)}, running {@code callback} around each sleep for a busy page; throws as it does.
     * @param newSize  the new size in bytes
     * @param callback run before and after each sleep (to time the waits, say), or null
     * @throws InterruptedException if interrupted while waiting: nothing is changed */
    public void truncate(long newSize, SleepCallback callback) throws InterruptedException {
        checkSize(newSize, pageShift);
        invalidate.writeLock().lockInterruptibly();
        try {
            checkOpen();
            if (newSize < size) {
                long first = pagesOf(newSize);
                writeback.beforeDelete(this, source, first, END, false);
                breaker.breakAndDelete(first, END, callback, true);
                source.release(this, first, END);
            }
            size = newSize;
        } finally {
            invalidate.writeLock().unlock();
        }
    }

    /** Punches a hole over bytes {@code [start, end)}, which must be page aligned: breaks the layout, deletes the
     * entries and releases the blocks (reads then see zeros). The size is unchanged.
     * @param start first byte of the hole, page aligned, {@code >= 0}
     * @param end   byte after the hole, page aligned, {@code >= start}
     * @throws IllegalArgumentException if the range is negative, reversed or not page aligned; nothing changed
     * @throws InterruptedException     if interrupted while waiting: the entries and blocks are all still there
     */
    public void punchHole(long start, long end) throws InterruptedException {
        punchHole(start, end, null);
    }

    /** {@link #punchHole(long, long)}, running {@code callback} around each sleep for a busy page.
     * @param start    first byte of the hole, page aligned
     * @param end      byte after the hole, page aligned
     * @param callback run before and after each sleep, or null
     * @throws InterruptedException if interrupted while waiting: the entries and blocks are all still there */
    public void punchHole(long start, long end, SleepCallback callback) throws InterruptedException {
        long first = firstPage(start, end);
        long mask = (1L << pageShift) - 1;
        if ((start & mask) != 0 || (end & mask) != 0) {
            throw new IllegalArgumentException("hole [" + start + ", " + end + ") is not aligned to the page size "
                    + (1L << pageShift));
        }
        long last = lastPage(end);
        invalidate.writeLock().lockInterruptibly();
        try {
            checkOpen();
            writeback.beforeDelete(this, source, first, last, false);
            breaker.breakAndDelete(first, last, callback, true);
            source.release(this, first, last);
        } finally {
            invalidate.writeLock().unlock();
        }
    }

    /** Closes the file and deletes it: breaks the whole layout (uninterruptibly), deletes every entry, releases
     * every block (a block reflinked into another file stays with it), and frees the id. Idempotent.
     */
    @Override
    public void close() {
        invalidate.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            writeback.beforeDelete(this, source, 0, END, false);
            breakAndDeleteFinal();
            source.release(this, 0, END);
            closed = true;
        } finally {
            invalidate.writeLock().unlock();
        }
        space.closed(this);
    }

    private void breakAndDeleteFinal() {
        boolean interrupted = false;
        for (;;) {
            try {
                breaker.breakAndDelete(0, END, null, false);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // only the timed look of a folio mapped by another file gets here
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ checks

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("mapping " + id + " is closed");
        }
    }

    private long pagesOf(long bytes) {
        return (bytes >>> pageShift) + ((bytes & ((1L << pageShift) - 1)) != 0 ? 1 : 0);
    }

    private static void checkIndex(long index) {
        if (index < 0 || index > MAX_INDEX) {
            throw new IndexOutOfBoundsException("page index " + index + " outside [0, " + MAX_INDEX + "]");
        }
    }

    private static void checkRange(long from, long to) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("page range [" + from + ", " + to + ") is negative or reversed");
        }
    }

    private long firstPage(long start, long end) {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("byte range [" + start + ", " + end + ") is negative or reversed");
        }
        return Math.min(start >>> pageShift, END);
    }

    private long lastPage(long end) {
        return Math.min(pagesOf(end), END);
    }

    @Override
    public String toString() {
        return "Mapping[" + id + ", " + size + " bytes, " + (closed ? "closed" : "open") + "]";
    }
}
