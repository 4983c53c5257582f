package io.jdax.alloc;

import static io.jdax.internal.PageDescriptor.NIL;
import static io.jdax.internal.PageDescriptor.folioOrderBits;
import static io.jdax.internal.PageDescriptor.info;
import static io.jdax.internal.PageDescriptor.isHead;
import static io.jdax.internal.PageDescriptor.setRefcountRelease;

import io.jdax.alloc.FolioCache.Stripe;
import io.jdax.internal.CompoundLayout;
import io.jdax.internal.Internals;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A buddy allocator of folios over a region (kernel: the page allocator of mm/page_alloc.c). It owns a
 * {@link PageMap.Kind#POOL pool} page map whose last put returns each folio here.
 *
 * <p>{@link #allocate(int) allocate(order)} hands out a folio of {@code 2^order} pages, prepped as a compound
 * folio when {@code order > 0}, with refcount 1: the caller owns that reference, shares it with
 * {@link PageMap#get} and gives it back with {@link PageMap#put}; the last put returns the folio. Every order
 * up to the PMD order goes through striped caches ({@link FolioCache}) with no global lock on the fast path; a
 * stripe that overflows or runs dry trades half a stack with a shared {@link FolioDepot} of ready folios, and
 * only a full or empty depot sends it to the zone. Cached folios keep their compound layout, so an
 * allocation served from a cache is a pop and a refcount store, whatever the order. Orders 0 to 3 (kernel:
 * the per-CPU page orders) are bounded per stripe by folio count; the larger ones, 4 to the PMD order, also
 * by a byte budget shared by all stripes ({@link Builder#largeFolioCacheBytes}), counted on every folio that
 * enters or leaves their caches: a released large folio that does not fit the budget is split and merged at
 * once. Orders above the PMD order take the zone lock directly. Lock order: a stripe, then a depot, then the
 * zone.
 * When the zone cannot serve a request, every cache is drained back (its folios split and merged) and the
 * request is tried once more before it fails: failure is an exception or an empty result, never a wait.
 *
 * <p>Thread-safe. {@link #stats()} and {@link #verify()} lock every stripe and then the zone for an exact
 * snapshot; they are for tests and monitoring, not hot paths.
 *
 * <p>Ordering an allocation against a snapshot: an allocation sets its folio's count to 1 before it lets go
 * of the stripe it took the folio from, or, on the zone path, sets it and then fences. So if thread A writes
 * a variable {@code v} (volatile) and then takes a snapshot and reads folio counts, and thread B allocates and
 * then reads {@code v}, either A sees B's folio counted and referenced, or B sees A's write: never neither
 * (a buffer pool's close settles racing allocations this way, with no fence on each).
 */
public final class BuddyAllocator implements AutoCloseable {

    /** Orders with a cache, where the max order reaches them: every order up to the PMD (THP) order. */
    private static final int[] CACHED_ORDERS = {0, 1, 2, 3, 4, 5, 6, 7, 8, PageMap.PMD_ORDER};
    /**
     * Folios per stripe for each of {@link #CACHED_ORDERS}: 64 pages' worth, at least 2; refills and drains
     * move half, except for the large orders, which move one at a time (each is counted in the byte budget).
     */
    private static final int[] CACHE_CAPACITY = {64, 32, 16, 8, 4, 2, 2, 2, 2, 2};
    /** First order whose cached folios count against the large-folio byte budget (above the pcp orders). */
    private static final int FIRST_LARGE_ORDER = 4;
    /** Default large-folio cache budget: this fraction of the region. */
    private static final int DEFAULT_LARGE_CACHE_SHIFT = 3;

    private final PageMap map;
    private final MemorySegment memmap;
    private final CompoundLayout layout;  // prep and split of the folios this allocator owns
    private final int maxOrder;
    private final Zone zone;
    private final FolioCache cache;       // null without caches
    private final FolioDepot[] depots;    // cache slot -> the folios the stripes share
    private final int[] cacheSlot;        // order -> cache slot, or -1
    private final int[] batch;            // cache slot -> folios per refill or drain
    private final int[] slotOrder;        // cache slot -> order
    private final LongAdder failures = new LongAdder();
    private final Charges charges;
    private final LargeFolioBudget largeBudget;
    private volatile boolean closed;

    private BuddyAllocator(Builder b) {
        this.map = PageMap.pool(b.region, b.pageSize, this::release);
        this.memmap = Internals.memmap(map);
        this.layout = new CompoundLayout(memmap, map.nrPages());
        this.maxOrder = Math.min(b.maxOrder, 63 - Long.numberOfLeadingZeros(map.nrPages()));
        long limit = b.limitBytes == Long.MAX_VALUE ? Long.MAX_VALUE : b.limitBytes >>> map.pageShift();
        this.zone = new Zone(memmap, map.nrPages(), maxOrder, limit);
        long budget = b.largeCacheBytes >= 0 ? b.largeCacheBytes : b.region.byteSize() >>> DEFAULT_LARGE_CACHE_SHIFT;
        this.largeBudget = new LargeFolioBudget(budget >>> map.pageShift());
        this.cacheSlot = new int[maxOrder + 1];
        Arrays.fill(cacheSlot, -1);
        int[] capacity = new int[CACHED_ORDERS.length];
        int[] orders = new int[CACHED_ORDERS.length];
        int slots = 0;
        for (int i = 0; i < CACHED_ORDERS.length && b.cacheStripes > 0; i++) {
            if (CACHED_ORDERS[i] <= maxOrder) {
                cacheSlot[CACHED_ORDERS[i]] = slots;
                orders[slots] = CACHED_ORDERS[i];
                capacity[slots++] = CACHE_CAPACITY[i];
            }
        }
        this.slotOrder = Arrays.copyOf(orders, slots);
        this.batch = new int[slots];
        int maxBatch = 1;
        for (int s = 0; s < slots; s++) {
            batch[s] = orders[s] >= FIRST_LARGE_ORDER ? 1 : Math.max(1, capacity[s] / 2);
            maxBatch = Math.max(maxBatch, batch[s]);
        }
        this.cache = slots == 0 ? null : new FolioCache(b.cacheStripes, Arrays.copyOf(capacity, slots), maxBatch);
        this.charges = new Charges(memmap, maxOrder);
        this.depots = new FolioDepot[slots];
        for (int s = 0; s < slots; s++) {
            depots[s] = new FolioDepot(b.cacheStripes * capacity[s]); // room for every stripe's stack once
        }
    }

    /**
     * An allocator over {@code region}: 4 KiB pages, orders up to the PUD order, caches, no limit.
     *
     * @param region the memory to manage
     * @return the allocator
     */
    public static BuddyAllocator create(Region region) {
        return builder(region).build();
    }

    /**
     * Options of an allocator over {@code region}, all at their defaults.
     *
     * @param region the memory to manage
     * @return a new builder
     */
    public static Builder builder(Region region) {
        return new Builder(region);
    }

    /** Options of a {@link BuddyAllocator}. */
    public static final class Builder {
        private final Region region;
        private long pageSize = PageMap.DEFAULT_PAGE_SIZE;
        private int maxOrder = PageMap.PUD_ORDER;
        private long limitBytes = Long.MAX_VALUE;
        private int cacheStripes = defaultStripes();
        private long largeCacheBytes = -1; // default: a fraction of the region

        private Builder(Region region) {
            this.region = Objects.requireNonNull(region, "region");
        }

        private static int defaultStripes() {
            int want = Math.min(64, Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
            return Integer.highestOneBit(want - 1) << 1;
        }

        /**
         * Page size, a power of two {@code >= 4096} (default 4096).
         *
         * @param bytes the page size
         * @return this builder
         */
        public Builder pageSize(long bytes) {
            this.pageSize = bytes;
            return this;
        }

        /**
         * Largest order served and merged to (default the PUD order, 18); capped by the region's size.
         *
         * @param order the max order
         * @return this builder
         */
        public Builder maxOrder(int order) {
            if (order < 0 || order > PageMap.MAX_ORDER) {
                throw new IllegalArgumentException("max order " + order + " outside [0, " + PageMap.MAX_ORDER + "]");
            }
            this.maxOrder = order;
            return this;
        }

        /**
         * Cap on the bytes allocated or cached at once, rounded down to pages (default: none).
         *
         * @param bytes the cap
         * @return this builder
         */
        public Builder limitBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("limit must be positive: " + bytes);
            }
            this.limitBytes = bytes;
            return this;
        }

        /**
         * Cache stripes: a power of two up to 1024, or 0 for no caches (default 2 x CPUs, at most 64).
         *
         * @param stripes the number of stripes
         * @return this builder
         */
        public Builder cacheStripes(int stripes) {
            if (stripes < 0 || stripes > 1024 || (stripes != 0 && Integer.bitCount(stripes) != 1)) {
                throw new IllegalArgumentException("cache stripes must be 0 or a power of two <= 1024: " + stripes);
            }
            this.cacheStripes = stripes;
            return this;
        }

        /**
         * Bytes of cached folios of orders 4 up to the PMD order, all stripes together, rounded down to pages
         * (default: an eighth of the region); 0 caches none of them, so every such allocation splits and
         * preps, and every release splits and merges. Cached folios count against {@link #limitBytes} and
         * are drained before an allocation fails.
         *
         * @param bytes the budget, {@code >= 0}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder largeFolioCacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("large folio cache bytes must be >= 0: " + bytes);
            }
            this.largeCacheBytes = bytes;
            return this;
        }

        /**
         * Builds the allocator: its page descriptors and free lists.
         *
         * @return the allocator
         */
        public BuddyAllocator build() {
            if (limitBytes < pageSize) { // rounded down to pages, a smaller limit would refuse every allocation
                throw new IllegalArgumentException("limit of " + limitBytes + " bytes is below one page of "
                        + pageSize + " bytes");
            }
            return new BuddyAllocator(this);
        }
    }

    /**
     * The pool page map of the folios: share them with {@code get}, return them with {@code put}.
     *
     * @return the page map
     */
    public PageMap pageMap() {
        return map;
    }

    /**
     * Largest order served.
     *
     * @return the max order
     */
    public int maxOrder() {
        return maxOrder;
    }

    /**
     * The byte budget of cached folios of orders 4 up to the PMD order (see the builder).
     *
     * @return the budget in bytes, whole pages
     */
    public long largeFolioCacheBytes() {
        return largeBudget.limitPages() << map.pageShift();
    }

    private static boolean isLarge(int order) {
        return order >= FIRST_LARGE_ORDER;
    }

    // ------------------------------------------------------------------ allocation

    /**
     * A folio of {@code 2^order} pages with refcount 1.
     *
     * @param order the folio's order
     * @return the head pfn
     * @throws IllegalArgumentException if {@code order} is outside {@code [0, maxOrder()]}
     * @throws OutOfPagesException      if no block is free or the limit would be passed, caches drained
     * @throws IllegalStateException    if the allocator is closed
     */
    public long allocate(int order) {
        return allocate(order, 0);
    }

    /**
     * A folio of {@code 2^order} pages with refcount 1, charged with {@code requestedBytes}: until its last put,
     * {@link #charges()} counts it and those bytes under its order (how a buffer pool tells the bytes asked
     * for from the bytes held), at no atomic operation's cost (see {@link Charges}).
     *
     * @param order          the folio's order
     * @param requestedBytes the charge, in {@code [0, pageSize << order]}; 0 charges nothing
     * @return the head pfn
     * @throws IllegalArgumentException if {@code order} is outside {@code [0, maxOrder()]} or the charge outside
     *                                  its range
     * @throws OutOfPagesException      if no block is free or the limit would be passed, caches drained
     * @throws IllegalStateException    if the allocator is closed
     */
    public long allocate(int order, long requestedBytes) {
        long pfn = tryAllocate(order, requestedBytes);
        if (pfn == PageMap.NO_FOLIO) {
            throw outOfPages(order);
        }
        return pfn;
    }

    /**
     * Like {@link #allocate} but returns {@link PageMap#NO_FOLIO} when nothing can be had.
     *
     * @param order the folio's order
     * @return the head pfn, or {@link PageMap#NO_FOLIO}
     * @throws IllegalArgumentException if {@code order} is outside {@code [0, maxOrder()]}
     * @throws IllegalStateException    if the allocator is closed
     */
    public long tryAllocate(int order) {
        return tryAllocate(order, 0);
    }

    /** Like {@link #allocate(int, long)} but returns {@link PageMap#NO_FOLIO} when nothing can be had.
     * @param order          the folio's order
     * @param requestedBytes the charge, in {@code [0, pageSize << order]}; 0 charges nothing
     * @return the head pfn, or {@link PageMap#NO_FOLIO}
     * @throws IllegalArgumentException if {@code order} or the charge is out of range
     * @throws IllegalStateException    if the allocator is closed
     */
    public long tryAllocate(int order, long requestedBytes) {
        if (closed) {
            throw new IllegalStateException("allocator is closed");
        }
        if (order < 0 || order > maxOrder) {
            throw new IllegalArgumentException("order " + order + " outside [0, " + maxOrder + "]");
        }
        if (requestedBytes < 0 || requestedBytes > map.pageSize() << order) {
            throw new IllegalArgumentException("charge of " + requestedBytes + " bytes outside [0, "
                    + (map.pageSize() << order) + "] for an order-" + order + " folio");
        }
        int slot = cacheSlot[order];
        if (slot >= 0) {
            Stripe s = cache.lockAny();
            if (s != null) {
                long pfn;
                try {
                    pfn = s.pop(slot);
                    if (pfn != NIL && isLarge(order)) {
                        largeBudget.left(s, 1L << order); // leaves the cache
                    } else if (pfn == NIL) {
                        pfn = refill(s, slot, order);
                    }
                    if (pfn != NIL) {
                        s.countAllocation();
                        s.charge(slot, requestedBytes, 1);
                        charges.set(pfn, requestedBytes);
                        // kernel: set_page_refcounted; the folio is ours alone. Before the unlock: see the
                        // class comment on what a snapshot after an allocation sees
                        setRefcountRelease(memmap, pfn, 1);
                    }
                } finally {
                    s.unlock();
                }
                if (pfn != NIL) {
                    return pfn;
                }
            }
        }
        return allocateDirect(order, requestedBytes);
    }

    /** Zone path: cache-less orders, busy stripes, empty zone for a refill. Drains caches once under pressure. */
    private long allocateDirect(int order, long requestedBytes) {
        long pfn = zone.take(order);
        if (pfn == NIL && cache != null) {
            drainCaches();
            pfn = zone.take(order);
        }
        if (pfn == NIL) {
            failures.increment();
            return PageMap.NO_FOLIO;
        }
        layout.prepOwned(pfn, order);
        charges.set(pfn, requestedBytes);
        charges.zone(order, requestedBytes, 1);
        setRefcountRelease(memmap, pfn, 1);
        VarHandle.fullFence(); // no lock of ours is held over the count's store here: see the class comment
        return pfn;
    }

    /**
     * With stripe {@code s} locked and its stack empty: a batch from the depot, or else from the zone (then
     * prepped); returns one of them.
     */
    private long refill(Stripe s, int slot, int order) {
        int n = depots[slot].take(s.scratch, batch[slot]);
        if (n > 0 && isLarge(order)) {
            largeBudget.left(s, 1L << order); // large orders move one at a time: the one taken leaves the cache
        }
        if (n == 0) {
            n = zone.takeBatch(order, s.scratch, batch[slot]);
            if (n == 0) {
                return NIL;
            }
            for (int i = 0; i < n; i++) {
                layout.prepOwned(s.scratch[i], order);
            }
        }
        for (int i = 0; i < n - 1; i++) {
            s.push(slot, s.scratch[i]);
        }
        return s.scratch[n - 1];
    }

    // ------------------------------------------------------------------ free (the pool map's releaser)

    /** The last put of one of our folios: cache it, or split it and merge it back into the zone. */
    private void release(PageMap m, long head) {
        long info = info(memmap, head);
        int order = isHead(info) ? folioOrderBits(info(memmap, head + 1)) : 0;
        int slot = cacheSlot[order]; // order <= maxOrder: every folio here came from this allocator
        long charge = charges.of(head);
        if (slot >= 0 && !closed) {
            Stripe s = cache.lockAny();
            if (s != null) {
                try {
                    if (!isLarge(order) || largeBudget.enter(s, 1L << order)) {
                        s.charge(slot, charge, -1);
                        cache(s, slot, order, head);
                        return;
                    }
                } finally {
                    s.unlock();
                }
            }
        }
        charges.zone(order, charge, -1);
        layout.splitOwned(head);
        zone.give(head, order);
    }

    /** With {@code s} held and room in the budget: pushes {@code head}, moving the oldest half on if full. */
    private void cache(Stripe s, int slot, int order, long head) {
        if (!s.push(slot, head)) {
            int n = s.takeOldest(slot, s.scratch, batch[slot]);
            int kept = depots[slot].put(s.scratch, n);
            if (kept < n) {
                System.arraycopy(s.scratch, kept, s.scratch, 0, n - kept);
                toZone(s.scratch, n - kept, order);
            }
            s.push(slot, head);
        }
    }

    /**
     * Folios allocated with a nonzero charge ({@link #allocate(int, long)}) and not yet returned, and their
     * charged bytes, per order. Locks every stripe in turn; exact when no allocation or last put runs.
     * @return the snapshot
     */
    public FolioCharges charges() {
        return charges.snapshot(cache, slotOrder);
    }

    /** Cached folios leaving the caches for the zone: split, merged, and off the large-folio budget. */
    private void toZone(long[] folios, int n, int order) {
        for (int i = 0; i < n; i++) {
            layout.splitOwned(folios[i]);
        }
        zone.giveBatch(folios, order, n);
        if (isLarge(order)) {
            largeBudget.unreserve((long) n << order);
        }
    }

    /** Returns every cached folio (stripes and depots) to the zone, merging it: on pressure, close, or when asked. */
    public void drainCaches() {
        if (cache == null) {
            return;
        }
        long[] batchBuffer = new long[cache.stripe(0).scratch.length];
        for (int slot = 0; slot < slotOrder.length; slot++) {
            int n;
            while ((n = depots[slot].take(batchBuffer, batchBuffer.length)) > 0) {
                toZone(batchBuffer, n, slotOrder[slot]);
            }
        }
        for (int i = 0; i < cache.stripeCount(); i++) {
            Stripe s = cache.stripe(i);
            s.lockSlowly();
            try {
                for (int slot = 0; slot < slotOrder.length; slot++) {
                    int n;
                    while ((n = s.takeOldest(slot, s.scratch, s.scratch.length)) > 0) {
                        toZone(s.scratch, n, slotOrder[slot]);
                    }
                }
                largeBudget.returnAllowance(s);
            } finally {
                s.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ accounting

    /**
     * An exact snapshot (locks every stripe, then the zone).
     *
     * @return the snapshot
     */
    public AllocatorStats stats() {
        return snapshot(false);
    }

    /**
     * Checks every invariant against the descriptors and returns the snapshot they agree on: free blocks
     * aligned to their order and marked free, no two free buddies of one order left unmerged, no page in two
     * places (free block, cached folio, allocated folio), cached folios idle and of their slot's order,
     * allocated folios referenced, free + cached + allocated == total, and the zone's count of pages out of
     * its lists equal to cached + allocated. Needs quiescence: call it when no allocation or release runs.
     *
     * @return the snapshot the descriptors agree on
     * @throws IllegalStateException naming the first broken invariant
     */
    public AllocatorStats verify() {
        return snapshot(true);
    }

    private AllocatorStats snapshot(boolean verify) {
        int stripes = cache == null ? 0 : cache.stripeCount();
        for (int i = 0; i < stripes; i++) {
            cache.stripe(i).lockSlowly();
        }
        for (FolioDepot depot : depots) {
            depot.lock();
        }
        zone.lock();
        try {
            long cached = 0;
            long allocations = 0;
            long allowances = 0;
            for (int i = 0; i < stripes; i++) {
                Stripe s = cache.stripe(i);
                allocations += s.allocations();
                allowances += s.allowance();
                for (int slot = 0; slot < slotOrder.length; slot++) {
                    cached += (long) s.size(slot) << slotOrder[slot];
                }
            }
            long large = 0;
            for (int slot = 0; slot < depots.length; slot++) {
                cached += (long) depots[slot].size() << slotOrder[slot];
                if (isLarge(slotOrder[slot])) {
                    large += (long) depots[slot].size() << slotOrder[slot];
                    for (int i = 0; i < stripes; i++) {
                        large += (long) cache.stripe(i).size(slot) << slotOrder[slot];
                    }
                }
            }
            allocations += zone.directAllocations();
            long[] blocks = zone.freeBlocks();
            long free = 0;
            for (int o = 0; o < blocks.length; o++) {
                free += blocks[o] << o;
            }
            long allocated = zone.takenPages() - cached;
            if (verify) {
                largeBudget.check(large, allowances);
                new AllocatorVerifier(map, memmap, zone.freeArea(), cache, depots, slotOrder).check(free, cached,
                        allocated);
            }
            return new AllocatorStats(map.nrPages(), free, blocks, cached, allocated, zone.limitPages(), allocations,
                    failures.sum());
        } finally {
            zone.unlock();
            for (int i = depots.length - 1; i >= 0; i--) {
                depots[i].unlock();
            }
            for (int i = stripes - 1; i >= 0; i--) {
                cache.stripe(i).unlock();
            }
        }
    }

    private OutOfPagesException outOfPages(int order) {
        return OutOfPagesException.of(stats(), map.pageSize(), order);
    }

    /** Drains the caches and closes the page map (the region stays open). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        drainCaches();
        map.close();
    }

    @Override
    public String toString() {
        return "BuddyAllocator[" + map.nrPages() + " pages of " + map.pageSize() + " bytes, max order " + maxOrder()
                + (cache == null ? ", no caches" : ", " + cache.stripeCount() + " cache stripes") + "]";
    }
}
