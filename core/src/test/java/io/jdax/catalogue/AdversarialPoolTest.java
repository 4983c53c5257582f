package io.jdax.catalogue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.device.DeviceDax;
import io.jdax.memory.Persistence;
import io.jdax.memory.Region;
import io.jdax.memory.WindowGroup;
import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;
import io.jdax.pool.PoolStats;
import io.jdax.pool.PooledBuffer;
import io.jdax.slab.SlabAllocator;
import io.jdax.wait.WaitTable;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Misuses an outside tester reaches for first (extreme sizes, tiny regions, edges of slices, waits ended by
 * interrupts): each is refused with a message naming the bad value and leaves the pool's statistics and
 * {@code verify()} as they were, or does its ordinary work.
 */
class AdversarialPoolTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static void assertNames(Throwable t, Object... values) {
        for (Object v : values) {
            assertTrue(String.valueOf(t.getMessage()).contains(String.valueOf(v)),
                    () -> "message does not name " + v + ": " + t);
        }
    }

    @Test
    void aPoolLargerThanAnyPageMapIsRefusedNotAnError() {
        assertTimeoutPreemptively(LIMIT, () -> {
            long huge = 1L << 46;
            RuntimeException e = assertThrows(RuntimeException.class, () -> BufferPool.create(huge));
            assertNames(e, huge);
        });
    }

    @Test
    void aHugePageSizeAndCapacityIsRefusedNotAnError() {
        assertTimeoutPreemptively(LIMIT, () -> {
            long huge = 1L << 62;
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> BufferPool.builder().pageSize(huge).capacity(huge).build());
            assertNames(e, huge);
        });
    }

    @Test
    void aRegionSmallerThanOnePageIsRefusedByEveryMap() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Region r = Region.anonymous(100)) {
                assertNames(assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().region(r).build()), 100);
                assertNames(assertThrows(IllegalArgumentException.class, () -> PageMap.dax(r)), 100);
                assertNames(assertThrows(IllegalArgumentException.class, () -> DeviceDax.create(r, 0)), 100);
                assertFalse(r.claimant().isPresent(), "a refused map left its claim on the region");
            }
        });
    }

    @ParameterizedTest
    @EnumSource(PoolMode.class)
    void aOnePagePoolServesOneSlabAndRefusesTheRest(PoolMode mode) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (BufferPool pool = BufferPool.builder().capacity(4096).mode(mode).build()) {
                assertEquals(4096, pool.maxBufferSize());
                PoolStats before = pool.verify();
                PooledBuffer small = pool.allocate(1);
                assertThrows(OutOfPagesException.class, () -> pool.allocate(4096));
                assertTrue(pool.tryAllocate(4096).isEmpty());
                small.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
                assertTrue(small.release());
                // no buffer is out: the pool's one page must come back to a buffer of one page
                try (PooledBuffer big = pool.allocate(4096)) {
                    assertEquals(4096, big.byteSize());
                }
            }
        });
    }

    @ParameterizedTest
    @EnumSource(PoolMode.class)
    void slicesOfSlicesAtTheEdgesShareBytesAndOutliveTheirParents(PoolMode mode) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (BufferPool pool = BufferPool.builder().capacity(1L << 20).mode(mode).build()) {
                for (long size : new long[] {1, 100, 2048, 2049, 4095, 4096, 4097, pool.maxBufferSize()}) {
                    PooledBuffer buf = pool.allocate(size);
                    PooledBuffer last = buf.slice(size - 1, 1);
                    PooledBuffer lastOfLast = last.slice(0, 1);
                    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                            () -> lastOfLast.slice(1, 1));
                    assertNames(e, "[1, 1 + 1)", "1 bytes");
                    assertThrows(IndexOutOfBoundsException.class, () -> lastOfLast.slice(0, 2));
                    PooledBuffer whole = buf.slice(0, size);
                    assertTrue(buf.release());
                    lastOfLast.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 42);
                    assertEquals(42, whole.segment().get(ValueLayout.JAVA_BYTE, size - 1));
                    assertEquals(1, whole.byteBuffer().capacity() == size ? 1 : 0);
                    assertTrue(last.release());
                    assertTrue(whole.release());
                    assertTrue(lastOfLast.release());
                    assertNames(assertThrows(IllegalStateException.class, lastOfLast::byteBuffer), "released");
                }
                // every size above ran, the last one the largest: an idle slab of a small size did not hold
                // back a page the largest buffer needed
                assertEquals(0, pool.slab().stats().objectsInUse());
                pool.verify();
            }
        });
    }

    @Test
    void tryAllocateRefusesBadSizesAsAllocateDoes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (BufferPool pool = BufferPool.create(1L << 20)) {
                PoolStats before = pool.verify();
                for (long bad : new long[] {0, -1, Long.MIN_VALUE, pool.maxBufferSize() + 1, Long.MAX_VALUE}) {
                    assertNames(assertThrows(IllegalArgumentException.class, () -> pool.tryAllocate(bad)), bad);
                }
                assertEquals(before, pool.verify());
                pool.close();
                assertNames(assertThrows(IllegalStateException.class, () -> pool.tryAllocate(1)), "closed");
                pool.close(); // a second close does nothing
            }
        });
    }

    @Test
    void builderExtremesAreRefusedNamingTheValue() {
        assertTimeoutPreemptively(LIMIT, () -> {
            assertNames(assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.builder().capacity(1L << 20).limitBytes(Long.MIN_VALUE).build()), Long.MIN_VALUE);
            assertNames(assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.builder().capacity(1L << 20).pageSize(Long.MIN_VALUE).build()), Long.MIN_VALUE);
            assertNames(assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.builder().largeFolioCacheBytes(Long.MIN_VALUE)), Long.MIN_VALUE);
            assertNames(assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.builder().cacheStripes(Integer.MIN_VALUE)), Integer.MIN_VALUE);
            assertNames(assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.builder().capacity(1L << 20).cacheStripes(1 << 30).build()), 1 << 30);
            assertNames(assertThrows(IllegalArgumentException.class,
                    () -> BufferPool.builder().checkedBufferLimit(Integer.MIN_VALUE)), Integer.MIN_VALUE);
            try (BufferPool pool = BufferPool.builder().capacity(1L << 20).largeFolioCacheBytes(Long.MAX_VALUE)
                    .limitBytes(Long.MAX_VALUE).build(); PooledBuffer b = pool.allocate(1L << 20)) {
                assertEquals(1L << 20, b.byteSize());
            }
        });
    }

    @Test
    void aHugeWindowOverASmallRegionMapsWhatTheRegionHas() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Region r = Region.anonymous(1L << 20); WindowGroup g = WindowGroup.create(r, 1L << 62)) {
                WindowGroup.Hold hold = new WindowGroup.Hold() {
                    @Override
                    public void take() {
                    }

                    @Override
                    public void release() {
                    }
                };
                WindowGroup.View v = g.map(r.byteSize() - 4096, 4096, hold);
                v.segment().set(ValueLayout.JAVA_LONG, 0, 99L);
                assertEquals(99L, r.segment().get(ValueLayout.JAVA_LONG, r.byteSize() - 4096));
                assertNames(assertThrows(IndexOutOfBoundsException.class, () -> g.map(Long.MAX_VALUE, 1, hold)),
                        Long.MAX_VALUE);
            }
        });
    }

    @Test
    void mappingAnImpossibleSizeLeavesTheFileAsItWas() throws IOException {
        Path f = dir.resolve("data");
        byte[] data = new byte[8192];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        Files.write(f, data);
        Exception e = assertThrows(Exception.class, () -> Region.mapFile(f, Long.MAX_VALUE, Persistence.MSYNC));
        assertArrayEquals(data, Files.readAllBytes(f), "a refused map changed the file");
        try (Region r = Region.mapFile(f, 4096, Persistence.MSYNC)) {
            assertEquals(5, r.segment().get(ValueLayout.JAVA_BYTE, 5));
        }
        assertArrayEquals(data, Files.readAllBytes(f), "a shorter map cut the file's tail");
    }

    @Test
    void aTimedWaitForEverEndsOnInterruptOnAVirtualThread() {
        assertTimeoutPreemptively(LIMIT, () -> {
            WaitTable table = new WaitTable();
            CountDownLatch asleep = new CountDownLatch(1);
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    table.await(7, () -> false, Long.MAX_VALUE, TimeUnit.DAYS,
                            io.jdax.wait.SleepCallback.of(asleep::countDown, () -> { }));
                    outcome.set(new AssertionError("returned without the condition"));
                } catch (Throwable x) {
                    outcome.set(x);
                }
            });
            asleep.await();
            t.interrupt();
            t.join();
            assertTrue(outcome.get() instanceof InterruptedException, () -> String.valueOf(outcome.get()));
            assertEquals(0, table.waitersOn(7));
            assertFalse(table.await(7, () -> false, Long.MIN_VALUE, TimeUnit.NANOSECONDS, null));
            assertEquals(0, table.waitersOn(7));
        });
    }

    @Test
    void aDeviceOfExactlyOnePageMapsItAndRefusesTheNext() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Region r = Region.anonymous(4096); DeviceDax d = DeviceDax.create(r, 0);
                 var g = d.newViewGroup()) {
                var v = g.map(0);
                v.segment().set(ValueLayout.JAVA_INT, 0, 5);
                assertNames(assertThrows(IndexOutOfBoundsException.class, () -> g.mapPage(1)), 1);
                assertNames(assertThrows(IndexOutOfBoundsException.class, () -> g.map(4096)), 4096);
                assertNames(assertThrows(IndexOutOfBoundsException.class, () -> d.pin(0, 4097, false)), 4097);
            }
        });
    }

    @Test
    void closingADeviceWithAPinHeldRefusesUntilUnpinnedThenCompletes() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Region r = Region.anonymous(1L << 20)) {
                DeviceDax d = DeviceDax.create(r, 0);
                var pin = d.pin(0, 8192, true);
                IllegalStateException e = assertThrows(IllegalStateException.class, d::close);
                assertNames(e, "1 pinned ranges", "close again once they are unpinned");
                assertFalse(d.isOpen(), "a refused close leaves the device closed to new work");
                assertThrows(IllegalStateException.class, d::newViewGroup);
                assertTrue(r.claimant().isPresent(), "the device let go of its region with a pin held");
                pin.close();
                assertFalse(pin.isHeld());
                d.close();
                assertFalse(r.claimant().isPresent(), "the second close did not let go of the region");
                d.close(); // idempotent once done
            }
        });
    }

    @Test
    void aPinOnAPoolBufferKeepsItsFolioUntilUnpinnedAndLosesNothing() {
        assertTimeoutPreemptively(LIMIT, () -> {
            // FAST: its buffers are slices of the region, so the buffer's address gives its region offset
            try (BufferPool pool = BufferPool.builder().capacity(1L << 20).mode(PoolMode.FAST).build()) {
                pool.allocator().drainCaches();
                long free = pool.verify().pages().freePages();
                PooledBuffer buf = pool.allocate(8192);
                long offset = buf.segment().address() - pool.region().segment().address();
                var pin = io.jdax.device.PinnedRange.pin(pool.allocator().pageMap(), offset, 8192, false);
                assertTrue(buf.release());
                pool.allocator().drainCaches();
                assertEquals(free - 2, pool.verify().pages().freePages(), "a pinned folio went back to the pool");
                PooledBuffer other = pool.allocate(8192);
                long otherOffset = other.segment().address() - pool.region().segment().address();
                assertFalse(otherOffset == offset, "the pinned folio was handed out again");
                other.release();
                pin.close();
                pool.allocator().drainCaches();
                assertEquals(free, pool.verify().pages().freePages(), "the unpin lost the folio");
                assertThrows(IllegalStateException.class,
                        () -> io.jdax.device.PinnedRange.pin(pool.allocator().pageMap(), offset, 8192, false));
                assertEquals(free, pool.verify().pages().freePages());
            }
        });
    }

    @Test
    void aCapacityThatDisagreesWithTheRegionIsRefusedWhicheverCameLast() {
        assertTimeoutPreemptively(LIMIT, () -> {
            Path f = dir.resolve("pool");
            try (Region r = Region.mapFile(f, 1L << 20, Persistence.MSYNC)) {
                // before: capacity() after region() silently dropped the file region for anonymous memory
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> BufferPool.builder().region(r).capacity(2L << 20).build());
                assertNames(e, 2L << 20, 1L << 20);
                assertNames(assertThrows(IllegalArgumentException.class,
                        () -> BufferPool.builder().capacity(4096).region(r).build()), 4096, 1L << 20);
                assertFalse(r.claimant().isPresent(), "a refused build claimed the region");
                try (BufferPool pool = BufferPool.builder().region(r).capacity(1L << 20).build();
                     PooledBuffer b = pool.allocate(4096)) {
                    assertTrue(pool.region() == r, "the pool does not use the region it was given");
                    b.segment().set(ValueLayout.JAVA_LONG, 0, 0x5EED_F00DL);
                    long at = b.segment().address() - r.segment().address();
                    assertEquals(0x5EED_F00DL, r.segment().get(ValueLayout.JAVA_LONG, at));
                }
            }
        });
    }

    @Test
    void shrinkGivesBackACurrentSlabWithNoObjectInUse() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (Region r = Region.anonymous(1L << 20); BuddyAllocator buddy = BuddyAllocator.create(r);
                 SlabAllocator slab = SlabAllocator.create(buddy)) {
                long free = buddy.verify().freePages();
                long a = slab.allocate(16);
                long b = slab.allocate(2048);
                slab.free(a);
                slab.free(b);
                assertEquals(2, slab.shrink());
                buddy.drainCaches();
                assertEquals(free, buddy.verify().freePages());
                assertEquals(0, slab.verify().slabs());
                long c = slab.allocate(16); // the stripe gets a new current slab
                assertEquals(1, slab.stats().objectsInUse());
                assertEquals(0, slab.shrink(), "a slab with an object in use was given back");
                slab.free(c);
                slab.verify();
            }
        });
    }
}
