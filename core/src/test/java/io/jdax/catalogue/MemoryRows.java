package io.jdax.catalogue;

import static io.jdax.catalogue.Env.KiB;
import static io.jdax.catalogue.Env.MiB;
import static io.jdax.catalogue.Row.NOTHING;
import static io.jdax.catalogue.Row.of;

import io.jdax.memory.Persistence;
import io.jdax.memory.Region;
import io.jdax.memory.WindowGroup;
import io.jdax.page.PageMap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Misuses of regions and window groups (io.jdax.memory). */
final class MemoryRows {

    private MemoryRows() {
    }

    static Stream<Row> rows() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        Class<IndexOutOfBoundsException> ioobe = IndexOutOfBoundsException.class;
        return Stream.of(
                of("region-size-zero", "Region.anonymous(0)", iae, List.of("positive", 0), NOTHING,
                        env -> Region.anonymous(0)),
                of("region-size-negative", "Region.anonymous(-4096)", iae, List.of(-4096), NOTHING,
                        env -> Region.anonymous(-4096)),
                of("region-size-overflow", "Region.anonymous(Long.MAX_VALUE)", iae, List.of(Long.MAX_VALUE, "too large"),
                        NOTHING, env -> Region.anonymous(Long.MAX_VALUE)),
                of("region-dir-missing", "Region.anonymous(1 MiB, a directory that does not exist)", ise,
                        List.of("missing"), NOTHING, env -> Region.anonymous(MiB, env.dir.resolve("missing"))),
                of("region-dir-is-file", "Region.anonymous(1 MiB, a regular file)", ise, List.of("plain"),
                        env -> Files.writeString(env.dir.resolve("plain"), "x"),
                        env -> Region.anonymous(MiB, env.dir.resolve("plain"))),
                of("file-size-zero", "Region.mapFile(f, 0, MSYNC)", iae, List.of("positive", 0), NOTHING,
                        env -> Region.mapFile(env.dir.resolve("f"), 0, Persistence.MSYNC)),
                of("file-persistence-none", "Region.mapFile(f, 4096, NONE)", iae, List.of("NONE"), NOTHING,
                        env -> Region.mapFile(env.dir.resolve("f"), 4096, Persistence.NONE)),
                of("file-is-directory", "Region.mapFile(a directory, 4096, MSYNC)", FileSystemException.class,
                        List.of("sub"), env -> Files.createDirectory(env.dir.resolve("sub")),
                        env -> Region.mapFile(env.dir.resolve("sub"), 4096, Persistence.MSYNC)),
                of("file-parent-missing", "Region.mapFile(missing/f, 4096, MSYNC)", NoSuchFileException.class,
                        List.of("missing"), NOTHING,
                        env -> Region.mapFile(env.dir.resolve("missing").resolve("f"), 4096, Persistence.MSYNC)),
                // sysfs refuses to create files, to root too: AccessDeniedException where it is mounted
                // read-write, FileSystemException ("Read-only file system") in a container that mounts it read-only
                of("file-not-writable", "Region.mapFile(a path where no one may create a file, 4096, MSYNC)",
                        FileSystemException.class, List.of("/sys/jdax-catalogue"), NOTHING,
                        env -> Region.mapFile(Path.of("/sys/jdax-catalogue"), 4096, Persistence.MSYNC)).orSubclass(),
                of("file-sync-not-dax", "Region.mapFile(f on a non-DAX filesystem, 4096, SYNC)", IOException.class,
                        List.of("MAP_SYNC", "DAX"), NOTHING,
                        env -> Region.mapFile(env.dir.resolve("f"), 4096, Persistence.SYNC)),
                of("region-slice-negative", "region.slice(-1, 16)", ioobe, List.of(-1), NOTHING,
                        env -> env.region.slice(-1, 16)),
                of("region-slice-past-end", "region.slice(4 MiB - 8, 16)", ioobe, List.of(4 * MiB - 8, 16), NOTHING,
                        env -> env.region.slice(4 * MiB - 8, 16)),
                of("region-slice-overflow", "region.slice(Long.MAX_VALUE, 2)", ioobe, List.of(Long.MAX_VALUE), NOTHING,
                        env -> env.region.slice(Long.MAX_VALUE, 2)),
                of("region-view-past-end", "region.mapView(4 MiB, 4096, arena)", ioobe, List.of(4 * MiB), NOTHING,
                        env -> {
                            try (Arena a = Arena.ofConfined()) {
                                env.region.mapView(4 * MiB, 4096, a);
                            }
                        }),
                of("region-flush-negative", "region.flush(-4096, 4096)", ioobe, List.of(-4096), NOTHING,
                        env -> env.region.flush(-4096, 4096)),
                of("region-flush-overflow", "region.flush(0, Long.MAX_VALUE)", ioobe, List.of(Long.MAX_VALUE), NOTHING,
                        env -> env.region.flush(0, Long.MAX_VALUE)),
                of("region-slice-negative-length", "region.slice(0, -1)", ioobe, List.of(-1), NOTHING,
                        env -> env.region.slice(0, -1)),
                of("region-anonymous-no-dir", "Region.anonymous(1 MiB, null)", NullPointerException.class,
                        List.of("directory"), NOTHING, env -> Region.anonymous(MiB, null)),
                of("region-claim-null", "region.claim(null)", NullPointerException.class, List.of("owner"), NOTHING,
                        env -> env.region.claim(null)),
                of("region-attach-null", "region.attach(null)", NullPointerException.class, List.of("dependent"),
                        NOTHING, env -> env.region.attach(null)),
                of("window-size-negative", "WindowGroup.create(region, Long.MIN_VALUE)", iae, List.of(Long.MIN_VALUE),
                        NOTHING, env -> WindowGroup.create(env.region, Long.MIN_VALUE)),
                of("region-slice-closed", "region.slice(0, 8) after close", ise, List.of("closed"),
                        env -> closeRegion(env), env -> env.region.slice(0, 8)),
                of("region-flush-closed", "region.flush(0, 4096) of a closed file region", ise, List.of("closed", "f"),
                        env -> {
                            Region r = Region.mapFile(env.dir.resolve("f"), 64 * KiB, Persistence.MSYNC);
                            env.extra.add(r);
                            r.close();
                        }, env -> ((Region) env.extra.getFirst()).flush(0, 4096)),
                of("region-attach-closed", "region.attach(x) after close", ise, List.of("closed", "dependent"),
                        env -> closeRegion(env), env -> env.region.attach(new Named("dependent"))),
                of("region-second-map", "PageMap.dax(region) over a region that already has a map", ise,
                        List.of("already claimed"), NOTHING, env -> PageMap.dax(env.region)),
                of("region-second-pool-map", "PageMap.pool(pool's region, r)", ise, List.of("already claimed"),
                        NOTHING, env -> PageMap.pool(env.pool.region(), (map, head) -> { })),
                of("window-size-not-power", "WindowGroup.create(region, 12288)", iae, List.of(12288), NOTHING,
                        env -> WindowGroup.create(env.region, 12288)),
                of("window-size-small", "WindowGroup.create(region, 2048)", iae, List.of(2048), NOTHING,
                        env -> WindowGroup.create(env.region, 2048)),
                of("window-view-length-zero", "group.map(0, 0, hold)", iae, List.of("positive", 0),
                        env -> env.extra.add(WindowGroup.create(env.region, 64 * KiB)),
                        env -> window(env).map(0, 0, NO_HOLD)),
                of("window-view-crosses", "group.map(60 KiB, 8 KiB, hold) over 64 KiB windows", iae,
                        List.of(60 * KiB, "crosses"), env -> env.extra.add(WindowGroup.create(env.region, 64 * KiB)),
                        env -> window(env).map(60 * KiB, 8 * KiB, NO_HOLD)),
                of("window-view-past-end", "group.map(4 MiB, 4096, hold)", ioobe, List.of(4 * MiB), 
                        env -> env.extra.add(WindowGroup.create(env.region, 64 * KiB)),
                        env -> window(env).map(4 * MiB, 4096, NO_HOLD)),
                of("window-view-negative", "group.map(-4096, 4096, hold)", ioobe, List.of(-4096),
                        env -> env.extra.add(WindowGroup.create(env.region, 64 * KiB)),
                        env -> window(env).map(-4096, 4096, NO_HOLD)),
                of("window-view-after-region-close", "view.segment() after its region closed", ise, List.of("closed"),
                        env -> {
                            WindowGroup g = WindowGroup.create(env.region, 64 * KiB);
                            env.extra.add(g);
                            env.extra.add(g.map(0, 4096, NO_HOLD));
                            closeRegion(env);
                        }, env -> ((WindowGroup.View) env.extra.get(1)).segment()),
                of("window-map-after-close", "group.map(0, 4096, hold) after group.close()", ise, List.of("closed"),
                        env -> {
                            env.extra.add(WindowGroup.create(env.region, 64 * KiB));
                            window(env).close();
                        }, env -> window(env).map(0, 4096, NO_HOLD)),
                of("window-view-after-revoke", "view.segment() after its group closed", ise, List.of("closed"),
                        env -> {
                            WindowGroup g = WindowGroup.create(env.region, 64 * KiB);
                            env.extra.add(g);
                            env.extra.add(g.map(0, 4096, NO_HOLD));
                            g.close();
                        }, env -> ((WindowGroup.View) env.extra.get(1)).segment()),
                of("window-group-closed-region", "WindowGroup.create(closed region)", ise, List.of("closed"),
                        env -> closeRegion(env), env -> WindowGroup.create(env.region)));
    }

    /** A view that holds nothing beyond its window. */
    private static final WindowGroup.Hold NO_HOLD = new WindowGroup.Hold() {
        @Override
        public void take() {
        }

        @Override
        public void release() {
        }
    };

    private static WindowGroup window(Env env) {
        return (WindowGroup) env.extra.getFirst();
    }

    private static void closeRegion(Env env) {
        env.dax.close();
        env.region.close();
    }

    /** A dependent whose name a message can show. */
    private record Named(String name) implements AutoCloseable {
        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
