package io.jdax.catalogue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdax.device.DeviceDax;
import io.jdax.device.DeviceView;
import io.jdax.device.ViewGroup;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;
import io.jdax.pool.PooledBuffer;
import io.jdax.wait.WaitTable;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One of each public object, fresh for every catalogue row: a 4 MiB region with a dax page map over it, a
 * 4 MiB device of order-3 folios, a 4 MiB pool, a wait table and a scratch directory. A row arranges a
 * state, the runner takes a {@link #snapshot}, the row misuses the API, and the runner checks that the
 * snapshot is the same and that every object still open still works ({@link #assertUsable}).
 */
final class Env implements AutoCloseable {

    static final long KiB = 1024;
    static final long MiB = 1024 * KiB;
    /** Pages a snapshot describes: every row works within them. */
    private static final int WATCHED = 64;

    final Region region;
    final PageMap dax;
    final Region deviceRegion;
    final DeviceDax device;
    final BufferPool pool;
    final WaitTable waits = new WaitTable();
    final Path dir;
    /** Scratch a row may set in its arrange step; closed with the environment when still open. */
    PooledBuffer buf;
    ViewGroup group;
    DeviceView view;
    final List<AutoCloseable> extra = new ArrayList<>();
    /** More state a row's objects add to the snapshot (a mapping's entries, say). */
    final List<java.util.function.Supplier<String>> watched = new ArrayList<>();

    Env(PoolMode mode) throws IOException {
        region = Region.anonymous(4 * MiB);
        dax = PageMap.dax(region);
        deviceRegion = Region.anonymous(4 * MiB);
        device = DeviceDax.create(deviceRegion, 3);
        pool = BufferPool.builder().capacity(4 * MiB).mode(mode).build();
        dir = Files.createTempDirectory("jdax-catalogue");
    }

    /** Everything a misuse must leave as it was, as one comparable string. */
    String snapshot() {
        StringBuilder s = new StringBuilder();
        s.append("region ").append(region.isOpen()).append(' ').append(region.claimant().isPresent()).append('\n');
        describeMap(s, "dax", dax);
        s.append("device ").append(device.isOpen());
        if (device.isOpen()) {
            s.append(' ').append(device.stats());
        }
        s.append('\n');
        describeMap(s, "device map", device.pageMap());
        s.append("pool closed=").append(!pool.region().isOpen()).append(' ').append(pool.stats())
                .append(" leaks ").append(pool.leaks().size()).append('\n');
        if (pool.region().isOpen() && pool.allocator().pageMap().isOpen()) {
            s.append("verify ").append(pool.allocator().verify()).append('\n');
        }
        if (buf != null) {
            s.append("buf ").append(buf.refCnt()).append('\n');
        }
        if (group != null) {
            s.append("group ").append(group.isOpen()).append(' ').append(group.liveViews()).append('\n');
        }
        if (view != null) {
            s.append("view ").append(view.isOpen()).append('\n');
        }
        s.append("waits ").append(waits.isClosed()).append(' ').append(waits.waitersOn(7)).append('\n');
        s.append("files ").append(files()).append('\n');
        for (var w : watched) {
            s.append(w.get()).append('\n');
        }
        return s.toString();
    }

    private static void describeMap(StringBuilder s, String name, PageMap map) {
        s.append(name).append(' ').append(map.isOpen()).append('\n');
        if (!map.isOpen()) {
            return;
        }
        for (long pfn = 0; pfn < Math.min(WATCHED, map.nrPages()); pfn++) {
            long head = map.folioOf(pfn);
            s.append(pfn).append(':').append(head).append(" r").append(map.refCount(pfn));
            if (head == pfn) {
                s.append(" o").append(map.order(pfn)).append(" m").append(map.mapCount(pfn))
                        .append(" p").append(map.pins().pinCount(pfn));
                if (map.kind() != PageMap.Kind.POOL) {
                    s.append(" w").append(map.owners().mapping(pfn)).append(map.owners().isShared(pfn) ? "s" : "");
                }
            }
            s.append(pfn % 8 == 7 ? '\n' : ' ');
        }
    }

    private String files() {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.map(p -> dir.relativize(p) + (Files.isRegularFile(p) ? "=" + size(p) : "")).sorted().toList()
                    .toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Every object still open does its ordinary work, and leaves the counts as they were. */
    void assertUsable() {
        if (region.isOpen()) {
            region.slice(100 * 4096, 8).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0x5eedL);
            assertEquals(0x5eedL, region.slice(100 * 4096, 8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        }
        if (dax.isOpen()) {
            long pfn = 200;
            dax.incRef(pfn);
            dax.get(pfn);
            assertEquals(2, dax.refCount(pfn));
            dax.putRefs(pfn, 2);
            assertEquals(0, dax.refCount(pfn));
        }
        if (device.isOpen()) {
            try (ViewGroup g = device.newViewGroup(); DeviceView v = g.map(512 * 4096)) {
                v.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
                assertEquals(7, v.segment().get(ValueLayout.JAVA_BYTE, 0));
            }
        }
        if (pool.region().isOpen() && pool.allocator().pageMap().isOpen()) {
            try (PooledBuffer b = pool.allocate(10_000)) {
                b.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 9_996, 42);
                assertEquals(42, b.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 9_996));
            }
            pool.allocator().verify();
        }
    }

    @Override
    public void close() throws IOException {
        for (AutoCloseable c : extra.reversed()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a row may have closed it, or left it in the state it tests
            }
        }
        if (view != null && view.isOpen()) {
            view.close();
        }
        if (group != null && group.isOpen()) {
            group.close();
        }
        pool.close();
        device.close();
        deviceRegion.close();
        dax.close();
        region.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
