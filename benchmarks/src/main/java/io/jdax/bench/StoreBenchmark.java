package io.jdax.bench;

import io.jdax.store.DaxFile;
import io.jdax.store.DaxStore;
import io.jdax.store.FileView;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The store's durability and copy paths against the JDK's, on one filesystem (the directory named by the
 * system property {@code jdax.bench.dir}, else {@code java.io.tmpdir}).
 *
 * <ul>
 *   <li>{@code sparseFsync} / {@code wholeRangeForce}: a 1 GiB file of 4 KiB extents with 1% of its pages
 *       (2,621) written at scattered offsets before each invocation (unmeasured); then a {@link DaxFile#fsync}
 *       that flushes exactly those pages, against a {@code force()} of the whole 1 GiB mapping.</li>
 *   <li>{@code storeRead} / {@code storeWrite} / {@code viewRead} / {@code viewWrite} / {@code channelRead} /
 *       {@code channelWrite}: 4 KiB at a random 4 KiB-aligned offset of a 1 GiB file: {@link DaxFile#read} and
 *       {@link DaxFile#write} (a copy through the file's entry), a zero-copy {@link FileView} mapped and closed
 *       per operation, and {@link FileChannel#read} / {@link FileChannel#write} of a 1 GiB file beside it.</li>
 *   <li>{@code mappedRead} / {@code mappedWrite}: the same 4 KiB copies through views mapped once, as a user of
 *       zero-copy access keeps them: a 1 GiB file written in 2 MiB pieces, so that every extent is a 2 MiB
 *       block, with one {@link FileView} per block (512, writable) made and faulted in before the
 *       measurement.</li>
 * </ul>
 */
public class StoreBenchmark extends BenchmarkDefaults {

    static final long FILE = 1L << 30;
    static final int PAGE = 4096;
    static final int PAGES = (int) (FILE / PAGE);
    static final int DIRTY = PAGES / 100;
    static final long REGION = FILE + (64L << 20);

    static Path dir() {
        return Path.of(System.getProperty("jdax.bench.dir", System.getProperty("java.io.tmpdir")));
    }

    /** A file-backed store holding a 1 GiB file of 4 KiB extents, and a scattered 1% of its pages to dirty. */
    @State(Scope.Benchmark)
    public static class Sparse {
        Path path;
        DaxStore store;
        DaxFile file;
        final MemorySegment page = MemorySegment.ofArray(new byte[8]);
        final SplittableRandom rnd = new SplittableRandom(42);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            path = Files.createTempFile(dir(), "jdax-store-bench", ".pmem");
            store = DaxStore.open(path, REGION);
            file = store.create("sparse");
            MemorySegment block = MemorySegment.ofArray(new byte[PAGE]);
            for (long off = 0; off < FILE; off += PAGE) {
                file.write(off, block); // appended page by page: no 2 MiB range is inside the file when faulted
            }
            file.fsync();
        }

        @Setup(Level.Invocation)
        public void dirty() {
            for (int i = 0; i < DIRTY; i++) {
                file.write((long) rnd.nextInt(PAGES) * PAGE, page);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            store.close();
            Files.deleteIfExists(path);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long sparseFsync(Sparse s) {
        return s.file.fsync();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void wholeRangeForce(Sparse s) {
        s.store.region().segment().force();
    }

    /** A 1 GiB store file and a 1 GiB plain file, both written whole, in one directory. */
    @State(Scope.Benchmark)
    public static class Random4k {
        Path storePath;
        Path channelPath;
        DaxStore store;
        DaxFile file;
        FileChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(PAGE);
        final MemorySegment segment = MemorySegment.ofBuffer(buffer);
        final SplittableRandom rnd = new SplittableRandom(7);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            storePath = Files.createTempFile(dir(), "jdax-store-bench", ".pmem");
            channelPath = Files.createTempFile(dir(), "jdax-channel-bench", ".dat");
            store = DaxStore.open(storePath, REGION);
            file = store.create("random");
            MemorySegment chunk = MemorySegment.ofArray(new byte[1 << 20]);
            ByteBuffer plain = ByteBuffer.allocateDirect(1 << 20);
            channel = FileChannel.open(channelPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
            for (long off = 0; off < FILE; off += chunk.byteSize()) {
                file.write(off, chunk);
                plain.clear();
                while (plain.hasRemaining()) {
                    channel.write(plain, off + plain.position());
                }
            }
            file.fsync();
            channel.force(true);
        }

        long offset() {
            return (long) rnd.nextInt(PAGES) * PAGE;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            store.close();
            channel.close();
            Files.deleteIfExists(storePath);
            Files.deleteIfExists(channelPath);
        }
    }

    /** A 1 GiB file of 2 MiB extents in a file-backed store, every block mapped by one writable view. */
    @State(Scope.Benchmark)
    public static class Mapped {
        Path path;
        DaxStore store;
        DaxFile file;
        FileView[] views;
        final MemorySegment segment = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(PAGE));
        final SplittableRandom rnd = new SplittableRandom(7);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            path = Files.createTempFile(dir(), "jdax-mapped-bench", ".pmem");
            store = DaxStore.open(path, REGION);
            file = store.create("mapped");
            MemorySegment chunk = MemorySegment.ofArray(new byte[(int) DaxStore.HUGE]);
            for (long off = 0; off < FILE; off += chunk.byteSize()) {
                file.write(off, chunk); // each write fills a whole 2 MiB range: it gets a 2 MiB block
            }
            file.fsync();
            if (file.stats().hugeExtents() != FILE / DaxStore.HUGE) {
                throw new IllegalStateException("expected 2 MiB extents only: " + file.stats());
            }
            views = new FileView[(int) (FILE / DaxStore.HUGE)];
            long sum = 0;
            for (int i = 0; i < views.length; i++) {
                views[i] = file.map(i * DaxStore.HUGE, DaxStore.HUGE, true);
                // each view is a mapping of its own: fault its pages in now, as a long-lived mapping has them
                for (long p = 0; p < DaxStore.HUGE; p += PAGE) {
                    sum += views[i].segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, p);
                }
            }
            if (sum != 0) {
                throw new IllegalStateException("the file was written with zeros, read " + sum);
            }
        }

        /** The view of the 2 MiB block holding byte {@code offset} of the file. */
        MemorySegment view(long offset) {
            return views[(int) (offset / DaxStore.HUGE)].segment();
        }

        long offset() {
            return (long) rnd.nextInt(PAGES) * PAGE;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            for (FileView v : views) {
                v.close();
            }
            store.close();
            Files.deleteIfExists(path);
        }
    }

    @Benchmark
    public long mappedRead(Mapped s) {
        long off = s.offset();
        MemorySegment.copy(s.view(off), off % DaxStore.HUGE, s.segment, 0, PAGE);
        return s.segment.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    @Benchmark
    public void mappedWrite(Mapped s) {
        long off = s.offset();
        MemorySegment.copy(s.segment, 0, s.view(off), off % DaxStore.HUGE, PAGE);
    }

    @Benchmark
    public long storeRead(Random4k s) {
        return s.file.read(s.offset(), s.segment);
    }

    @Benchmark
    public void storeWrite(Random4k s) {
        s.file.write(s.offset(), s.segment);
    }

    @Benchmark
    public long viewRead(Random4k s) {
        try (FileView v = s.file.map(s.offset(), PAGE, false)) {
            MemorySegment.copy(v.segment(), 0, s.segment, 0, PAGE);
        }
        return s.segment.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    @Benchmark
    public void viewWrite(Random4k s) {
        try (FileView v = s.file.map(s.offset(), PAGE, true)) {
            MemorySegment.copy(s.segment, 0, v.segment(), 0, PAGE);
        }
    }

    @Benchmark
    public int channelRead(Random4k s) throws IOException {
        s.buffer.clear();
        return s.channel.read(s.buffer, s.offset());
    }

    @Benchmark
    public int channelWrite(Random4k s) throws IOException {
        s.buffer.clear();
        return s.channel.write(s.buffer, s.offset());
    }
}
