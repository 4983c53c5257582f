package io.jdax.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.alloc.AllocatorStats;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.memory.Persistence;
import io.jdax.memory.Region;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The buffer-pool contract both safety modes keep. */
abstract class BufferPoolContract {

    static final long CAPACITY = 16L << 20;

    BufferPool pool;

    abstract PoolMode mode();

    /** Operations of the randomized run: checked buffers cost a mapping and a handshake each. */
    abstract int randomizedOperations();

    @BeforeEach
    void setUp() {
        pool = BufferPool.builder().capacity(CAPACITY).mode(mode()).cacheStripes(4).build();
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    static void assertNames(Throwable t, Object... values) {
        for (Object v : values) {
            assertTrue(t.getMessage().contains(String.valueOf(v)), () -> "'" + t.getMessage() + "' should name " + v);
        }
    }

    /**
     * Nothing is held by a buffer: no live slab object or folio buffer, every allocated page a slab's (the
     * slab layer keeps its current and a few empty slabs), and slab and allocator invariants hold.
     */
    static void assertNothingHeld(BufferPool pool) {
        PoolStats s = pool.verify();
        assertEquals(0, s.bytesRequested(), s.sizeClasses()::toString);
        assertEquals(0, s.slab().objectsInUse());
        assertEquals(s.slab().bytesHeld(), s.allocatedBytes(), "every allocated page belongs to a slab");
    }

    @Test
    void buffersShowExactlyTheRequestedBytesAndHoldWholeFolios() {
        long[] sizes = {4096, 4097, 10_000, 2L << 20};
        long[] folioBytes = {4096, 8192, 16384, 2L << 20};
        long expected = 0;
        List<PooledBuffer> held = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            PooledBuffer b = pool.allocate(sizes[i]);
            held.add(b);
            assertEquals(sizes[i], b.byteSize());
            assertEquals(sizes[i], b.segment().byteSize());
            assertEquals(sizes[i], b.byteBuffer().capacity());
            assertEquals(1, b.refCnt());
            expected += folioBytes[i];
            assertEquals(expected, pool.stats().allocatedBytes());
        }
        PoolStats s = pool.stats();
        assertEquals(4096 + 4097 + 10_000 + (2L << 20), s.bytesRequested());
        assertEquals(expected, s.bytesHeld());
        for (PooledBuffer b : held) {
            assertTrue(b.release());
        }
        assertEquals(0, pool.stats().allocatedBytes());
        assertEquals(mode(), pool.stats().mode());
    }

    @Test
    void buffersUpToHalfAPageAreSlabObjectsOfTheirSizeClass() {
        int max = pool.slab().maxObjectSize();
        assertEquals(2048, max);
        long[] sizes = {1, 16, 17, 100, 256, 1000, max};
        long[] objectBytes = {16, 16, 32, 128, 256, 1024, 2048};
        List<PooledBuffer> held = new ArrayList<>();
        long requested = 0;
        for (int i = 0; i < sizes.length; i++) {
            PooledBuffer b = pool.allocate(sizes[i]);
            held.add(b);
            requested += sizes[i];
            assertEquals(sizes[i], b.byteSize());
            assertEquals(sizes[i], b.byteBuffer().capacity());
            b.segment().fill((byte) i);
            PoolStats s = pool.stats();
            assertEquals(requested, s.bytesRequested());
            assertEquals(i + 1, s.slab().objectsInUse());
            long size = objectBytes[i];
            PoolSizeClass c = s.sizeClasses().stream().filter(k -> k.slab() && k.size() == size).findFirst()
                    .orElseThrow();
            assertTrue(c.buffers() >= 1 && c.bytesRequested() >= sizes[i], c::toString);
        }
        assertEquals(0, pool.stats().sizeClasses().stream().filter(k -> !k.slab()).mapToLong(PoolSizeClass::buffers)
                .sum(), "no folio buffer");
        for (int i = 0; i < held.size(); i++) { // no two buffers overlap
            assertEquals((byte) i, held.get(i).segment().get(ValueLayout.JAVA_BYTE, sizes[i] - 1));
        }
        assertTrue(pool.stats().fragmentation() > 0);
        held.forEach(PooledBuffer::release);
        assertNothingHeld(pool);
    }

    @Test
    void segmentAndByteBufferShareTheBytes() {
        try (PooledBuffer b = pool.allocate(64)) {
            b.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0x0102030405060708L);
            ByteBuffer bb = b.byteBuffer().order(java.nio.ByteOrder.nativeOrder());
            assertEquals(0x0102030405060708L, bb.getLong(8));
            bb.putInt(40, 77);
            assertEquals(77, b.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 40));
            assertThrows(IndexOutOfBoundsException.class, () -> b.segment().get(ValueLayout.JAVA_BYTE, 64));
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {64, 2048, 4096})
    void retainAndReleaseCountAndTheLastReleaseFrees(long size) {
        PooledBuffer b = pool.allocate(size);
        assertEquals(b, b.retain());
        assertEquals(2, b.refCnt());
        assertFalse(b.release());
        assertEquals(size, pool.stats().bytesRequested());
        assertTrue(b.release());
        assertEquals(0, b.refCnt());
        assertNothingHeld(pool);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {64, 4096})
    void misuseAfterTheLastReleaseThrowsAndChangesNothing(long size) {
        PooledBuffer b = pool.allocate(size);
        b.release();
        assertNames(assertThrows(IllegalStateException.class, b::release), "already released", "refCnt 0");
        assertEquals(0, b.refCnt(), "a double release leaves the count as it was");
        assertNames(assertThrows(IllegalStateException.class, b::retain), "released");
        assertEquals(0, b.refCnt());
        assertThrows(IllegalStateException.class, b::segment);
        assertThrows(IllegalStateException.class, b::byteBuffer);
        assertThrows(IllegalStateException.class, () -> b.slice(0, 10));
        assertThrows(IllegalStateException.class, b::close);
        // the folio or object went back once: the pool is whole
        assertNothingHeld(pool);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {2048, 8192})
    void slicesHoldTheirOwnReferenceAndOutliveTheParent(long size) {
        PooledBuffer parent = pool.allocate(size);
        long half = size / 2;
        parent.segment().set(ValueLayout.JAVA_INT, half + 4, 99);
        PooledBuffer slice = parent.slice(half, 100);
        assertEquals(100, slice.byteSize());
        assertEquals(1, slice.refCnt());
        assertTrue(parent.release());
        assertEquals(size, pool.stats().bytesRequested(), "the slice keeps the memory and the request counted");
        List<PooledBuffer> others = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // none of them may be handed the memory the slice still holds
            PooledBuffer other = pool.allocate(size);
            other.segment().fill((byte) 0x55);
            others.add(other);
        }
        assertEquals(99, slice.segment().get(ValueLayout.JAVA_INT, 4));
        PooledBuffer nested = slice.slice(4, 4);
        assertEquals(99, nested.segment().get(ValueLayout.JAVA_INT, 0));
        assertTrue(slice.release());
        assertEquals(99, nested.segment().get(ValueLayout.JAVA_INT, 0), "the nested slice keeps it alone");
        assertTrue(nested.release());
        others.forEach(PooledBuffer::release);
        assertNothingHeld(pool);
        assertNames(assertThrows(IndexOutOfBoundsException.class, () -> pool.allocate(10).slice(5, 6)), "5", "6", "10");
    }

    @Test
    void aFolioThatFindsNoRoomMakesTheSlabLayerGiveBackItsEmptySlabsAndRetries() {
        try (BufferPool p = BufferPool.builder().capacity(64 << 10).mode(mode()).cacheStripes(0)
                .checkedBufferLimit(1024).build()) {
            List<PooledBuffer> held = new ArrayList<>();
            try {
                for (;;) {
                    held.add(p.allocate(2048));
                }
            } catch (OutOfPagesException full) {
                // every page is a slab now
            }
            held.forEach(PooledBuffer::release);
            held.clear();
            assertTrue(p.stats().slab().classes().stream().mapToLong(c -> c.emptySlabs()).sum() > 0,
                    "the slab layer keeps empty slabs");
            try {
                for (;;) {
                    held.add(p.allocate(4096));
                }
            } catch (OutOfPagesException full) {
                // every page not in a current slab is a buffer now
            }
            PoolStats s = p.verify();
            assertEquals(0, s.slab().classes().stream().mapToLong(c -> c.emptySlabs()).sum(),
                    "a failing folio allocation took the kept empty slabs back");
            assertEquals(16 * 4096, held.size() * 4096L + s.slab().bytesHeld(), "every other page is a buffer");
            held.forEach(PooledBuffer::release);
        }
    }

    @Test
    void badSizesAreRefusedNamingTheSize() {
        assertNames(assertThrows(IllegalArgumentException.class, () -> pool.allocate(0)), "0");
        assertNames(assertThrows(IllegalArgumentException.class, () -> pool.allocate(-5)), "-5");
        long tooBig = pool.maxBufferSize() + 1;
        assertNames(assertThrows(IllegalArgumentException.class, () -> pool.allocate(tooBig)), tooBig);
        assertEquals(0, pool.stats().allocatedBytes());
    }

    @Test
    void exhaustionIsAClearExceptionAJfrEventAndAnEmptyTry(@TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("events.jfr");
        List<PooledBuffer> held = new ArrayList<>();
        try (Recording recording = new Recording()) {
            recording.enable("io.jdax.AllocationFailure");
            recording.enable("io.jdax.PoolExhausted");
            recording.start();
            for (int i = 0; i < CAPACITY / (2 << 20); i++) {
                held.add(pool.allocate(2 << 20));
            }
            OutOfPagesException e = assertThrows(OutOfPagesException.class, () -> pool.allocate(4096));
            assertNames(e, "order-0", "4096 bytes");
            assertTrue(pool.tryAllocate(1).isEmpty());
            recording.stop();
            recording.dump(jfr);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        assertTrue(events.stream().anyMatch(ev -> ev.getEventType().getName().equals("io.jdax.AllocationFailure")
                && ev.getLong("bytes") == 4096), events.toString());
        assertTrue(events.stream().anyMatch(ev -> ev.getEventType().getName().equals("io.jdax.PoolExhausted")
                && ev.getLong("freePages") == 0), events.toString());
        held.remove(0).release();
        assertTrue(pool.tryAllocate(4096).isPresent());
        held.forEach(PooledBuffer::release);
    }

    @Test
    void badOptionsAreRefusedWhenThePoolIsBuilt() {
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().capacity(1 << 20).limitBytes(0).mode(mode()).build()), "limit", "0");
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().capacity(1 << 20).cacheStripes(3).mode(mode()).build()), "3");
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().capacity(1 << 20).pageSize(1000).mode(mode()).build()), "1000");
        assertNames(assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().capacity(-1)), "-1");
    }

    @Test
    void aLimitBelowTheCapacityIsEnforced() {
        try (BufferPool limited = BufferPool.builder().capacity(CAPACITY).limitBytes(1 << 20).mode(mode()).build()) {
            List<PooledBuffer> held = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                held.add(limited.allocate(4096));
            }
            OutOfPagesException e = assertThrows(OutOfPagesException.class, () -> limited.allocate(1));
            assertTrue(e.overLimit(), e.getMessage());
            held.forEach(PooledBuffer::release);
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {500, 5000})
    void closeReportsOutstandingBuffersAsLeaksAndRevokesThem(long size) {
        BufferPool p = BufferPool.builder().capacity(1 << 20).mode(mode()).build();
        PooledBuffer leaked = p.allocate(size);
        MemorySegment seg = leaked.segment();
        p.allocate(10).release();
        p.close();
        List<LeakReport> leaks = p.leaks();
        assertEquals(1, leaks.size(), leaks.toString());
        assertFalse(leaks.get(0).reclaimed());
        assertEquals(1, p.stats().leaks());
        assertLeakDetails(leaks.get(0), size);
        assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0),
                "after close the memory is gone: an access throws, it does not crash");
        assertThrows(IllegalStateException.class, () -> p.allocate(1));
        p.close();
    }

    @Test
    void aReleaseAfterThePoolClosedThrowsAndLeavesTheCount() {
        BufferPool p = BufferPool.builder().capacity(1 << 20).mode(mode()).build();
        PooledBuffer b = p.allocate(100);
        p.close();
        assertNames(assertThrows(IllegalStateException.class, b::release), "pool was closed");
        assertEquals(1, b.refCnt());
    }

    @Test
    void aRetainAfterThePoolClosedIsRefusedAndLeavesTheCount() {
        BufferPool p = BufferPool.builder().capacity(1 << 20).mode(mode()).build();
        PooledBuffer b = p.allocate(100);
        p.close();
        assertNames(assertThrows(IllegalStateException.class, b::retain), "pool was closed", "leak");
        assertEquals(1, b.refCnt());
    }

    @Test
    void aSliceAfterThePoolClosedSaysWhatWasClosed() {
        BufferPool p = BufferPool.builder().capacity(1 << 20).mode(mode()).build();
        PooledBuffer b = p.allocate(100);
        p.close();
        assertNames(assertThrows(IllegalStateException.class, () -> b.slice(0, 10)), "slice", "pool was closed");
        assertEquals(1, b.refCnt());
    }

    @Test
    void aRegionClosedUnderThePoolIsNamedByEveryPoolCall(@TempDir Path dir) throws Exception {
        Region region = Region.mapFile(dir.resolve("pool"), 8L << 20, Persistence.MSYNC);
        BufferPool p = BufferPool.builder().region(region).mode(mode()).build();
        PooledBuffer b = p.allocate(4096);
        region.close();
        assertNames(assertThrows(IllegalStateException.class, () -> p.allocate(10)), "region", "close the pool first");
        assertNames(assertThrows(IllegalStateException.class, b::release), "region", "close the pool first");
        assertNames(assertThrows(IllegalStateException.class, p::close), "region", "close the pool first");
        p.close(); // said once; the pool is closed now
        assertNames(assertThrows(IllegalStateException.class, () -> p.allocate(10)), "buffer pool is closed");
    }

    @Test
    void anAllocatorClosedUnderThePoolIsNamedByEveryPoolCall() {
        BufferPool p = BufferPool.builder().capacity(1 << 20).mode(mode()).build();
        PooledBuffer b = p.allocate(4096);
        p.allocator().close();
        assertNames(assertThrows(IllegalStateException.class, () -> p.allocate(10)), "allocator", "close the pool");
        assertNames(assertThrows(IllegalStateException.class, b::release), "allocator", "close the pool");
        assertNames(assertThrows(IllegalStateException.class, p::close), "allocator", "close the pool instead");
        assertFalse(p.region().isOpen(), "the pool's own region is unmapped all the same");
        p.close(); // said once
    }

    @Test
    void aLimitBelowOnePageIsRefusedWhenThePoolIsBuilt() {
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().capacity(1 << 20).limitBytes(100).mode(mode()).build()), "100", "4096");
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().capacity(1 << 20).pageSize(8192).limitBytes(5000).mode(mode()).build()),
                "5000", "8192");
        try (BufferPool onePage = BufferPool.builder().capacity(1 << 20).limitBytes(4096 + 100).mode(mode()).build()) {
            onePage.allocate(4096).release(); // rounded down to one page, and that page is usable
            assertThrows(OutOfPagesException.class, () -> onePage.allocate(4097));
        }
    }

    @Test
    void aCapacityNoRegionCanHaveIsRefusedNamingIt() {
        for (long bytes : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 4095, Long.MAX_VALUE & -(2L << 20)}) {
            assertNames(assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.builder().capacity(bytes).mode(mode()).build()), bytes);
        }
        assertNames(assertThrows(IllegalArgumentException.class,
                () -> BufferPool.builder().capacity(4096 * 3 + 1).mode(mode()).build()), 4096 * 3 + 1, "4096");
    }

    @Test
    void aPoolWhoseDescriptorsCannotBeAllocatedLeavesNoMappingBehind() throws Exception {
        Path maps = Path.of("/proc/self/maps");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(maps), "needs /proc/self/maps");
        long before = anonymousRegionMappings(maps);
        for (int i = 0; i < 3; i++) {
            // refused for lack of room in the backing filesystem, or mapped sparsely and then its 256 GiB of
            // page descriptors cannot be had: either way nothing may stay mapped
            assertThrows(Throwable.class, () -> BufferPool.builder().capacity(32L << 40).mode(mode()).build());
        }
        assertEquals(before, anonymousRegionMappings(maps), "every failed build unmapped the region it made");
    }

    @Test
    void aBuildFailingWithAnErrorUnmapsTheRegionItMade() {
        Region[] made = new Region[1];
        BufferPoolBuilder b = BufferPool.builder().capacity(1 << 20).mode(mode());
        b.allocatorBuild = (region, allocator) -> {
            made[0] = region;
            throw new OutOfMemoryError("page descriptors (thrown by the test)");
        };
        assertThrows(OutOfMemoryError.class, b::build);
        assertFalse(made[0].isOpen(), "the region the failed build made is unmapped");
    }

    private static long anonymousRegionMappings(Path maps) throws java.io.IOException {
        try (var lines = java.nio.file.Files.lines(maps)) {
            return lines.filter(l -> l.contains("jdax-anon-")).count();
        }
    }

    /** What a leak report says in this mode. */
    abstract void assertLeakDetails(LeakReport leak, long size);

    @Test
    void aFileBackedRegionCanBePooledAndStaysTheCallers(@TempDir Path dir) throws Exception {
        try (Region region = Region.mapFile(dir.resolve("pool"), 8L << 20, Persistence.MSYNC)) {
            try (BufferPool p = BufferPool.builder().region(region).mode(mode()).build();
                 PooledBuffer b = p.allocate(4096)) {
                b.segment().set(ValueLayout.JAVA_LONG, 0, 5L);
            }
            assertTrue(region.isOpen(), "the pool does not close a region it was given");
        }
    }

    @Test
    void randomizedSequencesKeepThePoolWhole() {
        Random rnd = new Random(4242 + mode().ordinal());
        List<PooledBuffer> held = new ArrayList<>();
        for (int op = 0; op < randomizedOperations(); op++) {
            int c = rnd.nextInt(10);
            if (c < 5 || held.isEmpty()) {
                long bytes = 1 + rnd.nextInt(rnd.nextInt(10) < 9 ? 16384 : 1 << 20);
                pool.tryAllocate(bytes).ifPresent(b -> {
                    b.segment().set(ValueLayout.JAVA_BYTE, b.byteSize() - 1, (byte) 1);
                    held.add(b);
                });
            } else if (c < 8) {
                held.remove(rnd.nextInt(held.size())).release();
            } else if (c < 9) {
                PooledBuffer b = held.get(rnd.nextInt(held.size()));
                b.retain();
                b.release();
            } else {
                PooledBuffer b = held.get(rnd.nextInt(held.size()));
                held.add(b.slice(0, Math.max(1, b.byteSize() / 2)));
            }
            if (op % 5_000 == 0) {
                pool.allocator().verify();
            }
        }
        held.forEach(PooledBuffer::release);
        assertNothingHeld(pool);
        assertTrue(pool.leaks().isEmpty());
    }

    @Test
    void threadsShareThePool() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int seed = t;
                    futures.add(threads.submit(() -> {
                        Random rnd = new Random(seed);
                        for (int i = 0; i < randomizedOperations() / 20; i++) {
                            PooledBuffer b = pool.allocate(1 + rnd.nextInt(20_000));
                            b.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) seed);
                            PooledBuffer other = b.retain();
                            b.release();
                            assertEquals((byte) seed, other.segment().get(ValueLayout.JAVA_BYTE, 0));
                            other.release();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            assertNothingHeld(pool);
        });
    }
}
