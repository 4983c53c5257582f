package io.jdax.page;

import static io.jdax.internal.PageDescriptor.*;

import io.jdax.internal.CompoundLayout;
import io.jdax.internal.Internals;
import io.jdax.internal.PageDescriptor;
import io.jdax.memory.Region;
import io.jdax.wait.SleepCallback;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A region cut into pages, with one off-heap descriptor per page (kernel: {@code struct dev_pagemap} and
 * its {@code struct page} array, the memmap). Pages are addressed by page frame number: {@code pfn} is the
 * page at byte {@code pfn * pageSize()} of the region.
 *
 * <h2>Folios and references</h2>
 * A folio is one page (order 0) or a compound block of {@code 2^order} pages whose first page, the head,
 * carries the refcount; tail pages always have refcount 0. Reference operations take the head pfn.
 * Counts are zero-based: 0 means idle. {@link #tryGet} adds a reference unless the count is 0; {@link #get}
 * requires the caller to hold one already; {@link #incRef} is the one unchecked way from 0 to 1, for the
 * owner that hands a folio out (a mapping under its entry lock; on a pool map, where 0 means free, only the
 * allocator leaves idle, so there it requires a held reference like {@link #get}). Misuse (get at 0, put at
 * 0, overflow) throws {@link RefcountException} naming the pfn and the count, and leaves the count as it
 * was: a check-and-add is one compare-and-set, and a put that underflows undoes itself before throwing
 * ({@link RefcountException} says what that leaves a racing caller).
 *
 * <h2>What the last put does</h2>
 * Chosen with the {@link Kind} when the map is created: a {@link Kind#POOL pool} hands the folio to its
 * {@link FolioReleaser}; a {@link Kind#DAX dax} map leaves it in place and wakes the threads
 * {@linkplain #awaitIdle waiting for it to become idle}; a {@link Kind#DEVICE device} map does nothing.
 *
 * <h2>Memory ordering</h2>
 * Every refcount change is a volatile read-modify-write (the kernel's value-returning atomics are fully
 * ordered): a thread that drops a reference has all its writes to the folio visible to whoever sees the
 * count fall. Layout changes ({@link #prepCompound}, {@link #split}) publish each page's link with a
 * release store, read back with acquire loads; they require refcount 0 and must be serialised by the caller
 * with every other way out of idle ({@link #incRef}), as the kernel serialises them under its locks.
 *
 * <p>The map is closed with its region, or on its own by {@link #close()}; afterwards every operation
 * throws {@link IllegalStateException}; a pfn outside {@code [0, nrPages())}, {@link IndexOutOfBoundsException}.
 * The factories throw {@link IllegalArgumentException} for a bad page size, {@link IllegalStateException} for a
 * closed region or one that already has a page map.
 */
public final class PageMap implements AutoCloseable {

    /** What the last {@code put} of a folio does (kernel: {@code enum memory_type}). */
    public enum Kind {
        /** Hands the folio back to its {@link FolioReleaser} (kernel: a pgmap with {@code ops->page_free}). */
        POOL,
        /** Leaves the folio in place and wakes its idle-waiters (kernel: {@code MEMORY_DEVICE_FS_DAX}). */
        DAX,
        /** Leaves the folio in place, ready to be mapped again (kernel: {@code MEMORY_DEVICE_GENERIC}). */
        DEVICE
    }

    /** Page size of the factories that take none: the kernel's base page on x86-64 and most arm64. */
    public static final long DEFAULT_PAGE_SIZE = 4096;
    /** Smallest page size a map accepts; larger ones must be powers of two. */
    public static final long MIN_PAGE_SIZE = 4096;
    /** Largest folio order (a folio of 2^31 pages); the kernel's largest, the PUD order, is 18 for 4 KiB pages. */
    public static final int MAX_ORDER = PageDescriptor.MAX_ORDER;
    /** The kernel's PMD order for 4 KiB pages: a 2 MiB folio. */
    public static final int PMD_ORDER = 9;
    /** The kernel's PUD order for 4 KiB pages: a 1 GiB folio. */
    public static final int PUD_ORDER = 18;
    /** Refcount added by a pin of an order-0 folio (kernel: {@code GUP_PIN_COUNTING_BIAS}). */
    public static final int PIN_BIAS = 1024;
    /** Highest refcount; an increment past it is an overflow (kernel: 127 below the wrap, as here). */
    public static final int MAX_REFCOUNT = Integer.MAX_VALUE - 127;
    /** Returned by lookups that found no live folio. */
    public static final long NO_FOLIO = -1;

    static {
        // lets the allocator in io.jdax.alloc keep its free lists in the descriptors without a public accessor
        Internals.registerMemmapAccess(PageMap::memmap);
    }

    private final Region region;
    private final Kind kind;
    private final IdleWaits idleWaiters;
    private final Arena arena;
    private final MemorySegment memmap;
    private final CompoundLayout layout;
    private final FolioPins pins;
    private final FolioOwners owners;
    private final MapCounts mapCounts;
    private final FolioRefs refs;
    private final long nrPages;
    private final int pageShift;
    /** Set once by {@link #close}; every public call checks it first, for a clear message. */
    private volatile boolean closed;

    private PageMap(Region region, long pageSize, Kind kind, FolioReleaser releaser) {
        Objects.requireNonNull(region, "region");
        if (pageSize < MIN_PAGE_SIZE || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two >= " + MIN_PAGE_SIZE + ": " + pageSize);
        }
        if (region.byteSize() % pageSize != 0) {
            throw new IllegalArgumentException("region size " + region.byteSize() + " is not a multiple of the page size "
                    + pageSize);
        }
        this.region = region;
        this.kind = kind;
        this.pageShift = Long.numberOfTrailingZeros(pageSize);
        this.nrPages = region.byteSize() >>> pageShift;
        if (nrPages - 1 > MAX_PFN) {
            throw new IllegalArgumentException("region of " + nrPages + " pages exceeds the " + (MAX_PFN + 1)
                    + " a page map can address");
        }
        this.arena = Arena.ofShared();
        try {
            // zero-filled: every page starts order-0, idle, unowned
            this.memmap = arena.allocate(nrPages * SIZE, 64); // nrPages <= MAX_PFN + 1 = 2^48: no overflow
            this.layout = new CompoundLayout(memmap, nrPages);
            this.pins = new FolioPins(this);
            this.owners = new FolioOwners(this);
            this.mapCounts = new MapCounts(this);
            this.idleWaiters = kind == Kind.DAX ? new IdleWaits(this) : null;
            this.refs = new FolioRefs(this, memmap, releaser, idleWaiters);
            region.claim(this); // one page map per region: a second would hand out the same bytes
        } catch (Throwable e) { // OutOfMemoryError for the descriptors included: free what was taken
            arena.close();
            throw e;
        }
    }

    /** {@return a pool map of 4 KiB pages whose folios go back to {@code releaser} on their last put}
     * @param region the region to cut into pages; the map claims it until either is closed
     * @param releaser called with each folio whose last reference is dropped; not null */
    public static PageMap pool(Region region, FolioReleaser releaser) {
        return pool(region, DEFAULT_PAGE_SIZE, releaser);
    }

    /** {@return a pool map whose folios go back to {@code releaser} on their last put}
     * @param region the region to cut into pages; the map claims it until either is closed
     * @param pageSize bytes per page: a power of two {@code >= MIN_PAGE_SIZE} dividing the region's size
     * @param releaser called with each folio whose last reference is dropped; not null */
    public static PageMap pool(Region region, long pageSize, FolioReleaser releaser) {
        return new PageMap(region, pageSize, Kind.POOL, Objects.requireNonNull(releaser, "releaser"));
    }

    /** {@return a dax map of 4 KiB pages: the last put wakes idle-waiters}
     * @param region the region to cut into pages; the map claims it until either is closed */
    public static PageMap dax(Region region) {
        return dax(region, DEFAULT_PAGE_SIZE);
    }

    /** {@return a dax map: the last put wakes idle-waiters}
     * @param region the region to cut into pages; the map claims it until either is closed
     * @param pageSize bytes per page: a power of two {@code >= MIN_PAGE_SIZE} dividing the region's size */
    public static PageMap dax(Region region, long pageSize) {
        return new PageMap(region, pageSize, Kind.DAX, null);
    }

    /** {@return a device map of 4 KiB pages: the last put leaves the folio with the device}
     * @param region the region to cut into pages; the map claims it until either is closed */
    public static PageMap device(Region region) {
        return device(region, DEFAULT_PAGE_SIZE);
    }

    /** {@return a device map: the last put leaves the folio with the device}
     * @param region the region to cut into pages; the map claims it until either is closed
     * @param pageSize bytes per page: a power of two {@code >= MIN_PAGE_SIZE} dividing the region's size */
    public static PageMap device(Region region, long pageSize) {
        return new PageMap(region, pageSize, Kind.DEVICE, null);
    }

    // ------------------------------------------------------------------ geometry

    /** {@return the region this map cuts into pages} */
    public Region region() {
        return region;
    }

    /** {@return what the last put of a folio does on this map} */
    public Kind kind() {
        return kind;
    }

    /** {@return the number of pages, and so of descriptors (kernel: the pgmap range's {@code PHYS_PFN} span)} */
    public long nrPages() {
        return nrPages;
    }

    /** {@return bytes per page} */
    public long pageSize() {
        return 1L << pageShift;
    }

    /** {@return log2 of {@link #pageSize()} (kernel: {@code PAGE_SHIFT})} */
    public int pageShift() {
        return pageShift;
    }

    /** {@return descriptor bytes per page (kernel: {@code sizeof(struct page)})} */
    public static int descriptorSize() {
        return SIZE;
    }

    /** {@return the pfn of the page holding region byte {@code offset}}
     * @param offset a byte offset in {@code [0, region().byteSize())}, else {@link IndexOutOfBoundsException} */
    public long pfnOf(long offset) {
        if (offset < 0 || offset >= region.byteSize()) {
            throw new IndexOutOfBoundsException("offset " + offset + " is outside the region of " + region.byteSize()
                    + " bytes");
        }
        return offset >>> pageShift;
    }

    /** {@return the region byte offset of page {@code pfn}}
     * @param pfn a page in {@code [0, nrPages())} */
    public long offsetOf(long pfn) {
        checkPfn(pfn);
        return pfn << pageShift;
    }

    /** {@return the bytes of {@code count} pages from {@code pfn}, a slice of the region's segment}
     * @param pfn the first page, in {@code [0, nrPages())}
     * @param count pages, {@code >= 0} and not passing the end of the map, else {@link IndexOutOfBoundsException} */
    public MemorySegment pages(long pfn, long count) {
        checkPfn(pfn);
        if (count < 0 || count > nrPages - pfn) {
            throw new IndexOutOfBoundsException(count + " pages from pfn " + pfn + " pass the end of the map ("
                    + nrPages + " pages)");
        }
        return region.segment().asSlice(pfn << pageShift, count << pageShift);
    }

    /** {@return the bytes of the folio headed at {@code head}}
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException} */
    public MemorySegment folioBytes(long head) {
        return pages(head, 1L << order(head));
    }

    // ------------------------------------------------------------------ references

    /** {@return the current refcount of page {@code pfn}, zero-based (0 for tail pages and idle folios)}
     * @param pfn a page in {@code [0, nrPages())} */
    public int refCount(long pfn) {
        checkPfn(pfn);
        return refcount(memmap, pfn);
    }

    /**
     * Adds a reference to a folio the caller already holds one on (kernel: {@code folio_get}).
     *
     * @param head the folio's head pfn
     * @throws RefcountException if the count is 0 (use after the last put) or would overflow; it is unchanged
     */
    public void get(long head) {
        checkPfn(head);
        refs.get(head);
    }

    /** Adds {@code n} references to a folio the caller holds (kernel: {@code folio_ref_add}); fails as {@link #get}.
     * @param head the folio's head pfn
     * @param n references to add, {@code >= 1}, else {@link IllegalArgumentException} */
    public void getRefs(long head, int n) {
        checkPfn(head);
        checkRefs(n);
        refs.add(head, n, FolioRefs.HELD);
    }

    /**
     * Adds a reference unless the count is 0 (kernel: {@code folio_try_get}). Fails on a tail page, whose
     * count is always 0; to take a reference through any page of a folio use {@link #tryGetFolio}.
     *
     * @param head the folio's head pfn
     * @return whether a reference was taken
     * @throws RefcountException if the count would overflow
     */
    public boolean tryGet(long head) {
        checkPfn(head);
        return refs.add(head, 1, FolioRefs.TRY);
    }

    /**
     * Adds a reference whatever the count, 0 included (kernel: {@code folio_ref_inc}, the "0 -> 1 is legal
     * under the entry lock" of the fs-dax fault path). The caller serialises it with every other move out of
     * idle and with layout changes of this folio. On a {@link Kind#POOL pool} map, where 0 means the folio is
     * free in its allocator, it is a {@link #get}: only the allocator moves a pool folio out of idle.
     *
     * @param head the folio's head pfn
     * @throws IllegalArgumentException if {@code head} is a tail page
     * @throws RefcountException        if the count is negative or would overflow, or is 0 on a pool map; it is
     *                                  unchanged. A negative count is seen only while a {@link #put} at 0 (a bug)
     *                                  undoes itself
     */
    public void incRef(long head) {
        checkPfn(head);
        requireNotTail(head);
        refs.add(head, 1, kind == Kind.POOL ? FolioRefs.POOL_INC : FolioRefs.FROM_IDLE);
    }

    /**
     * Drops a reference (kernel: {@code folio_put}); the put that drops the last one does what the map's
     * {@link Kind} says, on this thread, before returning.
     *
     * @param head the folio's head pfn
     * @return whether this put dropped the last reference
     * @throws IllegalStateException if the count was already 0 (more puts than gets); it is unchanged
     */
    public boolean put(long head) {
        checkPfn(head);
        return refs.put(head);
    }

    /**
     * Drops {@code n >= 1} references (kernel: {@code folio_put_refs}); see {@link #put}. A compare-and-set, so
     * that dropping more references than there are never shows a negative count to anyone, not even for an
     * instant (a concurrent correct {@code put} would then fail).
     * @param head the folio's head pfn
     * @param n references to drop, {@code >= 1}, else {@link IllegalArgumentException}
     * @return whether this call dropped the last reference
     * @throws RefcountException if fewer than {@code n} references are held; the count is unchanged
     */
    public boolean putRefs(long head, int n) {
        checkPfn(head);
        checkRefs(n);
        return refs.drop(head, n, false);
    }

    // ------------------------------------------------------------------ mappings

    /**
     * {@return how many times the folio is mapped (kernel: {@code folio_mapcount}, zero-based here)} An order-0
     * folio counts in its own mapcount, a large folio mapped whole counts in page[1]'s entire mapcount.
     * @param head the folio's head pfn
     */
    public int mapCount(long head) {
        return mapCounts.get(head);
    }

    /**
     * Records one more mapping of the whole folio (kernel: {@code folio_add_file_rmap_pte} for order 0,
     * {@code _pmd} / {@code _pud} for a large folio). A mapping also holds a reference: take that first with
     * {@link #incRef} or {@link #get}; this only counts the mapping.
     *
     * @param head the folio's head pfn
     * @throws IllegalStateException if the mapcount would pass the refcount (no reference held for it) or overflow
     */
    public void incMapCount(long head) {
        mapCounts.inc(head);
    }

    /**
     * Records one mapping fewer (kernel: {@code folio_remove_rmap_*}); drop the mapping's reference after it.
     *
     * @param head the folio's head pfn
     * @throws IllegalStateException if the folio is not mapped; the count is unchanged
     */
    public void decMapCount(long head) {
        mapCounts.dec(head);
    }

    /** {@return the pin accounting of this map's folios (kernel: the {@code FOLL_PIN} half of mm/gup.c)} */
    public FolioPins pins() {
        return pins;
    }

    /** {@return the owner fields of this map's folios: mapping, index, share (kernel: fs/dax.c's folio fields)} */
    public FolioOwners owners() {
        return owners;
    }

    // ------------------------------------------------------------------ compound folios

    /**
     * {@return the head pfn of the folio containing {@code pfn} (kernel: {@code page_folio})} Stable only while
     * the caller holds a reference; otherwise use {@link #tryGetFolio}.
     * @param pfn any page of the folio
     */
    public long folioOf(long pfn) {
        checkPfn(pfn);
        long info = info(memmap, pfn);
        return isTail(info) ? link(info) : pfn;
    }

    /** {@return the order of the folio: 0 unless it is a compound head (kernel: {@code folio_order})}
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException} */
    public int order(long head) {
        checkPfn(head);
        long info = requireNotTail(head);
        return isHead(info) ? folioOrderBits(info(memmap, head + 1)) : 0;
    }

    /** {@return the pages in the folio, {@code 2^order} (kernel: {@code folio_nr_pages})}
     * @param head the folio's head pfn; a tail page throws {@link IllegalArgumentException} */
    public long nrPages(long head) {
        return 1L << order(head);
    }

    /**
     * Takes a reference on the folio containing {@code pfn}, safely against a concurrent split and re-prep
     * (kernel: {@code try_get_folio}): look up the head, add a reference unless its count is 0, then check that
     * the page still belongs to that head, else drop it and retry. A split requires refcount 0, so a held
     * reference pins the layout; the recheck catches a split and re-prep between the lookup and the add.
     *
     * @param pfn any page of the folio
     * @return the head pfn now referenced, or {@link #NO_FOLIO} if the folio is idle
     */
    public long tryGetFolio(long pfn) {
        checkPfn(pfn);
        for (;;) {
            long info = info(memmap, pfn);
            long head = isTail(info) ? link(info) : pfn;
            if (!refs.add(head, 1, FolioRefs.TRY)) {
                return NO_FOLIO;
            }
            long now = info(memmap, pfn);
            if ((isTail(now) ? link(now) : pfn) == head) {
                return head;
            }
            put(head); // raced with a split; may be the last put of whatever head became
        }
    }

    /**
     * Makes the {@code 2^order} pages from {@code head} one folio (kernel: {@code prep_compound_page}): the
     * head gets the head flag, page[1] the order, a zero pin count and entire mapcount, every tail a link to
     * the head. Order 0 changes nothing.
     *
     * @param head  the first page, aligned to {@code 2^order} pages
     * @param order {@code 0..MAX_ORDER}
     * @throws IllegalArgumentException  if the order is out of range or {@code head} is not aligned to it
     * @throws IndexOutOfBoundsException if the folio would pass the end of the map
     * @throws IllegalStateException     if a page is already in a large folio, free in an allocator, or
     *                                   referenced, or this is a pool map; nothing is changed
     */
    public void prepCompound(long head, int order) {
        checkPfn(head);
        requireLayoutOwner(head);
        layout.prep(head, order);
    }

    /**
     * Splits the folio headed at {@code head} back into order-0 pages (kernel: the split in
     * {@code dax_folio_put}): page[1]'s order first, then every page's head flag, link and owner word. An
     * order-0 folio only has its owner word cleared.
     *
     * @param head the folio's head pfn
     * @throws IllegalArgumentException if {@code head} is a tail page
     * @throws IllegalStateException    if any page is referenced, mapped or pinned, the folio is still shared
     *                                  or free in an allocator, or this is a pool map; nothing is changed
     */
    public void split(long head) {
        checkPfn(head);
        requireLayoutOwner(head);
        layout.split(head);
    }

    /** A pool map's layout belongs to its allocator: a split or prep from outside would corrupt its free lists. */
    private void requireLayoutOwner(long pfn) {
        if (kind == Kind.POOL) {
            throw new IllegalStateException("pfn " + pfn + ": the layout of a pool map's folios belongs to its "
                    + "allocator; prep and split folios of a DAX or DEVICE map");
        }
    }

    // ------------------------------------------------------------------ idle waiting (dax maps)

    /**
     * {@return whether the folio is idle: refcount 0, nobody maps or pins it}
     * @param head the folio's head pfn
     * @throws IllegalArgumentException if {@code head} is a tail page (whose own count is always 0)
     */
    public boolean isIdle(long head) {
        checkPfn(head);
        requireNotTail(head);
        return refcount(memmap, head) == 0;
    }

    /**
     * Waits until the folio is idle, ignoring interrupts (kernel: {@code wait_page_idle_uninterruptible}); an
     * interrupt is re-asserted on return. The idle waits throw {@link IllegalStateException} on a map that is
     * not {@link Kind#DAX dax} or is closed while the folio is busy (closing wakes every waiter), and
     * {@link IllegalArgumentException} for a tail page (the wait key is the head).
     *
     * @param head     the folio's head pfn
     * @param callback run around each sleep (the kernel's {@code cmd}: drop a lock, retake it), or null
     */
    public void awaitIdleUninterruptibly(long head, SleepCallback callback) {
        idleWaiters(head).awaitUninterruptibly(head, callback);
    }

    /**
     * Waits until the folio is idle or the thread is interrupted (kernel: {@code wait_page_idle}). The count
     * is tested before the interrupt, as in the kernel: an idle folio returns normally even when the thread
     * was interrupted, and leaves the interrupt status set.
     *
     * @param head     the folio's head pfn
     * @param callback run around each sleep, or null; an exception from it ends the wait, nothing queued
     * @throws InterruptedException if interrupted while the folio was still busy (status cleared)
     */
    public void awaitIdle(long head, SleepCallback callback) throws InterruptedException {
        idleWaiters(head).await(head, callback);
    }

    /**
     * Like {@link #awaitIdle(long, SleepCallback)}, giving up after {@code timeout} (0 or negative tests once).
     * @param head     the folio's head pfn
     * @param timeout  how long to wait, in {@code unit}s
     * @param unit     the unit of {@code timeout}
     * @param callback run around each sleep, or null
     * @return whether the folio became idle in time
     * @throws InterruptedException if interrupted while the folio was still busy (status cleared)
     */
    public boolean awaitIdle(long head, long timeout, TimeUnit unit, SleepCallback callback)
            throws InterruptedException {
        return idleWaiters(head).await(head, timeout, unit, callback);
    }

    /** {@return the threads now waiting for the folio to become idle} A snapshot, for tests and monitoring.
     * @param head the folio's head pfn; throws {@link IllegalStateException} unless this is a dax map */
    public int idleWaiterCount(long head) {
        return idleWaiters(head).waitersOn(head);
    }

    private IdleWaits idleWaiters(long head) {
        checkPfn(head);
        if (idleWaiters == null) {
            throw new IllegalStateException("idle waiting needs a DAX page map; this one is " + kind
                    + " (its last put " + (kind == Kind.POOL ? "frees the folio" : "wakes nobody") + ")");
        }
        return idleWaiters;
    }

    // ------------------------------------------------------------------ checks and messages

    FolioRefs refs() {
        return refs;
    }

    /** The descriptor array, for this package's other folio views. */
    MemorySegment memmap() {
        return memmap;
    }

    void checkPfn(long pfn) {
        checkOpen();
        if (pfn < 0 || pfn >= nrPages) {
            throw new IndexOutOfBoundsException("pfn " + pfn + " is outside the page map of " + nrPages + " pages");
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed" + (region.isOpen() ? "" : " with its region")
                    + ": its pages can no longer be referenced, mapped or waited for");
        }
    }

    private static void checkRefs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("reference count to add or drop must be >= 1: " + n);
        }
    }

    long requireNotTail(long pfn) {
        long info = info(memmap, pfn);
        if (isTail(info)) {
            throw new IllegalArgumentException("pfn " + pfn + " is a tail page of folio " + link(info)
                    + ": pass the head");
        }
        return info;
    }

    /** Frees the descriptors; the region stays mapped. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (idleWaiters != null) {
            // nobody may stay parked on a folio of a map that is gone (kernel: no waiter outlives its pgmap)
            idleWaiters.close(this + " was closed while a thread waited for one of its folios to become idle");
        }
        region.detach(this);
        arena.close();
    }

    /** {@return whether the map is usable: neither it nor its region is closed} */
    public boolean isOpen() {
        return !closed && memmap.scope().isAlive();
    }

    @Override
    public String toString() {
        return "PageMap[" + kind + ", " + nrPages + " pages of " + pageSize() + " bytes over " + region + "]";
    }
}
