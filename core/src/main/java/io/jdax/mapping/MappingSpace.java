package io.jdax.mapping;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The mappings over one dax page map (kernel: what fs/dax.c shares between the files of a filesystem): their
 * ids, which the folios' owner words hold, the entry wait table, the folio association locks, and the cap on
 * kernel mappings that views may create. Thread-safe.
 */
public final class MappingSpace {

    /** Default cap on view windows (kernel mappings) live at once over this space. */
    public static final int DEFAULT_MAX_WINDOWS = 4096;

    private final PageMap map;
    private final int maxWindows;
    private final EntryWaiters waiters = new EntryWaiters();
    private final Association association;
    private final AtomicInteger windows = new AtomicInteger();
    private final ConcurrentHashMap<Long, Mapping> mappings = new ConcurrentHashMap<>();
    private final ArrayDeque<Long> freeIds = new ArrayDeque<>(); // guarded by this
    private long nextId = 1;                                      // guarded by this
    private Region zero;                                          // guarded by this

    /**
     * A space over {@code map} with {@link #DEFAULT_MAX_WINDOWS}.
     *
     * @param map the dax page map whose pages the space's mappings map
     * @throws NullPointerException     if {@code map} is null
     * @throws IllegalArgumentException if {@code map} is not a {@link PageMap.Kind#DAX dax} map
     */
    public MappingSpace(PageMap map) {
        this(map, DEFAULT_MAX_WINDOWS);
    }

    /**
     * A space over {@code map} allowing {@code maxWindows} live view windows.
     *
     * @param map        the dax page map whose pages the space's mappings map
     * @param maxWindows most view windows live at once; each is one kernel mapping (one {@code mmap}), of
     *                   which a process may hold about 65,530 in all
     * @throws IllegalArgumentException if {@code map} is not a {@link PageMap.Kind#DAX dax} map or
     *                                  {@code maxWindows} is outside [1, 32768]
     * @throws NullPointerException     if {@code map} is null
     */
    public MappingSpace(PageMap map, int maxWindows) {
        Objects.requireNonNull(map, "map");
        if (map.kind() != PageMap.Kind.DAX) {
            throw new IllegalArgumentException("mappings need a DAX page map, whose last put wakes idle-waiters: "
                    + map);
        }
        if (maxWindows < 1 || maxWindows > 32768) {
            throw new IllegalArgumentException("max windows " + maxWindows + " outside [1, 32768]");
        }
        this.map = map;
        this.maxWindows = maxWindows;
        this.association = new Association(map);
    }

    /** {@return the dax page map the space maps pages of} */
    public PageMap pageMap() {
        return map;
    }

    /**
     * Opens an empty file of {@code size} bytes whose pages live where {@code source} says; faults map PMD
     * entries where they can.
     *
     * @param source where the file's pages live; must serve this space's page map
     * @param size   file size in bytes, {@code >= 0} and at most {@link Mapping#MAX_INDEX} pages
     * @return the new open mapping
     * @throws NullPointerException     if {@code source} is null
     * @throws IllegalArgumentException if {@code source} serves another page map or {@code size} is out of range
     * @throws IllegalStateException    if all {@link Mapping#MAX_MAPPING_ID} ids are in use
     */
    public Mapping open(ExtentSource source, long size) {
        return open(source, size, DaxEntry.PMD_ORDER);
    }

    /**
     * Opens an empty file of {@code size} bytes.
     *
     * @param source     where the file's pages live; must serve this space's page map
     * @param size       file size in bytes, {@code >= 0} and at most {@link Mapping#MAX_INDEX} pages
     * @param faultOrder largest order a fault maps by default: {@link Mapping#PMD_ORDER} or 0 (kernel: whether
     *                   the vma allows PMD faults)
     * @return the new open mapping
     * @throws IllegalArgumentException if {@code source} serves another page map, {@code size} is negative or
     *                                  past {@link Mapping#MAX_INDEX} pages, or {@code faultOrder} is neither
     * @throws NullPointerException     if {@code source} is null
     * @throws IllegalStateException    if all {@link Mapping#MAX_MAPPING_ID} ids are in use
     */
    public Mapping open(ExtentSource source, long size, int faultOrder) {
        Objects.requireNonNull(source, "source");
        if (source.pageMap() != map) {
            throw new IllegalArgumentException("extent source serves " + source.pageMap() + ", not " + map);
        }
        Mapping.checkSize(size, map.pageShift());
        if (faultOrder != 0 && faultOrder != Mapping.PMD_ORDER) {
            throw new IllegalArgumentException("fault order " + faultOrder + ": 0 or " + Mapping.PMD_ORDER);
        }
        long id = takeId();
        try {
            Mapping m = new Mapping(this, source, id, size, faultOrder);
            mappings.put(id, m);
            return m;
        } catch (Throwable t) {
            giveId(id);
            throw t;
        }
    }

    /**
     * The open mapping of an id (for reverse-map users such as memory failure).
     *
     * @param id a mapping id, as {@link Mapping#id()} answers
     * @return the open mapping of id {@code id}, or null if none is open with it
     */
    public Mapping mapping(long id) {
        return mappings.get(id);
    }

    /** {@return the number of mappings open now} */
    public int mappings() {
        return mappings.size();
    }

    /** {@return the number of view windows live now} */
    public int windows() {
        return windows.get();
    }

    /** {@return the most view windows live at once, as given at construction} */
    public int maxWindows() {
        return maxWindows;
    }

    /**
     * A region of one PMD of zeros that no one writes, attached to the data region (closed with it): zero-page
     * views are read-only slices of it, in window groups of their own, so that they are revoked like any view.
     */
    synchronized Region zeroRegion() {
        if (zero == null || !zero.isOpen()) {
            Region z = Region.anonymous(DaxEntry.PMD_PAGES << map.pageShift());
            try {
                map.region().attach(z);
            } catch (RuntimeException | Error e) {
                z.close();
                throw e;
            }
            zero = z;
        }
        return zero;
    }

    EntryWaiters waiters() {
        return waiters;
    }

    Association association() {
        return association;
    }

    /** Counts one more window; false at the cap. */
    boolean tryTakeWindow() {
        for (int n = windows.get();;) {
            if (n >= maxWindows) {
                return false;
            }
            int witness = windows.compareAndExchange(n, n + 1);
            if (witness == n) {
                return true;
            }
            n = witness;
        }
    }

    IllegalStateException windowCapReached() {
        return new IllegalStateException("view window cap reached: " + maxWindows + " windows live over " + map
                + "; close views (a mapping's idle view groups are reclaimed under pressure), close mappings, or "
                + "make the space with a larger cap");
    }

    void giveWindows(int n) {
        windows.addAndGet(-n);
    }

    void closed(Mapping m) {
        mappings.remove(m.id(), m);
        giveId(m.id());
    }

    private synchronized long takeId() {
        Long recycled = freeIds.pollFirst();
        if (recycled != null) {
            return recycled;
        }
        if (nextId > Mapping.MAX_MAPPING_ID) {
            throw new IllegalStateException("all " + Mapping.MAX_MAPPING_ID + " mapping ids of " + map + " are in use");
        }
        return nextId++;
    }

    private synchronized void giveId(long id) {
        freeIds.addLast(id);
    }
}
