package io.jdax.pool;

import io.jdax.alloc.AllocatorStats;
import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
 * <p>A request of {@code n} bytes is served by a folio of {@code pageSize * 2^order >= n} bytes from a
 * {@link BuddyAllocator}; the buffer shows exactly {@code n} bytes. Thread-safe; no per-thread state (the
 * allocator's caches are striped), so virtual threads are welcome. No GC pressure beyond the small buffer
 * object itself.
 *
 * <p>{@link #close()} reports buffers never released (allocation sites in {@link PoolMode#CHECKED} mode)
 * through {@link #leaks()}, a JFR {@code io.jdax.Leak} event and a {@code System.Logger} warning, then frees
 * the memory. A later access through a leaked CHECKED buffer throws {@link IllegalStateException}, as does one
 * through a FAST buffer when the pool made its own region; a FAST buffer over a region you supplied still
 * reaches that region, which stays yours and open.
 */
public final class BufferPool implements AutoCloseable {

    /** Memory of a pool built without {@link Builder#capacity} or {@link Builder#region}: 64 MiB. */
    public static final long DEFAULT_CAPACITY = 64L << 20;
    /** Leak reports kept for {@link #leaks()}; further leaks are counted only. */
    static final int MAX_KEPT_LEAK_REPORTS = 1000;
    /**
     * Default cap on CHECKED buffers (and slices) held at once. Each is a kernel mapping, and a process may
     * hold only {@code vm.max_map_count} of them (65,530 by default on Linux) for everything, the JVM's own
     * thread stacks and heap included: past it the JVM aborts. Measured here: a pool with 140,000 checked
     * buffers, every other one released, made {@code munmap} fail and the next thread start kill the JVM.
     */
    public static final int DEFAULT_CHECKED_BUFFER_LIMIT = 16_384;

    private static final System.Logger LOG = System.getLogger(BufferPool.class.getName());
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(BufferPool.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Region region;
    private final boolean ownsRegion;
    private final BuddyAllocator allocator;
    private final PageMap map;
    private final PoolMode mode;
    private final int pageShift;
    private final Set<CheckedView> outstanding = ConcurrentHashMap.newKeySet(); // CHECKED mode
    private final List<LeakReport> leakReports = new ArrayList<>();           // guarded by itself
    private final AtomicLong leakCount = new AtomicLong();
    private final AtomicInteger checkedBuffers = new AtomicInteger(); // CHECKED mode: mappings held
    private final int checkedBufferLimit;
    private volatile boolean closed; // read on every allocate and last release: a field, not an object away

    private BufferPool(Builder b) {
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
            this.allocator = ab.build();
        } catch (RuntimeException e) {
            if (ownsRegion) {
                region.close();
            }
            throw e;
        }
        this.map = allocator.pageMap();
        this.mode = b.mode;
        this.pageShift = map.pageShift();
        this.checkedBufferLimit = b.checkedBufferLimit;
    }

    /** A {@link PoolMode#FAST} pool of {@code capacity} bytes of anonymous memory, 4 KiB pages. */
    public static BufferPool create(long capacity) {
        return builder().capacity(capacity).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of a {@link BufferPool}. */
    public static final class Builder {
        private long capacity = DEFAULT_CAPACITY;
        private Region region;
        private long pageSize = PageMap.DEFAULT_PAGE_SIZE;
        private PoolMode mode = PoolMode.FAST;
        private long limitBytes = Long.MAX_VALUE;
        private int cacheStripes = -1;
        private int checkedBufferLimit = DEFAULT_CHECKED_BUFFER_LIMIT;

        private Builder() {
        }

        /** Bytes of anonymous memory to manage (default {@link #DEFAULT_CAPACITY}); a multiple of the page size. */
        public Builder capacity(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("capacity must be positive: " + bytes);
            }
            this.capacity = bytes;
            this.region = null;
            return this;
        }

        /**
         * Pools the memory of {@code region} instead (a file-backed one, say). The region stays the caller's:
         * the pool does not close it.
         */
        public Builder region(Region region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /** Page size, a power of two >= 4096 (default 4096): the smallest buffer footprint. */
        public Builder pageSize(long bytes) {
            this.pageSize = bytes;
            return this;
        }

        public Builder mode(PoolMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Cap on the bytes held by buffers and caches at once (default: the capacity); checked by {@link #build}. */
        public Builder limitBytes(long bytes) {
            this.limitBytes = bytes;
            return this;
        }

        /** Cache stripes of the allocator: a power of two, or 0 for none (default 2 x CPUs, at most 64); checked by {@link #build}. */
        public Builder cacheStripes(int stripes) {
            this.cacheStripes = stripes;
            return this;
        }

        /**
         * Cap on {@link PoolMode#CHECKED} buffers and slices held at once (default
         * {@value #DEFAULT_CHECKED_BUFFER_LIMIT}): see {@link #DEFAULT_CHECKED_BUFFER_LIMIT} before raising it.
         */
        public Builder checkedBufferLimit(int buffers) {
            if (buffers <= 0) {
                throw new IllegalArgumentException("checked buffer limit must be positive: " + buffers);
            }
            this.checkedBufferLimit = buffers;
            return this;
        }

        public BufferPool build() {
            return new BufferPool(this);
        }
    }

    // ------------------------------------------------------------------ allocation

    /**
     * A buffer of exactly {@code bytes} bytes, zero-filled only the first time its memory is used: a reused
     * buffer holds what its last user left, as with Netty's and every other pool.
     *
     * @throws IllegalArgumentException if {@code bytes} is not positive or exceeds {@link #maxBufferSize()}
     * @throws OutOfPagesException      if the pool has no room, even after draining its caches
     * @throws IllegalStateException    if the pool is closed
     */
    public PooledBuffer allocate(long bytes) {
        int order = orderFor(bytes);
        long pfn;
        try {
            pfn = allocator.allocate(order);
        } catch (OutOfPagesException e) {
            recordFailure(bytes, order, e);
            throw e;
        }
        return wrap(pfn, pfn << pageShift, bytes);
    }

    /**
     * Like {@link #allocate}, but an empty result instead of {@link OutOfPagesException}, and no exception or
     * snapshot made on the way (unless a JFR recording wants the failure events).
     */
    public Optional<PooledBuffer> tryAllocate(long bytes) {
        int order = orderFor(bytes);
        long pfn = allocator.tryAllocate(order);
        if (pfn == PageMap.NO_FOLIO) {
            recordFailure(bytes, order, null);
            return Optional.empty();
        }
        return Optional.of(wrap(pfn, pfn << pageShift, bytes));
    }

    /** Largest buffer the pool can hand out: a folio of the allocator's max order. */
    public long maxBufferSize() {
        return map.pageSize() << allocator.maxOrder();
    }

    private int orderFor(long bytes) {
        if (closed) {
            throw new IllegalStateException("buffer pool is closed");
        }
        if (bytes <= 0 || bytes > maxBufferSize()) {
            throw new IllegalArgumentException("buffer size " + bytes + " outside [1, " + maxBufferSize() + "]");
        }
        long pages = (bytes + map.pageSize() - 1) >>> pageShift;
        return pages == 1 ? 0 : Long.SIZE - Long.numberOfLeadingZeros(pages - 1);
    }

    private PooledBuffer wrap(long head, long offset, long bytes) {
        if (mode == PoolMode.FAST) {
            return new PooledBuffer(this, head, offset, region.segment().asSlice(offset, bytes), null);
        }
        if (checkedBuffers.incrementAndGet() > checkedBufferLimit) {
            checkedBuffers.decrementAndGet();
            putFolio(head);
            throw new IllegalStateException("a CHECKED pool holds at most " + checkedBufferLimit + " buffers and slices "
                    + "at once (each is a kernel mapping; see BufferPool.DEFAULT_CHECKED_BUFFER_LIMIT)");
        }
        Arena arena = Arena.ofShared();
        MemorySegment view;
        try {
            view = region.mapView(offset, bytes, arena);
        } catch (RuntimeException e) {
            arena.close();
            checkedBuffers.decrementAndGet();
            putFolio(head);
            throw e;
        }
        CheckedView checked = new CheckedView(this, head, bytes, arena, new Throwable("buffer allocated here"));
        outstanding.add(checked);
        return new PooledBuffer(this, head, offset, view, checked);
    }

    /** A slice: one more reference on the folio, and a buffer of its own over the range. */
    PooledBuffer slice(long head, long offset, long length) {
        map.get(head);
        return wrap(head, offset, length);
    }

    void putFolio(long head) {
        map.put(head);
    }

    void forget(CheckedView view) {
        outstanding.remove(view);
        checkedBuffers.decrementAndGet();
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * JFR events of a failed allocation; {@code e} is null on the try-path, where the limit question is
     * answered from a snapshot only if a recording wants the events.
     */
    private void recordFailure(long bytes, int order, OutOfPagesException e) {
        PoolEvents.AllocationFailure failure = new PoolEvents.AllocationFailure();
        PoolEvents.PoolExhausted exhausted = new PoolEvents.PoolExhausted();
        if (!failure.isEnabled() && !exhausted.isEnabled()) {
            return;
        }
        AllocatorStats s = allocator.stats();
        boolean overLimit = e != null ? e.overLimit()
                : s.cachedPages() + s.allocatedPages() + (1L << order) > s.limitPages();
        if (failure.isEnabled()) {
            failure.bytes = bytes;
            failure.order = order;
            failure.overLimit = overLimit;
            failure.commit();
        }
        if (!overLimit) {
            if (exhausted.isEnabled()) {
                exhausted.order = order;
                exhausted.freePages = s.freePages();
                exhausted.cachedPages = s.cachedPages();
                exhausted.allocatedPages = s.allocatedPages();
                long[] blocks = s.freeBlocks();
                int largest = -1;
                for (int o = 0; o < blocks.length; o++) {
                    if (blocks[o] > 0) {
                        largest = o;
                    }
                }
                exhausted.largestFreeOrder = largest;
                exhausted.commit();
            }
        }
    }

    // ------------------------------------------------------------------ leaks

    void reportLeak(CheckedView view, boolean reclaimed) {
        report(new LeakReport(view.bytes, Optional.of(view.allocationSite), reclaimed));
    }

    private void report(LeakReport leak) {
        leakCount.incrementAndGet();
        synchronized (leakReports) {
            if (leakReports.size() < MAX_KEPT_LEAK_REPORTS) {
                leakReports.add(leak);
            }
        }
        PoolEvents.Leak event = new PoolEvents.Leak();
        if (event.isEnabled()) {
            event.bytes = leak.bytes();
            event.reclaimed = leak.reclaimed();
            event.allocationSite = leak.allocationSite().map(BufferPool::firstCallerFrame).orElse("unknown (FAST mode)");
            event.commit();
        }
        LOG.log(Level.WARNING, leak::toString);
    }

    private static String firstCallerFrame(Throwable site) {
        for (StackTraceElement e : site.getStackTrace()) {
            if (!e.getClassName().startsWith("io.jdax.pool.")) {
                return e.toString();
            }
        }
        return site.getStackTrace().length > 0 ? site.getStackTrace()[0].toString() : "unknown";
    }

    /** Leaks reported so far (the first {@value #MAX_KEPT_LEAK_REPORTS}); {@link #stats()} counts them all. */
    public List<LeakReport> leaks() {
        synchronized (leakReports) {
            return List.copyOf(leakReports);
        }
    }

    // ------------------------------------------------------------------ the rest

    public PoolMode mode() {
        return mode;
    }

    /** The memory the pool manages. */
    public Region region() {
        return region;
    }

    /** The allocator underneath, for folio-level use: {@code allocate(order)} and {@code pageMap().put(pfn)}. */
    public BuddyAllocator allocator() {
        return allocator;
    }

    public PoolStats stats() {
        return new PoolStats(mode, region.byteSize(), map.pageSize(), allocator.stats(), leakCount.get());
    }

    /**
     * Reports every buffer still outstanding as a leak, revokes checked buffers' mappings, frees the memory
     * (closing the region if the pool created it). Idempotent.
     *
     * @throws IllegalStateException after all that, if a leaked CHECKED buffer could not be revoked because an
     *                               I/O operation was using its memory
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        int inUse = 0;
        if (mode == PoolMode.CHECKED) {
            for (CheckedView view : outstanding) {
                int result = view.finish();
                if (result != CheckedView.ALREADY) {
                    report(new LeakReport(view.bytes, Optional.of(view.allocationSite), false));
                }
                if (result == CheckedView.IN_USE) {
                    inUse++; // its own mapping outlives the region below; the I/O using it stays safe
                }
            }
        } else {
            long held = allocator.stats().allocatedPages();
            if (held > 0) {
                report(new LeakReport(held << pageShift, Optional.empty(), false));
            }
        }
        allocator.close();
        if (ownsRegion) {
            region.close();
        }
        if (inUse > 0) {
            throw new IllegalStateException(inUse + " leaked CHECKED buffer(s) could not be revoked: an I/O operation "
                    + "was using their memory; the pool is closed, and their mappings go when the process ends");
        }
    }

    @Override
    public String toString() {
        return "BufferPool[" + mode + ", " + region.byteSize() + " bytes, " + allocator + "]";
    }
}
