package io.jdax.catalogue;

import static io.jdax.catalogue.Row.NOTHING;
import static io.jdax.catalogue.Row.of;

import io.jdax.mapping.InMemoryExtentSource;
import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingSpace;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.Stream;

/**
 * Misuses of fs-dax mappings (io.jdax.mapping), over the environment's dax map: a mapping space, an in-memory
 * extent source and one file of 64 pages, whose entry count, live views, the source's free pages and
 * {@code verify()} join the snapshot.
 */
final class MappingRows {

    private MappingRows() {
    }

    /** The fixture: env.extra holds the file; the space and source are reachable from it. */
    private record File(MappingSpace space, InMemoryExtentSource source, Mapping mapping) implements AutoCloseable {
        @Override
        public void close() {
            mapping.close();
        }
    }

    private static final Row.Step FILE = env -> {
        MappingSpace space = new MappingSpace(env.dax);
        InMemoryExtentSource source = new InMemoryExtentSource(env.dax);
        File f = new File(space, source, space.open(source, 64 * 4096));
        env.extra.add(f);
        env.watched.add(() -> "mapping " + f.mapping().isOpen() + " size " + f.mapping().size() + " entries "
                + f.mapping().entryCount() + " views " + f.mapping().liveViews() + " free " + source.freePages()
                + " mappings " + space.mappings() + (f.mapping().isOpen() ? verified(f.mapping()) : ""));
    };

    private static String verified(Mapping m) {
        m.verify();
        return " verified";
    }

    private static File file(Env env) {
        return (File) env.extra.getFirst();
    }

    static Stream<Row> rows() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        Class<IndexOutOfBoundsException> ioobe = IndexOutOfBoundsException.class;
        return Stream.of(
                of("space-over-pool-map", "new MappingSpace(a pool's page map)", iae, List.of("DAX", "POOL"), NOTHING,
                        env -> new MappingSpace(env.pool.allocator().pageMap())),
                of("space-over-device-map", "new MappingSpace(a device's page map)", iae, List.of("DAX", "DEVICE"),
                        NOTHING, env -> new MappingSpace(env.device.pageMap())),
                of("space-windows-zero", "new MappingSpace(daxMap, 0)", iae, List.of(0), NOTHING,
                        env -> new MappingSpace(env.dax, 0)),
                of("space-windows-too-many", "new MappingSpace(daxMap, 32769)", iae, List.of(32769), NOTHING,
                        env -> new MappingSpace(env.dax, 32769)),
                of("source-over-device-map", "new InMemoryExtentSource(a device's page map)", iae, List.of("DAX"),
                        NOTHING, env -> new InMemoryExtentSource(env.device.pageMap())),
                of("open-size-negative", "space.open(source, -1)", iae, List.of(-1), FILE,
                        env -> file(env).space().open(file(env).source(), -1)),
                of("open-fault-order", "space.open(source, 4096, 3)", iae, List.of("fault order 3"), FILE,
                        env -> file(env).space().open(file(env).source(), 4096, 3)),
                of("open-foreign-source", "space.open(a source of another page map, 4096)", iae,
                        List.of("extent source serves"), FILE, env -> {
                            try (Region r = Region.anonymous(1 << 20); PageMap other = PageMap.dax(r)) {
                                file(env).space().open(new InMemoryExtentSource(other), 4096);
                            }
                        }),
                of("fault-past-end", "mapping.map(64, false) of a 64-page file", ioobe, List.of(64), FILE,
                        env -> file(env).mapping().map(64, false)),
                of("fault-negative", "mapping.map(-1, false)", ioobe, List.of(-1), FILE,
                        env -> file(env).mapping().map(-1, false)),
                of("fault-order", "mapping.map(0, false, 3)", iae, List.of("fault order 3"), FILE,
                        env -> file(env).mapping().map(0, false, 3)),
                of("pin-fault-order", "mapping.pin(0, false, 5)", iae, List.of("fault order 5"), FILE,
                        env -> file(env).mapping().pin(0, false, 5)),
                of("punch-hole-misaligned", "mapping.punchHole(100, 4096)", iae, List.of(100, "aligned"), FILE,
                        env -> file(env).mapping().punchHole(100, 4096)),
                of("punch-hole-reversed", "mapping.punchHole(8192, 4096)", iae, List.of(8192, 4096), FILE,
                        env -> file(env).mapping().punchHole(8192, 4096)),
                of("truncate-negative", "mapping.truncate(-1)", iae, List.of(-1), FILE,
                        env -> file(env).mapping().truncate(-1)),
                of("lock-entry-past-max", "mapping.lockEntry(Long.MAX_VALUE)", ioobe, List.of(Long.MAX_VALUE), FILE,
                        env -> file(env).mapping().lockEntry(Long.MAX_VALUE)),
                of("read-past-end", "mapping.read(262145, dst) of a 262144-byte file", iae, List.of(262145, 262144),
                        FILE, env -> file(env).mapping().read(262145, MemorySegment.ofArray(new byte[8]))),
                of("read-negative", "mapping.read(-1, dst)", iae, List.of(-1), FILE,
                        env -> file(env).mapping().read(-1, MemorySegment.ofArray(new byte[8]))),
                of("write-past-end", "mapping.write(262140, 8 bytes) of a 262144-byte file", iae,
                        List.of(262140, "8 bytes"), FILE,
                        env -> file(env).mapping().write(262140, MemorySegment.ofArray(new byte[8]))),
                of("write-null", "mapping.write(0, null)", NullPointerException.class, List.of("src"), FILE,
                        env -> file(env).mapping().write(0, null)),
                of("fault-after-close", "mapping.map(0, false) after mapping.close()", ise, List.of("closed"),
                        FILE.then(env -> file(env).mapping().close()), env -> file(env).mapping().map(0, false)));
    }
}
