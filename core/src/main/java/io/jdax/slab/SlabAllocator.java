package io.jdax.slab;

import static io.jdax.internal.PageDescriptor.clearSlab;
import static io.jdax.internal.PageDescriptor.info;
import static io.jdax.internal.PageDescriptor.isSlab;
import static io.jdax.internal.PageDescriptor.isTail;
import static io.jdax.internal.PageDescriptor.link;
import static io.jdax.internal.PageDescriptor.markSlab;
import static io.jdax.internal.PageDescriptor.slabId;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.internal.Internals;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Objects smaller than a page carved out of folios of a {@link BuddyAllocator} (kernel: mm/slub.c, the
 * kmalloc caches). {@link #allocate(int)} returns the region byte offset of an object of at least the
 * requested size, 16-byte aligned; {@link #free(long)} takes that offset back. The size classes and their
 * worst-case waste are those of {@link SizeClasses}: 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024,
 * 1536 and 2048 bytes with 4 KiB pages; a request wastes at most 15 of 32 bytes (17 bytes asked), below a
 * third of its object from 33 bytes up, and each slab leaves at most 1/16 of its bytes unused at its end.
 *
 * <h2>How</h2>
 * Each size class has, per stripe, a current slab (kernel: the per-CPU slab). Stripes are a fixed number,
 * picked by hashing the thread id, never a {@code ThreadLocal}, so a million virtual threads cost what a few
 * platform threads cost. An allocation try-locks its stripe's current slab and takes a free object: one
 * compare-and-set, a bitmap scan and a release store, no global lock. A busy slab sends it to the next
 * stripe's; an exhausted one to the class lock, which retires it (to the partial list, or to no list if it
 * is full) and installs a partial slab, a kept empty one, or a fresh folio from the buddy allocator.
 *
 * <p>A free finds its slab from the address alone: the page's descriptor leads to its folio's head, whose
 * slab mark ({@code PageSlab}), size class ({@code folio->slab_cache}) and slab id the allocator wrote when it
 * made the slab. It locks that slab, clears the object's bit and, only when the slab must change lists (full
 * to partial, partial to empty), takes the class lock. At most {@link SlabAllocatorBuilder#emptySlabsKept} empty slabs are
 * kept per class; further empty slabs go back to the buddy allocator, and a slab whose folio the buddy
 * allocator could not supply makes every class give up its kept empty slabs first.
 *
 * <h2>Safety</h2>
 * A free of an offset that is not a live object (never allocated, inside an object, freed already, in a
 * page that is not a slab) throws {@link IllegalArgumentException} naming the offset and changes nothing:
 * the object's bit is checked under its slab's lock. A slab goes back to the buddy allocator only with the
 * class lock and its own lock held and every object free, so no live object is ever in a returned folio,
 * and an object is handed out only by clearing its bit under the slab lock, so never twice.
 *
 * <p>Thread-safe. {@link #stats()} is an exact snapshot per slab; {@link #verify()} needs quiescence.
 */
public final class SlabAllocator implements AutoCloseable {

    private static final VarHandle CURRENT = MethodHandles.arrayElementVarHandle(Slab[].class);
    /** What {@link #tryAllocate} returns when there is no room. */
    public static final long NO_OBJECT = -1;

    private final BuddyAllocator buddy;
    private final PageMap map;
    private final MemorySegment memmap;
    private final int pageShift;
    private final long regionSize;
    private final SizeClasses classes;
    private final SlabCache[] caches;
    private final int classCount;
    private final int stripes;
    private final int mask;
    private final int emptySlabsKept;
    private final Slab[] current; // [stripe * classCount + class]: release stores under the class lock
    private final SlabTable table = new SlabTable();
    private volatile boolean closed;
    /**
     * Refills between taking a folio from the buddy allocator and putting it on a list or back: close waits
     * for them, so that no slab folio outlives it (a folio a refill took just then would stay allocated, and
     * look like a leak to whoever checks the buddy allocator after close).
     */
    private final AtomicInteger refilling = new AtomicInteger();

    SlabAllocator(SlabAllocatorBuilder b) {
        this.buddy = b.buddy;
        this.map = buddy.pageMap();
        this.memmap = Internals.memmap(map);
        this.pageShift = map.pageShift();
        this.regionSize = map.region().byteSize();
        this.classes = new SizeClasses(map.pageSize(), buddy.maxOrder());
        this.caches = classes.caches;
        this.classCount = caches.length;
        this.stripes = b.stripes;
        this.mask = stripes - 1;
        this.emptySlabsKept = b.emptySlabsKept;
        this.current = new Slab[Math.multiplyExact(stripes, classCount)];
    }

    /**
     * A slab allocator over {@code buddy}'s folios with default options.
     *
     * @param buddy the allocator the slabs' folios come from
     * @return the slab allocator
     */
    public static SlabAllocator create(BuddyAllocator buddy) {
        return builder(buddy).build();
    }

    /**
     * Options of a slab allocator over {@code buddy}, all at their defaults.
     *
     * @param buddy the allocator the slabs' folios come from
     * @return a new builder
     * @throws NullPointerException if {@code buddy} is null
     */
    public static SlabAllocatorBuilder builder(BuddyAllocator buddy) {
        return new SlabAllocatorBuilder(buddy);
    }

    /**
     * Largest request served; larger ones want a folio of their own.
     *
     * @return the largest object size, half a page
     */
    public int maxObjectSize() {
        return classes.maxObjectSize;
    }

    /**
     * The object size a request of {@code bytes} gets (kernel: {@code kmalloc_size_roundup}).
     *
     * @param bytes the request
     * @return the object size of its class
     * @throws IllegalArgumentException if {@code bytes} is outside {@code [1, maxObjectSize()]}
     */
    public int objectSize(int bytes) {
        classes.checkSize(bytes);
        return classes.classOf(bytes).objectSize;
    }

    /**
     * The object sizes, smallest first.
     *
     * @return a new array of the classes' object sizes
     */
    public int[] sizeClasses() {
        int[] sizes = new int[classCount];
        for (int i = 0; i < classCount; i++) {
            sizes[i] = caches[i].objectSize;
        }
        return sizes;
    }

    /**
     * The buddy allocator underneath.
     *
     * @return the allocator the slabs' folios come from
     */
    public BuddyAllocator buddy() {
        return buddy;
    }

    // ------------------------------------------------------------------ allocation

    /**
     * An object of at least {@code bytes} bytes (kernel: {@code kmalloc}); its content is whatever its last
     * user left, or zeros.
     *
     * @param bytes the size asked for
     * @return the region byte offset of the object, 16-byte aligned
     * @throws IllegalArgumentException if {@code bytes} is outside {@code [1, maxObjectSize()]}
     * @throws OutOfPagesException      if a new slab was needed and the buddy allocator has no room
     * @throws IllegalStateException    if the allocator is closed
     */
    public long allocate(int bytes) {
        return allocate(bytes, true);
    }

    /**
     * Like {@link #allocate}, but {@link #NO_OBJECT} instead of {@link OutOfPagesException} when a new slab was
     * needed and the buddy allocator had no room, even after every class gave back its kept empty slabs.
     *
     * @param bytes the size asked for
     * @return the region byte offset of the object, or {@link #NO_OBJECT}
     * @throws IllegalArgumentException if {@code bytes} is outside {@code [1, maxObjectSize()]}
     * @throws IllegalStateException    if the allocator is closed
     */
    public long tryAllocate(int bytes) {
        return allocate(bytes, false);
    }

    private long allocate(int bytes, boolean orThrow) {
        classes.checkSize(bytes);
        if (closed) {
            throw new IllegalStateException("slab allocator is closed");
        }
        SlabCache c = classes.classOf(bytes);
        int home = homeStripe();
        for (int i = 0; i <= mask; i++) {
            int stripe = (home + i) & mask;
            Slab s = (Slab) CURRENT.getAcquire(current, stripe * classCount + c.index);
            if (s == null) {
                return refill(stripe, c, bytes, orThrow);
            }
            if (!s.tryLock()) {
                continue; // someone else is on this slab right now: try another stripe's
            }
            try {
                if (s.state() == Slab.CURRENT && s.freeCount() > 0) {
                    return s.base + (long) s.take(bytes) * c.objectSize;
                }
            } finally {
                s.unlock();
            }
            return refill(stripe, c, bytes, orThrow);
        }
        return refill(home, c, bytes, orThrow);
    }

    private int homeStripe() {
        long id = Thread.currentThread().threadId();
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    /** Slow path: the stripe's current slab is missing or exhausted (kernel: {@code ___slab_alloc}). */
    private long refill(int stripe, SlabCache c, int bytes, boolean orThrow) {
        int slot = stripe * classCount + c.index;
        for (;;) {
            c.lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("slab allocator is closed");
                }
                Slab cur = current[slot];
                if (cur != null) {
                    cur.lock();
                    try {
                        if (cur.freeCount() > 0) { // refilled meanwhile, or frees came back to it
                            return cur.base + (long) cur.take(bytes) * c.objectSize;
                        }
                        cur.setState(Slab.FULL);
                    } finally {
                        cur.unlock();
                    }
                    CURRENT.setRelease(current, slot, (Slab) null);
                }
                Slab next = c.pollPartialOrEmpty();
                if (next != null) {
                    return install(slot, next, bytes);
                }
            } finally {
                c.lock.unlock();
            }
            refilling.getAndIncrement(); // a full fence: this and close's read of it cannot both miss the other
            try {
                if (closed) {
                    throw new IllegalStateException("slab allocator is closed");
                }
                long offset = refillFresh(slot, c, bytes, orThrow);
                if (offset != RETRY) {
                    return offset;
                }
            } finally {
                refilling.getAndDecrement();
            }
        }
    }

    private static final long RETRY = -2;

    /**
     * A fresh slab for the stripe: installs it and takes an object, or {@link #RETRY} if another thread
     * refilled the stripe meanwhile, or {@link #NO_OBJECT} if the buddy allocator had no room.
     */
    private long refillFresh(int slot, SlabCache c, int bytes, boolean orThrow) {
        Slab fresh = newSlab(c, orThrow); // outside the class lock: the buddy allocator may split, drain, fail
        if (fresh == null) {
            return NO_OBJECT;
        }
        c.lock.lock();
        try {
            fresh.lock();
            boolean returned = fresh.state() == Slab.DEAD; // by a close that ran meanwhile
            fresh.unlock();
            if (!returned && !closed && current[slot] == null) {
                return install(slot, fresh, bytes);
            }
            if (!returned) { // another thread refilled the stripe meanwhile: keep the slab, or give it back
                fresh.lock();
                boolean give = !toEmpty(c, fresh);
                fresh.unlock();
                if (give) {
                    destroy(fresh);
                }
            }
            return RETRY;
        } finally {
            c.lock.unlock();
        }
    }

    /** With the class lock held: makes {@code s} the stripe's current slab and takes an object from it. */
    private long install(int slot, Slab s, int bytes) {
        s.lock();
        try {
            s.setState(Slab.CURRENT);
            long offset = s.base + (long) s.take(bytes) * s.cache.objectSize;
            CURRENT.setRelease(current, slot, s);
            return offset;
        } finally {
            s.unlock();
        }
    }

    /**
     * A slab over a fresh folio; under pressure every class gives back its kept empty slabs first. With no
     * room even then: throws, or returns null if {@code orThrow} is false.
     */
    private Slab newSlab(SlabCache c, boolean orThrow) {
        long head = buddy.tryAllocate(c.order);
        if (head == PageMap.NO_FOLIO) {
            shrink();
            head = orThrow ? buddy.allocate(c.order) : buddy.tryAllocate(c.order); // allocate names the free lists
            if (head == PageMap.NO_FOLIO) {
                return null;
            }
        }
        long folio = head;
        try {
            Slab s = table.add(id -> new Slab(c, folio, folio << pageShift, id));
            markSlab(memmap, folio, c.index, s.id);
            return s;
        } catch (Throwable t) {
            map.put(folio);
            throw t;
        }
    }

    // ------------------------------------------------------------------ free

    /**
     * Frees the object at region offset {@code offset} (kernel: {@code kfree}).
     *
     * @param offset the region byte offset {@link #allocate} returned
     * @throws IllegalArgumentException  if no live object starts at {@code offset} (never allocated, freed
     *                                   already, inside an object, or not in a slab); nothing is changed
     * @throws IndexOutOfBoundsException if {@code offset} is outside the region
     * @throws IllegalStateException     if the allocator is closed
     */
    public void free(long offset) {
        checkOffset(offset);
        if (closed) {
            throw new IllegalStateException("slab allocator is closed");
        }
        Slab s = slabOf(offset);
        boolean relist;
        s.lock();
        try {
            int index = s.indexOf(offset);
            if (s.state() == Slab.DEAD || index < 0 || !s.isLive(index)) {
                throw notLive(offset, s.state() == Slab.DEAD ? "its slab was returned" : index < 0
                        ? "no object of " + s + " starts there" : "object " + index + " of " + s + " is free already");
            }
            s.free(index);
            int state = s.state();
            relist = state == Slab.FULL || state == Slab.PARTIAL && s.freeCount() == s.capacity;
        } finally {
            s.unlock();
        }
        if (relist) {
            relist(s);
        }
    }

    /** The slab the descriptor of {@code offset}'s page leads to; throws if the page is no live slab. */
    private Slab slabOf(long offset) {
        long pfn = offset >>> pageShift;
        long info = info(memmap, pfn);
        long head = isTail(info) ? link(info) : pfn;
        if (!isSlab(info(memmap, head))) {
            throw notLive(offset, "page " + pfn + " is not part of a slab");
        }
        Slab s = table.get(slabId(memmap, head));
        if (s == null || s.head != head) {
            throw notLive(offset, "page " + pfn + " is not part of a live slab");
        }
        return s;
    }

    private static IllegalArgumentException notLive(long offset, String why) {
        return new IllegalArgumentException("offset " + offset + " is not a live slab object: " + why);
    }

    /**
     * A free left {@code s} on the wrong list: full and now partial, or partial and now empty. Recomputed
     * from the slab's state under both locks, so two frees racing here agree (the second finds it done).
     */
    private void relist(Slab s) {
        SlabCache c = s.cache;
        boolean give = false;
        c.lock.lock();
        try {
            s.lock();
            try {
                int state = s.state();
                if (state == Slab.FULL && s.freeCount() > 0) {
                    if (s.freeCount() == s.capacity) {
                        give = !toEmpty(c, s);
                    } else {
                        s.setState(Slab.PARTIAL);
                        c.addPartial(s);
                    }
                } else if (state == Slab.PARTIAL && s.freeCount() == s.capacity) {
                    c.removePartial(s);
                    give = !toEmpty(c, s);
                }
            } finally {
                s.unlock();
            }
            if (give) {
                destroy(s);
            }
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * With the class and slab locks held and every object free: keeps {@code s} on the empty list if there is
     * room, else marks it dead for {@link #destroy}. Returns whether it was kept.
     */
    private boolean toEmpty(SlabCache c, Slab s) {
        if (c.emptyCount() < emptySlabsKept && !closed) {
            s.setState(Slab.EMPTY);
            c.addEmpty(s);
            return true;
        }
        s.setState(Slab.DEAD);
        return false;
    }

    /** Returns a dead slab's folio: mark cleared while the folio is still ours, then the last put. */
    private void destroy(Slab s) {
        clearSlab(memmap, s.head);
        table.remove(s);
        map.put(s.head);
    }

    /**
     * Returns every kept empty slab, and every stripe's current slab with no object in use, to the buddy
     * allocator (kernel: {@code kmem_cache_shrink}, which flushes the per-CPU slabs too); done on its own when
     * a new slab finds the buddy allocator out of room. Idle current slabs count: kept, they would hold a
     * folio per class and stripe ever used, and a pool with no buffer out could not hand out its largest.
     *
     * @return the pages given back
     */
    public long shrink() {
        long pages = 0;
        for (SlabCache c : caches) {
            c.lock.lock();
            try {
                for (int slot = c.index; slot < current.length; slot += classCount) {
                    Slab cur = current[slot];
                    if (cur != null && cur.retireIfUnused()) {
                        CURRENT.setRelease(current, slot, (Slab) null);
                        destroy(cur);
                        pages += 1L << c.order;
                    }
                }
                for (Slab s; (s = c.pollEmpty()) != null; ) {
                    s.retire();
                    destroy(s);
                    pages += 1L << c.order;
                }
            } finally {
                c.lock.unlock();
            }
        }
        return pages;
    }

    /**
     * The region offsets of every live object, ascending (for a leak report at shutdown); each slab is read
     * under its lock, so an object allocated after its slab was read is missing and one freed after is there.
     *
     * @return the offsets of the live objects, ascending
     */
    public long[] liveObjects() {
        return table.liveOffsets();
    }

    /**
     * The object size of the slab that holds region offset {@code offset}.
     *
     * @param offset a region byte offset inside a live slab
     * @return the object size of that slab's class
     * @throws IllegalArgumentException  if {@code offset} is not inside a live slab
     * @throws IndexOutOfBoundsException if {@code offset} is outside the region
     */
    public int objectSizeAt(long offset) {
        checkOffset(offset);
        return slabOf(offset).cache.objectSize;
    }

    // ------------------------------------------------------------------ accounting

    /**
     * Requested vs held bytes per class and in total; each slab is read under its lock.
     *
     * @return the snapshot
     */
    public SlabStats stats() {
        long[][] perClass = table.countPerClass(classCount);
        List<SlabClassStats> out = new ArrayList<>(classCount);
        for (SlabCache c : caches) {
            long[] a = perClass[c.index];
            out.add(new SlabClassStats(c.objectSize, c.order, c.capacity, a[0], a[Slab.CURRENT], a[Slab.PARTIAL],
                    a[Slab.FULL], a[Slab.EMPTY], a[6], a[7], a[0] * c.slabBytes));
        }
        return SlabStats.of(out);
    }

    /**
     * Checks the buddy allocator's invariants and then the slab layer's: per slab, free + live objects ==
     * capacity and the free count, live object count and requested bytes agree with the bitmap and sizes;
     * every slab on exactly the place its state names (one stripe's current slot, the partial list, the empty
     * list, or no list when full); at most the kept number of empty slabs per class; every slab's folio
     * referenced, of its class's order and marked as a slab of its class and id; and no other page of the
     * map marked. Needs quiescence: no allocation or free may run.
     *
     * @return the statistics the check agreed with
     * @throws IllegalStateException naming the first broken invariant
     */
    public SlabStats verify() {
        buddy.verify();
        for (SlabCache c : caches) {
            c.lock.lock();
        }
        try {
            new SlabVerifier(map, memmap, caches, current, classCount, emptySlabsKept, table).check();
        } finally {
            for (int i = caches.length - 1; i >= 0; i--) {
                caches[i].lock.unlock();
            }
        }
        return stats();
    }

    private void checkOffset(long offset) {
        if (offset < 0 || offset >= regionSize) {
            throw new IndexOutOfBoundsException("offset " + offset + " is outside the region of " + regionSize
                    + " bytes");
        }
    }

    /**
     * Returns every slab to the buddy allocator, live objects included (their offsets become invalid), and
     * refuses further use; the buddy allocator stays open. Close it before the buddy allocator, whose closed
     * page map would refuse the slabs' folios. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (refilling.get() != 0) { // a refill past its check of closed finishes in a few locked steps
            Thread.onSpinWait();
        }
        for (SlabCache c : caches) {
            c.lock.lock();
        }
        try {
            for (Slab s : table.snapshot()) {
                if (s.retire()) {
                    destroy(s);
                }
            }
            for (int i = 0; i < current.length; i++) {
                CURRENT.setRelease(current, i, (Slab) null);
            }
            for (SlabCache c : caches) {
                while (c.pollPartialOrEmpty() != null) {
                    // lists emptied: their slabs were returned above
                }
            }
        } finally {
            for (int i = caches.length - 1; i >= 0; i--) {
                caches[i].lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "SlabAllocator[" + classCount + " size classes up to " + classes.maxObjectSize + " bytes, " + stripes
                + " stripes, over " + buddy + "]";
    }
}
