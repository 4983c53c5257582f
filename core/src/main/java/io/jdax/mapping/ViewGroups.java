package io.jdax.mapping;

import io.jdax.memory.Region;
import io.jdax.memory.WindowGroup;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revocable views of one mapping, grouped by file range and kind: read-only views of file pages
 * {@code [k * 2^GROUP_ORDER, (k + 1) * 2^GROUP_ORDER)} belong to group 2k, writable ones to group 2k + 1 (so
 * that write protection, which revokes the writable groups, leaves read-only views alone). A group's
 * {@link WindowGroup} over the region (1 GiB windows, mapped lazily; a view is a slice) is revoked by one arena
 * close, one thread handshake for all its views. Zero-page
 * views of the group are slices of a second window group over the space's zero region, made only when the
 * group maps a hole. A group being revoked maps nothing; a fault that meets one makes a fresh group.
 *
 * <p>A folio view holds one reference and one map count ({@link WindowGroup.Hold}, taken under the entry lock
 * and released exactly once, by the view's close or the group's). While an I/O operation uses a view's memory
 * the JDK refuses to close the arena: the revocation then throws, the group stays pending (its views keep
 * their counts), and the next revocation tries again.
 */
final class ViewGroups {

    static final int GROUP_ORDER = DaxEntry.PMD_ORDER;

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
        long key = (index >>> GROUP_ORDER) << 1 | (writable ? 1 : 0);
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
        revoke(start, end, false);
    }

    /**
     * Write-protects {@code [start, end)} (kernel: {@code dax_entry_mkclean}): revokes every group of the range
     * that ever handed out a writable view. A group's views share one arena, and a closed view's segment stays
     * usable until its group is revoked, so "ever" rather than "has a live one". Read-only groups survive.
     */
    void writeProtect(long start, long end) {
        revoke(start, end, true);
    }

    private void revoke(long start, long end, boolean writersOnly) {
        List<Group> victims = new ArrayList<>();
        long first = start >>> GROUP_ORDER;
        long last = (end - 1) >>> GROUP_ORDER;
        if (last - first < groups.size()) {
            for (long k = first; k <= last; k++) {
                take(k << 1, writersOnly, victims);
                take(k << 1 | 1, writersOnly, victims);
            }
        } else {
            for (Long k : groups.keySet()) {
                if (k >>> 1 >= first && k >>> 1 <= last) {
                    take(k, writersOnly, victims);
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

    private void take(long key, boolean writersOnly, List<Group> victims) {
        Group g = groups.get(key);
        if (g != null && (!writersOnly || g.wroteEver()) && groups.remove(key, g)) {
            victims.add(g);
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

    /** A folio view's reference and map count (kernel: what a PTE/PMD mapping of the folio holds). */
    private record FolioHold(PageMap map, long head) implements WindowGroup.Hold {
        @Override
        public void take() {
            map.incRef(head); // the legal 0 -> 1: the caller holds the entry lock
            try {
                map.incMapCount(head);
            } catch (RuntimeException | Error e) {
                map.put(head);
                throw e;
            }
        }

        @Override
        public void release() {
            if (map.isOpen()) { // a closed map took the counts with it
                map.decMapCount(head);
                map.put(head);
            }
        }
    }

    private static final WindowGroup.Hold NOTHING = new WindowGroup.Hold() {
        @Override
        public void take() {
        }

        @Override
        public void release() {
        }
    };

    final class Group {
        private final boolean[] windowTaken =
                new boolean[Math.toIntExact((region.byteSize() - 1) / WindowGroup.DEFAULT_WINDOW_SIZE + 1)];
        private WindowGroup folios; // guarded by this; made with the first folio view
        private WindowGroup zeros;  // guarded by this; made with the first zero-page view
        private int windows;        // guarded by this: windows counted against the space's cap
        private boolean closing;    // guarded by this
        private boolean writers;    // guarded by this: a writable view was ever handed out

        /** The view, or null if the group is being revoked. */
        synchronized MappingView attach(long index, int order, long head, boolean writable) {
            if (closing) {
                return null;
            }
            long bytes = (1L << order) << map.pageShift();
            WindowGroup.View view;
            if (head < 0) {
                if (zeros == null) {
                    takeWindow();
                    try {
                        Region zero = space.zeroRegion();
                        zeros = WindowGroup.create(zero, zero.byteSize());
                    } catch (RuntimeException | Error e) {
                        giveWindow();
                        throw e;
                    }
                }
                view = zeros.map(0, bytes, NOTHING);
            } else {
                if (folios == null) {
                    folios = WindowGroup.create(region);
                }
                long offset = head << map.pageShift();
                int w = (int) (offset / WindowGroup.DEFAULT_WINDOW_SIZE);
                boolean fresh = !windowTaken[w];
                if (fresh) {
                    takeWindow();
                }
                try {
                    view = folios.map(offset, bytes, new FolioHold(map, head));
                } catch (RuntimeException | Error e) {
                    if (fresh && folios.windowsMapped() == countTaken()) {
                        giveWindow(); // the window was not mapped after all
                    } else if (fresh) {
                        windowTaken[w] = true;
                    }
                    throw e;
                }
                windowTaken[w] = true;
            }
            MemorySegment seg = view.segment();
            writers |= writable;
            return new MappingView(view, head, index, order, writable, writable ? seg : seg.asReadOnly());
        }

        private int countTaken() {
            int n = 0;
            for (boolean t : windowTaken) {
                n += t ? 1 : 0;
            }
            return n;
        }

        private void takeWindow() {
            if (!space.tryTakeWindow()) {
                throw new WindowCapReached();
            }
            windows++;
        }

        private void giveWindow() {
            windows--;
            space.giveWindows(1);
        }

        synchronized boolean wroteEver() {
            return writers;
        }

        synchronized long live() {
            return (folios == null ? 0 : folios.liveViews()) + (zeros == null ? 0 : zeros.liveViews());
        }

        /** Revokes the group: every view's memory becomes unreachable, then its counts are dropped. */
        void close() {
            WindowGroup f;
            WindowGroup z;
            synchronized (this) {
                closing = true;
                f = folios;
                z = zeros;
            }
            if (f != null) {
                f.close();
            }
            if (z != null) {
                z.close();
            }
            int unmapped;
            synchronized (this) {
                unmapped = windows;
                windows = 0;
            }
            space.giveWindows(unmapped);
        }
    }
}
