package io.jdax.device;

import static io.jdax.device.Expect.GiB;
import static io.jdax.device.Expect.KiB;
import static io.jdax.device.Expect.MiB;
import static io.jdax.device.Expect.counts;
import static io.jdax.device.Expect.names;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.BlockedWrite;
import io.jdax.memory.Persistence;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ViewGroupTest {

    Region region;
    DeviceDax device;
    PageMap map;
    ViewGroup group;

    /** A device of {@code size} bytes at {@code order}, with one group. */
    void open(long size, int order) {
        region = Region.anonymous(size);
        device = DeviceDax.create(region, order);
        map = device.pageMap();
        group = device.newViewGroup();
    }

    @AfterEach
    void tearDown() {
        if (region != null) {
            region.close();
        }
    }

    @Test
    void aViewMapsOneFolioAtTheFaultSizeAndHoldsARefAndAMapcount() {
        open(8 * MiB, 9);
        DeviceView view = group.map(4 * MiB);
        assertEquals(4 * MiB, view.offset());
        assertEquals(2 * MiB, view.byteSize());
        assertEquals(1024, view.head());
        assertSame(group, view.group());
        assertTrue(view.isOpen());
        counts(map, 1024, 1, 1, 0);
        assertEquals(1, group.liveViews());
        // the view is a second mapping of the same bytes
        view.segment().set(JAVA_LONG, 2 * MiB - 8, 42L);
        assertEquals(42L, region.segment().get(JAVA_LONG, 6 * MiB - 8));
        region.segment().set(JAVA_LONG, 4 * MiB, 7L);
        assertEquals(7L, view.segment().get(JAVA_LONG, 0));
        // a second view of the same folio is a second reference and mapping
        DeviceView again = group.map(4 * MiB);
        counts(map, 1024, 2, 2, 0);
        again.close();
        view.close();
        counts(map, 1024, 0, 0, 0);
    }

    @Test
    void unalignedOffsetsAreRejectedNamingOffsetAndFaultSizeAndChangeNothing() {
        open(8 * MiB, 9);
        for (long bad : new long[] {1, 4096, 2 * MiB - 1, 2 * MiB + 4096, 8 * MiB - 4096}) {
            names(assertThrows(IllegalArgumentException.class, () -> group.map(bad)),
                    "offset " + bad, "fault size " + 2 * MiB);
        }
        for (long bad : new long[] {-1, -2 * MiB, 8 * MiB, Long.MAX_VALUE, Long.MIN_VALUE}) {
            names(assertThrows(IndexOutOfBoundsException.class, () -> group.map(bad)), "offset " + bad, 8 * MiB);
            names(assertThrows(IndexOutOfBoundsException.class, () -> group.mapContaining(bad)), "offset " + bad);
        }
        for (long bad : new long[] {-1, 2048, Long.MAX_VALUE}) {
            names(assertThrows(IndexOutOfBoundsException.class, () -> group.mapPage(bad)), "pfn " + bad, 2048);
        }
        assertEquals(0, group.liveViews());
        Expect.allIdle(device);
    }

    @Test
    void orderZeroFaultsAtEveryPage() {
        open(64 * KiB, 0);
        names(assertThrows(IllegalArgumentException.class, () -> group.map(100)), "offset 100", "fault size 4096");
        DeviceView view = group.map(12 * KiB);
        assertEquals(3, view.head());
        assertEquals(4 * KiB, view.byteSize());
        counts(map, 3, 1, 1, 0);
        assertEquals(3, group.mapContaining(12 * KiB + 4095).head());
        counts(map, 3, 2, 2, 0);
    }

    @Test
    void mappingThroughATailPageReferencesTheHeadAndMapsTheWholeFolio() {
        open(8 * MiB, 9);
        long head = 512; // the second 2 MiB folio
        DeviceView byPfn = group.mapPage(head + 77);
        DeviceView byOffset = group.mapContaining(3 * MiB + 123);
        for (DeviceView v : List.of(byPfn, byOffset)) {
            assertEquals(head, v.head());
            assertEquals(2 * MiB, v.offset());
            assertEquals(2 * MiB, v.byteSize());
        }
        counts(map, head, 2, 2, 0);
        assertEquals(0, map.refCount(head + 77), "a tail page never holds a count");
        assertEquals(head, map.folioOf(head + 77));
        byPfn.segment().set(JAVA_LONG, 8, 9L);
        assertEquals(9L, byOffset.segment().get(JAVA_LONG, 8));
        byPfn.close();
        byOffset.close();
        counts(map, head, 0, 0, 0);
    }

    @Test
    void closingAViewIsIdempotentDropsItsRefAndMapcountAndRefusesFurtherUse() {
        open(8 * MiB, 9);
        DeviceView view = group.map(0);
        DeviceView other = group.map(0);
        counts(map, 0, 2, 2, 0);
        view.close();
        counts(map, 0, 1, 1, 0);
        assertFalse(view.isOpen());
        assertEquals(1, group.liveViews());
        view.close();
        view.close();
        counts(map, 0, 1, 1, 0);
        names(assertThrows(IllegalStateException.class, view::segment), "offset 0", "closed");
        assertTrue(other.isOpen());
        other.segment().set(JAVA_LONG, 0, 1L);
        other.close();
        counts(map, 0, 0, 0, 0);
        assertEquals(0, group.liveViews());
    }

    @Test
    void closingTheGroupRevokesEveryViewAndDropsWhatTheyStillHold() {
        open(8 * MiB, 9);
        List<MemorySegment> bytes = new ArrayList<>();
        List<DeviceView> views = new ArrayList<>();
        for (long off = 0; off < 8 * MiB; off += 2 * MiB) {
            DeviceView v = group.map(off);
            views.add(v);
            bytes.add(v.segment());
        }
        views.get(1).close(); // closed on its own first: must not be dropped twice
        counts(map, 512, 0, 0, 0);
        counts(map, 0, 1, 1, 0);
        group.close();
        assertFalse(group.isOpen());
        assertEquals(0, group.liveViews());
        for (int i = 0; i < 4; i++) {
            MemorySegment s = bytes.get(i);
            assertThrows(IllegalStateException.class, () -> s.get(JAVA_LONG, 0), "revoked view " + i);
            assertFalse(views.get(i).isOpen());
            assertThrows(IllegalStateException.class, views.get(i)::segment);
            counts(map, i * 512L, 0, 0, 0);
        }
        group.close();
        names(assertThrows(IllegalStateException.class, () -> group.map(0)), "closed");
        Expect.allIdle(device);
        region.segment().set(JAVA_LONG, 0, 3L); // the device's own bytes are untouched by the revocation
        assertEquals(3L, region.segment().get(JAVA_LONG, 0));
    }

    @Test
    void groupsAreIndependent() {
        open(8 * MiB, 9);
        ViewGroup other = device.newViewGroup();
        DeviceView kept = other.map(0);
        group.map(0);
        counts(map, 0, 2, 2, 0);
        group.close();
        counts(map, 0, 1, 1, 0);
        kept.segment().set(JAVA_LONG, 0, 5L);
        assertEquals(5L, region.segment().get(JAVA_LONG, 0));
        assertSame(device, other.device());
    }

    @Test
    void viewsBeyondTheFirstGigabyteComeFromTheirOwnWindow() {
        open(GiB + 4 * MiB, 9); // a full 1 GiB window and a 4 MiB one
        DeviceView last = group.map(GiB + 2 * MiB);
        DeviceView first = group.map(0);
        assertEquals(2 * MiB, last.byteSize());
        last.segment().set(JAVA_LONG, 2 * MiB - 8, 11L);
        assertEquals(11L, region.segment().get(JAVA_LONG, GiB + 4 * MiB - 8));
        first.segment().set(JAVA_LONG, 0, 12L);
        assertEquals(12L, region.segment().get(JAVA_LONG, 0));
        assertEquals(ViewGroup.WINDOW_SIZE, GiB);
    }

    @Test
    void viewsOfAFileRegionSeeTheFile(@TempDir Path dir) throws IOException {
        region = Region.mapFile(dir.resolve("dev"), 4 * MiB, Persistence.MSYNC);
        device = DeviceDax.create(region, 9);
        map = device.pageMap();
        try (ViewGroup g = device.newViewGroup()) {
            DeviceView v = g.map(2 * MiB);
            v.segment().set(JAVA_LONG, 0, 99L);
            assertEquals(99L, region.segment().get(JAVA_LONG, 2 * MiB));
        }
        Expect.allIdle(device);
    }

    /** An in-flight channel write holds the view's memory: the group's close fails, and a later one completes. */
    @Test
    void closeWaitsForInFlightIoAndCanBeRetried() throws Exception {
        open(4 * MiB, 9);
        DeviceView view = group.map(0);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (BlockedWrite write = BlockedWrite.start(view.segment().asSlice(0, 64 * KiB).asByteBuffer())) {
                names(assertThrows(IllegalStateException.class, group::close), "I/O", "close again");
                assertFalse(group.isOpen(), "a group whose close began maps no more views");
                assertThrows(IllegalStateException.class, () -> group.map(0));
                assertTrue(view.isOpen(), "nothing was revoked");
                counts(map, 0, 1, 1, 0);
                assertEquals(64 * 1024, write.complete());
            }
            group.close();
            assertFalse(view.isOpen());
            counts(map, 0, 0, 0, 0);
        });
    }

    @Test
    void concurrentMapsAndClosesBalanceTheCounts() throws Exception {
        open(2 * MiB, 3); // 64 folios of 32 KiB, so threads collide on folios
        int threads = 4;
        int rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    start.await();
                    List<DeviceView> held = new ArrayList<>();
                    for (int i = 0; i < rounds; i++) {
                        long offset = ((i * 31L + seed * 7L) % 64) * 32 * KiB;
                        held.add(group.map(offset));
                        if (held.size() > 8) {
                            held.remove((i * 13) % held.size()).close();
                        }
                        if (i % 1000 == 0) {
                            try (PinnedRange pins = device.pin(offset, Math.min(100 * KiB, 2 * MiB - offset), false)) {
                                assertTrue(device.pageMap().pins().maybeDmaPinned(pins.firstHead()));
                            }
                        }
                    }
                    held.forEach(DeviceView::close);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertEquals(0, group.liveViews());
        Expect.allIdle(device);
    }

    @Test
    void aGroupCloseRacingViewClosesDropsEachViewOnce() throws Exception {
        open(2 * MiB, 0);
        for (int round = 0; round < 20; round++) {
            ViewGroup g = device.newViewGroup();
            List<DeviceView> views = new ArrayList<>();
            for (long off = 0; off < 2 * MiB; off += 4 * KiB) {
                views.add(g.map(off));
            }
            CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> views.forEach(DeviceView::close));
            g.close();
            closer.get();
            Expect.allIdle(device);
        }
    }
}
