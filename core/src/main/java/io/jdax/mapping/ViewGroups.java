package io.jdax.mapping;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revocable windows a mapping's views are cut from. Views of file pages {@code [k * 2^GROUP_ORDER,
 * (k + 1) * 2^GROUP_ORDER)} belong to group k: one shared arena into which the region is mapped once per
 * 1 GiB window that the group's folios touch, lazily (a view is a slice: no kernel mapping per view). Closing
 * the arena revokes every view of the group at the cost of one thread handshake. A group being revoked maps
 * nothing; a fault that meets one makes a fresh group.
 *
 * <p>While an I/O operation uses a view's memory the JDK refuses to close the arena: the revocation then
 * throws, the group stays pending (its views keep their counts), and the next revocation tries again.
 */
final class ViewGroups {

    static final int GROUP_ORDER = DaxEntry.PMD_ORDER;
    static final long WINDOW_SIZE = 1L << 30;

    private static final int OPEN = 0;
    private static final int REVOKING = 1;
    private static final int CLOSED = 2;

    private final MappingSpace space;
    private final PageMap map;
    private final Region region;
    private final ConcurrentHashMap<Long, Group> groups = new ConcurrentHashMap<>();
    private final List<Group> pending = new ArrayList<>(); // guarded by this: revocations refused by in-flight I/O

    ViewGroups(MappingSpace space) {
        this.space = space;
        this.map = space.pageMap();
        this.region = map.region();
    }

    /**
     * Makes a view of the entry at {@code index}: of the folio at {@code head} (taking its reference and map
     * count, the caller holding the entry lock), or of the zero page for {@code head < 0}.
     */
    MappingView attach(long index, int order, long head, boolean writable) {
        long key = index >>> GROUP_ORDER;
        boolean reclaimed = false;
        for (;;) {
            Group g = groups.computeIfAbsent(key, k -> new Group());
            MappingView v;
            try {
                v = g.attach(index, order, head, writable);
            } catch (WindowCapReached full) {
                if (reclaimed) {
                    throw space.windowCapReached();
                }
                reclaimIdle(g);
                reclaimed = true;
                continue;
            }
            if (v != null) {
                return v;
            }
            groups.remove(key, g); // being revoked: make a fresh one
        }
    }

    /**
     * Revokes this mapping's groups that hold no open view, giving their windows back: groups outlive their
     * views (a group is revoked only by a layout break), so a mapping that walks a large file would otherwise
     * keep a window per group it ever used. Costs one thread handshake per group, under window pressure only.
     */
    private void reclaimIdle(Group keep) {
        for (var e : groups.entrySet()) {
            Group g = e.getValue();
            if (g != keep && g.live() == 0 && groups.remove(e.getKey(), g)) {
                try {
                    g.close();
                } catch (IllegalStateException inUse) {
                    synchronized (this) {
                        pending.add(g);
                    }
                }
            }
        }
    }

    /** Thrown inside a group's attach at the window cap, so that the caller can reclaim and retry. */
    private static final class WindowCapReached extends RuntimeException {
        WindowCapReached() {
            super(null, null, false, false);
        }
    }

    /** Revokes every group holding a view of a page in {@code [start, end)}. */
    void revoke(long start, long end) {
        List<Group> victims = new ArrayList<>();
        long first = start >>> GROUP_ORDER;
        long last = (end - 1) >>> GROUP_ORDER;
        if (last - first < groups.size()) {
            for (long k = first; k <= last; k++) {
                Group g = groups.remove(k);
                if (g != null) {
                    victims.add(g);
                }
            }
        } else {
            for (Long k : groups.keySet()) {
                if (k >= first && k <= last) {
                    Group g = groups.remove(k);
                    if (g != null) {
                        victims.add(g);
                    }
                }
            }
        }
        synchronized (this) {
            victims.addAll(pending);
            pending.clear();
        }
        IllegalStateException failure = null;
        for (Group g : victims) {
            try {
                g.close();
            } catch (IllegalStateException inUse) {
                synchronized (this) {
                    pending.add(g);
                }
                if (failure == null) {
                    failure = inUse;
                } else {
                    failure.addSuppressed(inUse);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Views made and not yet closed or revoked. */
    long liveViews() {
        long n = 0;
        for (Group g : groups.values()) {
            n += g.live();
        }
        return n;
    }

    final class Group {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment[] windows =
                new MemorySegment[Math.toIntExact((region.byteSize() + WINDOW_SIZE - 1) / WINDOW_SIZE)];
        private final Object closeLock = new Object();
        private int windowCount;      // guarded by this
        private MemorySegment zero;   // guarded by this
        private MappingView first;    // guarded by this
        private long live;            // guarded by this
        private volatile int state = OPEN;

        /** The view, or null if the group is being revoked. */
        synchronized MappingView attach(long index, int order, long head, boolean writable) {
            if (state != OPEN) {
                return null;
            }
            long bytes = (1L << order) << map.pageShift();
            MemorySegment seg;
            if (head < 0) {
                if (zero == null) {
                    zero = arena.allocate(DaxEntry.PMD_PAGES << map.pageShift(), map.pageSize());
                }
                seg = zero.asSlice(0, bytes).asReadOnly();
            } else {
                long offset = head << map.pageShift();
                int w = (int) (offset / WINDOW_SIZE);
                MemorySegment window = windows[w];
                if (window == null) {
                    if (!space.tryTakeWindow()) {
                        throw new WindowCapReached();
                    }
                    try {
                        long at = w * WINDOW_SIZE;
                        window = region.mapView(at, Math.min(WINDOW_SIZE, region.byteSize() - at), arena);
                    } catch (Throwable t) {
                        space.giveWindows(1);
                        throw t;
                    }
                    windows[w] = window;
                    windowCount++;
                }
                seg = window.asSlice(offset - w * WINDOW_SIZE, bytes);
                if (!writable) {
                    seg = seg.asReadOnly();
                }
                map.incRef(head); // the legal 0 -> 1: the caller holds the entry lock
                try {
                    map.incMapCount(head);
                } catch (RuntimeException | Error e) {
                    map.put(head);
                    throw e;
                }
            }
            MappingView v = new MappingView(this, head, index, order, writable, seg);
            v.next = first;
            if (first != null) {
                first.prev = v;
            }
            first = v;
            live++;
            return v;
        }

        synchronized long live() {
            return live;
        }

        /** The view's close won the claim: unlink it unless the group's close owns the list, drop its counts. */
        void release(MappingView v) {
            synchronized (this) {
                if (state != CLOSED) {
                    if (v.prev != null) {
                        v.prev.next = v.next;
                    } else {
                        first = v.next;
                    }
                    if (v.next != null) {
                        v.next.prev = v.prev;
                    }
                    v.prev = null;
                    v.next = null;
                    live--;
                }
            }
            dropCounts(v);
        }

        private void dropCounts(MappingView v) {
            if (v.pfn() >= 0 && map.isOpen()) {
                map.decMapCount(v.pfn());
                map.put(v.pfn());
            }
        }

        /** Revokes the group: the arena first (memory unreachable), then the counts of the views still open. */
        void close() {
            synchronized (closeLock) {
                synchronized (this) {
                    if (state == CLOSED) {
                        return;
                    }
                    state = REVOKING;
                }
                try {
                    arena.close();
                } catch (IllegalStateException inUse) {
                    throw new IllegalStateException("cannot revoke mapping views while an I/O operation uses one ("
                            + inUse.getMessage() + "); break the layout again once it completes", inUse);
                }
                MappingView views;
                int unmapped;
                synchronized (this) {
                    state = CLOSED;
                    views = first;
                    first = null;
                    live = 0;
                    unmapped = windowCount;
                    windowCount = 0;
                }
                space.giveWindows(unmapped);
                for (MappingView v = views; v != null; v = v.next) {
                    if (v.claim()) {
                        dropCounts(v);
                    }
                }
            }
        }
    }
}
