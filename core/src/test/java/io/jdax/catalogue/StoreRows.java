package io.jdax.catalogue;

import static io.jdax.catalogue.Env.MiB;
import static io.jdax.catalogue.Row.of;

import io.jdax.store.DaxFile;
import io.jdax.store.DaxStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Misuses of the file store (io.jdax.store): an anonymous 4 MiB store with file "a" (10,000 bytes written) and
 * an empty file "b", whose statistics, names, sizes and file contents (a CRC32 each) join the snapshot; and
 * store files in the scratch directory, for the refusals of {@code DaxStore.open}.
 */
final class StoreRows {

    private StoreRows() {
    }

    static final long SIZE = 4 * MiB;

    /** The fixture, first in env.extra. */
    private record Store(DaxStore store, DaxFile a, DaxFile b) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    private static final Row.Step STORE = env -> {
        DaxStore s = DaxStore.anonymous(SIZE);
        DaxFile a = s.create("a");
        byte[] bytes = new byte[10_000];
        Arrays.fill(bytes, (byte) 0x3c);
        a.write(0, bytes, 0, bytes.length);
        Store st = new Store(s, a, s.create("b"));
        env.extra.add(st);
        env.watched.add(() -> describe(s));
    };

    private static String describe(DaxStore s) {
        if (!s.isOpen()) {
            return "store closed";
        }
        StringBuilder b = new StringBuilder("store ").append(s.stats());
        for (String name : s.names()) {
            DaxFile f = s.open(name);
            byte[] all = new byte[(int) f.size()];
            f.read(0, all, 0, all.length);
            CRC32 crc = new CRC32();
            crc.update(all);
            b.append(' ').append(name).append('=').append(f.size()).append('/').append(Long.toHexString(crc.getValue()));
        }
        return b.toString();
    }

    private static Store store(Env env) {
        return (Store) env.extra.getFirst();
    }

    private static Path storeFile(Env env) {
        return env.dir.resolve("s.dax");
    }

    /** A store file of {@link #SIZE} bytes in the scratch directory, closed again. */
    private static final Row.Step STORE_FILE = env -> {
        try (DaxStore s = DaxStore.open(storeFile(env), SIZE)) {
            s.create("kept").write(0, new byte[] {1, 2, 3}, 0, 3);
        }
    };

    static Stream<Row> rows() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        return Stream.of(
                of("store-write-negative", "a.write(-1, 1 byte)", iae, List.of(-1, "negative"), STORE,
                        env -> store(env).a().write(-1, new byte[1], 0, 1)),
                of("store-write-overflow", "a.write(Long.MAX_VALUE, 1 byte)", iae, List.of(Long.MAX_VALUE, "overflowing"),
                        STORE, env -> store(env).a().write(Long.MAX_VALUE, new byte[1], 0, 1)),
                of("store-read-past-end", "a.read(10001, 1 byte) of a 10,000-byte file", iae, List.of(10001, "outside"),
                        STORE, env -> store(env).a().read(10_001, new byte[1], 0, 1)),
                of("store-map-empty", "a.map(0, 0, false)", iae, List.of("0 + 0", "outside"), STORE,
                        env -> store(env).a().map(0, 0, false)),
                of("store-truncate-negative", "a.truncate(-1)", iae, List.of(-1), STORE,
                        env -> store(env).a().truncate(-1)),
                of("store-punch-unaligned", "a.punchHole(1, 10)", iae, List.of("[1, 1 + 10)", "page aligned"), STORE,
                        env -> store(env).a().punchHole(1, 10)),
                of("store-reflink-overlap", "store.reflink(a, 0, a, 4096, 8192)", iae, List.of("overlap"), STORE,
                        env -> store(env).store().reflink(store(env).a(), 0, store(env).a(), 4096, 8192)),
                of("store-reflink-across-stores", "store.reflink(a, 0, another store's file, 0, 4096)", iae,
                        List.of("across stores"), STORE.then(env -> {
                            DaxStore other = DaxStore.anonymous(SIZE);
                            env.extra.add(other);
                            other.create("c");
                        }), env -> store(env).store().reflink(store(env).a(), 0,
                                ((DaxStore) env.extra.get(1)).open("c"), 0, 4096)),
                of("store-create-taken", "store.create(\"a\") when \"a\" exists", iae, List.of("'a'", "exists already"),
                        STORE, env -> store(env).store().create("a")),
                of("store-create-empty-name", "store.create(\"\")", iae, List.of("0 UTF-8 bytes"), STORE,
                        env -> store(env).store().create("")),
                of("store-open-missing", "store.open(\"nope\")", iae, List.of("'nope'"), STORE,
                        env -> store(env).store().open("nope")),
                of("store-memory-failure-range", "store.memoryFailure(-1, 1)", iae, List.of(-1, "outside"), STORE,
                        env -> store(env).store().memoryFailure(-1, 1)),
                of("store-write-deleted", "b.write(0, 1 byte) after store.delete(\"b\")", ise, List.of("'b'", "deleted"),
                        STORE.then(env -> store(env).store().delete("b")),
                        env -> store(env).b().write(0, new byte[1], 0, 1)),
                of("store-open-twice", "DaxStore.open(file, 4 MiB) while a store has it open", ise,
                        List.of("open as a store"), STORE.then(STORE_FILE).then(env ->
                                env.extra.add(DaxStore.open(storeFile(env), SIZE))),
                        env -> DaxStore.open(storeFile(env), SIZE)),
                of("store-open-other-size", "DaxStore.open(file made at 4 MiB, 6 MiB)", iae,
                        List.of(SIZE + " bytes", "not " + 6 * MiB), STORE.then(STORE_FILE),
                        env -> DaxStore.open(storeFile(env), 6 * MiB)),
                of("store-open-not-a-store", "DaxStore.open(a 4 MiB file of 0x5a bytes, 4 MiB)", iae,
                        List.of("holds no jdax store"), STORE.then(env -> {
                            byte[] junk = new byte[(int) SIZE];
                            Arrays.fill(junk, (byte) 0x5a);
                            Files.write(storeFile(env), junk);
                        }), env -> DaxStore.open(storeFile(env), SIZE)));
    }
}
