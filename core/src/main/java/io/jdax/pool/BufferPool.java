package io.jdax.pool;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;
import io.jdax.slab.SlabAllocator;
import io.jdax.slab.SlabStats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;

/**
 * A pool of off-heap buffers: the face of jdax most users see.
 *
 * <pre>{@code
 * try (BufferPool pool = BufferPool.builder().capacity(256 << 20).build();
 *      PooledBuffer buf = pool.allocate(4096)) {
 *     buf.segment().set(ValueLayout.JAVA_LONG, 0, 42L);
 * }
 * }</pre>
 *
 * <p>A request of {@code n} bytes up to half a page ({@link SlabAllocator#maxObjectSize()}) is served by an
 * object of the smallest fitting size class of a {@link SlabAllocator}, a larger one by a folio of
 * {@code pageSize * 2^order >= n} bytes from a {@link BuddyAllocator}; the buffer shows exactly {@code n}
 * bytes and keeps the same contract whatever its size. {@link #stats()} tells requested from held bytes. Thread-safe; no per-thread state (the
 * allocator's caches are striped), so virtual threads are welcome. No GC pressure beyond the small buffer
 * object itself.
 *
 * <p>{@link #close()} reports buffers never released (allocation sites in {@link PoolMode#CHECKED} mode)
 * through {@link #leaks()}, a JFR {@code io.jdax.Leak} event and a {@code System.Logger} warning, then frees
 * the memory. A later access through a leaked CHECKED buffer throws {@link IllegalStateException}, as does one
 * through a FAST buffer when the pool made its own region; a FAST buffer over a region you supplied still
 * reaches that region, which stays yours and open.
 *
 * <p>Close may race any other call on the pool or its buffers; each such call then ends in one of two ways.
 * Either it took effect before close, and close accounts for it (an allocation or slice returns a buffer that
 * close reports as a leak; a last release returns true and is not reported), or it comes after close and
 * throws {@link IllegalStateException} saying the pool was closed (a release or retain refused this way
 * leaves the count as it was, and close has reported the buffer). Closing a region you gave the pool before
 * closing the pool is refused by every later pool call, with a message saying so.
 */
public final class BufferPool extends PoolGate implements AutoCloseable {

    /** Memory of a pool built without {@link BufferPoolBuilder#capacity} or {@link BufferPoolBuilder#region}: 64 MiB. */
    public static final long DEFAULT_CAPACITY = 64L << 20;
    /**
     * Default cap on CHECKED buffers (and slices) held at once. Each is a kernel mapping, and a process may
     * hold only {@code vm.max_map_count} of them (65,530 by default on Linux) for everything, the JVM's own
     * thread stacks and heap included: past it the JVM aborts. Measured here: a pool with 140,000 checked
     * buffers, every other one released, made {@code munmap} fail and the next thread start kill the JVM.
     */
    public static final int DEFAULT_CHECKED_BUFFER_LIMIT = 16_384;

    private final Region region;
    private final boolean ownsRegion;
    private final BuddyAllocator allocator;
    private final PoolMemory memory;
    private final SlabAllocator slab;
    private final int maxSmall;
    private final PageMap map;
    private final PoolMode mode;
    private final int pageShift;
    private final CheckedViews views;    // CHECKED mode
    private final PoolLeaks leaks = new PoolLeaks();

    BufferPool(BufferPoolBuilder b) {
        this.ownsRegion = b.region == null;
        this.region = ownsRegion ? Region.anonymous(b.capacity) : b.region;
        try {
            BuddyAllocator.Builder ab = BuddyAllocator.builder(region).pageSize(b.pageSize);
            if (b.limitBytes != Long.MAX_VALUE) {
                ab.limitBytes(b.limitBytes);
            }
            if (b.cacheStripes >= 0) {
                ab.cacheStripes(b.cacheStripes);
            }
            if (b.largeFolioCacheBytes >= 0) {
                ab.largeFolioCacheBytes(b.largeFolioCacheBytes);
            }
            this.allocator = b.allocatorBuild.apply(region, ab);
        } catch (Throwable t) { // Errors too: 32 TiB of sparse memory maps, its descriptors may not
            if (ownsRegion) {
                try {
                    region.close();
                } catch (RuntimeException e) {
                    t.addSuppressed(e);
                }
            }
            throw t;
        }
        this.map = allocator.pageMap();
        this.mode = b.mode;
        this.pageShift = map.pageShift();
        this.views = new CheckedViews(b.checkedBufferLimit);
        this.memory = new PoolMemory(allocator);
        this.slab = memory.slab;
        this.maxSmall = memory.maxSmall;
    }

    /**
     * A {@link PoolMode#FAST} pool of {@code capacity} bytes of anonymous memory, 4 KiB pages.
     *
     * @param capacity bytes of memory, a positive multiple of 4096
     * @return the pool
     * @throws IllegalArgumentException naming the capacity if it is not positive or not a multiple of 4096
     * @throws IllegalStateException    if the memory cannot be had
     */
    public static BufferPool create(long capacity) {
        return builder().capacity(capacity).build();
    }

    /**
     * Options of a new pool, all at their defaults.
     *
     * @return a new builder
     */
    public static BufferPoolBuilder builder() {
        return new BufferPoolBuilder();
    }


    // ------------------------------------------------------------------ allocation

    /**
     * A buffer of exactly {@code bytes} bytes, zero-filled only the first time its memory is used: a reused
     * buffer holds what its last user left, as with Netty's and every other pool.
     *
     * @param bytes the buffer's size: up to {@link SlabAllocator#maxObjectSize()} a slab object, above it a folio
     * @return a buffer with a count of 1
     * @throws IllegalArgumentException if {@code bytes} is not positive or exceeds {@link #maxBufferSize()}
     * @throws OutOfPagesException      if the pool has no room, even after draining its caches
     * @throws IllegalStateException    if the pool is closed
     */
    public PooledBuffer allocate(long bytes) {
        return allocate(bytes, true);
    }

    /**
     * Like {@link #allocate}, but an empty result instead of {@link OutOfPagesException}, and no exception or
     * snapshot made on the way (unless a JFR recording wants the failure events).
     *
     * @param bytes the buffer's size
     * @return a buffer with a count of 1, or empty if the pool has no room
     * @throws IllegalArgumentException if {@code bytes} is not positive or exceeds {@link #maxBufferSize()}
     * @throws IllegalStateException    if the pool is closed
     */
    public Optional<PooledBuffer> tryAllocate(long bytes) {
        return Optional.ofNullable(allocate(bytes, false));
    }

    /**
     * Largest buffer the pool can hand out: a folio of the allocator's max order.
     *
     * @return the page size shifted by the max order
     */
    public long maxBufferSize() {
        return map.pageSize() << allocator.maxOrder();
    }

    private PooledBuffer allocate(long bytes, boolean orThrow) {
        if (bytes <= maxSmall && bytes > 0) {
            requireOpen();
            return allocateSmall((int) bytes, orThrow);
        }
        int order = orderFor(bytes);
        if (mode == PoolMode.CHECKED) {
            gate.readLock().lock();
            try {
                requireOpen();
                long pfn = folio(bytes, order, orThrow);
                return pfn == PageMap.NO_FOLIO ? null : wrapChecked(pfn, null, bytes, pfn << pageShift, bytes);
            } finally {
                gate.readLock().unlock();
            }
        }
        long pfn = folio(bytes, order, orThrow);
        if (pfn == PageMap.NO_FOLIO) {
            return null;
        }
        PooledBuffer b = new PooledBuffer(this, pfn, pfn << pageShift, region.segment().asSlice(pfn << pageShift,
                bytes), null, false, null, bytes);
        if (!publish(b)) {
            throw new IllegalStateException("buffer pool is closed");
        }
        return b;
    }

    private long slabObject(int bytes, boolean orThrow) {
        try {
            return memory.slabObject(bytes, orThrow);
        } catch (IllegalStateException e) {
            throw closedUnder(e, "buffer pool is closed");
        }
    }

    /** A folio with one reference, or {@link PageMap#NO_FOLIO} if {@code !orThrow}; see {@link PoolMemory}. */
    private long folio(long bytes, int order, boolean orThrow) {
        try {
            return memory.folio(bytes, order, orThrow);
        } catch (IllegalStateException e) {
            throw closedUnder(e, "buffer pool is closed");
        }
    }

    /** A buffer over a slab object: the same contract, one object of the smallest fitting class. */
    private PooledBuffer allocateSmall(int bytes, boolean orThrow) {
        if (mode == PoolMode.CHECKED) {
            gate.readLock().lock();
            try {
                requireOpen();
                long off = slabObject(bytes, orThrow);
                return off == SlabAllocator.NO_OBJECT ? null : wrapChecked(off, new SlabShare(), bytes, off, bytes);
            } finally {
                gate.readLock().unlock();
            }
        }
        long off = slabObject(bytes, orThrow);
        if (off == SlabAllocator.NO_OBJECT) {
            return null;
        }
        PooledBuffer b = new PooledBuffer(this, off, off, region.segment().asSlice(off, bytes), null, true, null, bytes);
        if (!publish(b)) {
            throw new IllegalStateException("buffer pool is closed");
        }
        return b;
    }

    private int orderFor(long bytes) {
        requireOpen();
        if (bytes <= 0 || bytes > maxBufferSize()) {
            throw new IllegalArgumentException("buffer size " + bytes + " outside [1, " + maxBufferSize() + "]");
        }
        return memory.orderOf(bytes);
    }

    /**
     * What an {@link IllegalStateException} from below means: the pool was closed meanwhile ({@code ifClosed}),
     * or the region or allocator under it was closed by someone else, or {@code e} itself.
     */
    private IllegalStateException closedUnder(IllegalStateException e, String ifClosed) {
        if (closed) {
            return new IllegalStateException(ifClosed, e);
        }
        if (!region.isOpen()) {
            return new IllegalStateException("the region under this pool was closed while the pool was open (" + region
                    + "); close the pool first, then the region", e);
        }
        if (!map.isOpen()) {
            return new IllegalStateException("the allocator under this pool was closed while the pool was open ("
                    + allocator + "); close the pool first: it closes its allocator", e);
        }
        return e;
    }

    /**
     * A CHECKED buffer over a folio (or a slab object, with its {@code share}) the caller holds a reference on
     * (given to the buffer, or back on failure).
     */
    private PooledBuffer wrapChecked(long head, SlabShare share, long requested, long offset, long bytes) {
        try {
            views.reserve();
        } catch (IllegalStateException full) {
            putMemory(head, share, requested);
            throw full;
        }
        Arena arena = Arena.ofShared();
        MemorySegment view;
        try {
            view = region.mapView(offset, bytes, arena);
        } catch (RuntimeException e) {
            arena.close();
            views.unreserve();
            putMemory(head, share, requested);
            throw e instanceof IllegalStateException ise ? closedUnder(ise, "buffer pool is closed") : e;
        }
        CheckedView checked = new CheckedView(this, head, share, requested, bytes, arena,
                new Throwable("buffer allocated here"));
        views.add(checked);
        // under the gate's read side, with the pool open: close will count it, nothing to ask
        return new PooledBuffer(this, head, offset, view, checked, share != null, share, requested);
    }

    /**
     * A slice of {@code parent}, whose count the caller holds above 0: one more reference on the folio, and a
     * buffer of its own over the range.
     */
    PooledBuffer slice(PooledBuffer parent, long offset, long length) {
        if (mode == PoolMode.CHECKED) {
            gate.readLock().lock();
            try {
                if (closed) {
                    throw sliceAfterClose(parent, null);
                }
                getFolio(parent);
                return wrapChecked(parent.head, parent.shareOrNull(), parent.requested, offset, length);
            } finally {
                gate.readLock().unlock();
            }
        }
        if (closed) {
            throw sliceAfterClose(parent, null);
        }
        getFolio(parent);
        PooledBuffer slice = new PooledBuffer(this, parent.head, offset, region.segment().asSlice(offset, length), null,
                parent.small, parent.small ? parent.share() : null, parent.requested);
        if (!publish(slice)) {
            // cannot happen while the parent holds the folio (close then reports it); kept as the rule says
            throw sliceAfterClose(parent, null);
        }
        return slice;
    }

    private void getFolio(PooledBuffer parent) {
        if (parent.small) { // the parent's hold keeps the object's share above 0: a plain add (kernel: folio_get)
            parent.share().get();
            return;
        }
        try {
            map.get(parent.head);
        } catch (IllegalStateException e) {
            throw closed ? sliceAfterClose(parent, e) : closedUnder(e, "buffer pool is closed");
        }
    }

    /**
     * The last release of {@code b}, whose count its caller has just taken from 1 to 0: gives the memory back.
     * On refusal it restores the count to 1 and throws.
     */
    void releaseLast(PooledBuffer b) {
        if (b.checked != null) {
            releaseChecked(b);
            return;
        }
        if (closed) { // close has seen, or will see, the folio still referenced: it reports it
            b.restoreCount();
            throw releaseAfterClose(b, null);
        }
        try {
            putMemory(b.head, b.small ? b.shareOrNull() : null, b.requested);
        } catch (IllegalStateException e) {
            if (!closed) {
                b.restoreCount();
                throw closedUnder(e, "buffer pool is closed");
            }
            // the put met the allocator closing: whether it counts as before or after close is close's call
        }
        // a folio's put is a volatile read-modify-write of its count, which close reads after it set the flag,
        // and a slab object's free takes the slab lock under which close reads the slab after it set the flag
        // (as in publish): this read and close's count cannot both miss each other
        if (closed && reportedAtClose(b)) {
            b.restoreCount();
            throw releaseAfterClose(b, null);
        }
    }

    private void releaseChecked(PooledBuffer b) {
        gate.readLock().lock();
        try {
            if (closed) { // close finished the view and reported it, under the write side
                b.restoreCount();
                throw releaseAfterClose(b, null);
            }
            int result;
            try {
                result = b.checked.finish();
            } catch (IllegalStateException e) {
                // the mapping is revoked and the view finished; only the put failed: the allocator or region
                // under the pool was closed by someone else, and the memory went with it
                throw closedUnder(e, "buffer pool is closed");
            }
            if (result == CheckedView.IN_USE) {
                b.restoreCount();
                throw new IllegalStateException("cannot release a buffer while an I/O operation uses its memory; "
                        + "release it again once the operation completes (" + b + ")");
            }
        } finally {
            gate.readLock().unlock();
        }
        b.cleanable.clean(); // deregisters; the leak action finds the view finished
    }

    void putMemory(long head, SlabShare share, long requested) {
        memory.put(head, share, requested);
    }

    void forget(CheckedView view) {
        views.forget(view);
    }

    // ------------------------------------------------------------------ leaks

    void reportLeak(CheckedView view, boolean reclaimed) {
        leaks.report(new LeakReport(view.bytes, Optional.of(view.allocationSite), reclaimed));
    }

    /**
     * Leaks reported so far (the first {@value PoolLeaks#MAX_KEPT}); {@link #stats()} counts them all.
     *
     * @return an unmodifiable copy of the reports kept
     */
    public List<LeakReport> leaks() {
        return leaks.kept();
    }

    // ------------------------------------------------------------------ the rest

    /**
     * The pool's safety mode.
     *
     * @return the mode it was built with
     */
    public PoolMode mode() {
        return mode;
    }

    /**
     * The memory the pool manages.
     *
     * @return the pool's region
     */
    public Region region() {
        return region;
    }

    /**
     * The slab layer under the buffers of up to {@link SlabAllocator#maxObjectSize()} bytes.
     *
     * @return the pool's slab allocator
     */
    public SlabAllocator slab() {
        return slab;
    }

    /**
     * Checks the slab layer's and the allocator's invariants (see {@link SlabAllocator#verify()}); needs
     * quiescence: no allocation, release or slice may run.
     *
     * @return the pool's statistics, taken after the check
     * @throws IllegalStateException naming the first broken invariant
     */
    public PoolStats verify() {
        slab.verify();
        return stats();
    }

    /**
     * The allocator underneath, for folio-level use: {@code allocate(order)} and {@code pageMap().put(pfn)}.
     *
     * @return the pool's buddy allocator
     */
    public BuddyAllocator allocator() {
        return allocator;
    }

    /**
     * A snapshot: pages, slab classes and folio orders, bytes requested against bytes held, leaks.
     *
     * @return the statistics now; not atomic across size classes
     */
    public PoolStats stats() {
        SlabStats small = slab.stats();
        return new PoolStats(mode, region.byteSize(), map.pageSize(), allocator.stats(), leaks.count(), small,
                memory.sizeClasses(small));
    }

    /**
     * Reports every buffer still outstanding as a leak (in FAST mode one report per folio, with its size,
     * found by a walk over the page descriptors that runs only when something is outstanding),
     * revokes checked buffers' mappings, frees the memory (closing the region if the pool created it).
     * Idempotent once it has returned normally. Calls racing it end as the class comment says.
     *
     * @throws IllegalStateException after all that, if a leaked CHECKED buffer could not be revoked because an
     *                               I/O operation was using its memory; if a read or write still uses the
     *                               memory of the pool's own region (the pool is closed and its leaks reported,
     *                               but the region stays mapped: close again once the I/O completes); or if
     *                               the region given to the pool was closed first (said once)
     */
    @Override
    public void close() {
        int inUse = 0;
        IllegalStateException closedUnderUs = null;
        gate.writeLock().lock();
        try {
            if (!closed) {
                closed = true; // volatile: calls past their check find it, under the gate or after a fence
                if (!map.isOpen()) {
                    closedUnderUs = closedBeforePool();
                } else {
                    if (mode == PoolMode.CHECKED) {
                        inUse = views.finishAll(leaks);
                        slab.close();
                    } else {
                        reportLeaked(leaks, slab, allocator);
                    }
                    allocator.close();
                }
            }
            if (ownsRegion && region.isOpen()) {
                try {
                    region.close();
                } catch (IllegalStateException busy) {
                    throw new IllegalStateException("the pool is closed and its leaks are reported, but an I/O "
                            + "operation still uses the memory of one of its buffers, so the memory stays mapped: "
                            + "close the pool again once the operation completes", busy);
                }
            }
        } finally {
            gate.writeLock().unlock();
        }
        if (closedUnderUs != null) {
            throw closedUnderUs;
        }
        if (inUse > 0) {
            throw new IllegalStateException(inUse + " leaked CHECKED buffer(s) could not be revoked: an I/O operation "
                    + "was using their memory; the pool is closed, and their mappings go when the process ends");
        }
    }

    /** The caller's region (or the allocator) was closed before the pool: nothing left to count; unmap views. */
    private IllegalStateException closedBeforePool() {
        views.revokeAll();
        String what = region.isOpen() ? "the allocator under this pool was closed before the pool (" + allocator
                + "), so its buffers could not be accounted for: close the pool instead, it closes its allocator"
                : "the region under this pool was closed before the pool (" + region + "), so its buffers could not "
                + "be accounted for: close the pool first, then the region";
        return new IllegalStateException(what + "; the pool is closed now");
    }

    @Override
    public String toString() {
        return "BufferPool[" + mode + ", " + region.byteSize() + " bytes, " + allocator + "]";
    }
}
