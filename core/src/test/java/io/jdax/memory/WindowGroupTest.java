package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

@Isolated // one test lowers the process-wide mapping budget
class WindowGroupTest {

    final Region region = Region.anonymous(1 << 20);

    @AfterEach
    void close() {
        region.close();
    }

    /** Counts takes and releases. */
    static final class Counts implements WindowGroup.Hold {
        final AtomicInteger taken = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();

        @Override
        public void take() {
            taken.incrementAndGet();
        }

        @Override
        public void release() {
            released.incrementAndGet();
        }
    }

    @Test
    void aViewSeesTheRegionsBytesAndReleasesItsHoldOnce() {
        WindowGroup g = WindowGroup.create(region, 64 << 10);
        Counts c = new Counts();
        WindowGroup.View v = g.map(4096, 8192, c);
        assertEquals(1, c.taken.get());
        v.segment().set(ValueLayout.JAVA_LONG, 0, 11L);
        assertEquals(11L, region.segment().get(ValueLayout.JAVA_LONG, 4096));
        assertEquals(1, g.liveViews());
        v.close();
        v.close();
        g.close();
        assertEquals(1, c.released.get());
        assertEquals(0, g.liveViews());
        IllegalStateException e = assertThrows(IllegalStateException.class, v::segment);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void theGroupsCloseRevokesEveryViewAndReleasesTheOpenOnes() {
        WindowGroup g = WindowGroup.create(region);
        Counts c = new Counts();
        MemorySegment a = g.map(0, 4096, c).segment();
        MemorySegment b = g.map(8192, 4096, c).segment();
        g.close();
        g.close();
        assertEquals(2, c.released.get());
        assertThrows(IllegalStateException.class, () -> a.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> b.get(ValueLayout.JAVA_BYTE, 0));
        assertTrue(region.isOpen(), "the region is untouched");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.map(0, 4096, c));
        assertTrue(e.getMessage().contains("WindowGroup[closed"), e.getMessage());
        assertEquals(2, c.taken.get(), "a refused view takes nothing");
    }

    @Test
    void viewsShareTheirWindowsKernelMapping() {
        long before = KernelMappings.inUse();
        WindowGroup g = WindowGroup.create(region, 256 << 10);
        Counts c = new Counts();
        for (long off = 0; off < (1 << 20); off += 4096) {
            g.map(off, 4096, c);
        }
        assertEquals(4, g.windowsMapped());
        assertEquals(before + 4, KernelMappings.inUse(), "256 views, 4 mappings");
        g.close();
        assertEquals(before, KernelMappings.inUse());
    }

    @Test
    void aWindowPastTheMappingBudgetIsRefusedClearly() {
        WindowGroup first = WindowGroup.create(region);
        WindowGroup second = WindowGroup.create(region);
        Counts c = new Counts();
        MappingBudgets.withRoomFor(1, () -> {
            first.map(0, 4096, c);
            first.map(4096, 4096, c); // same window: no new mapping
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.map(0, 4096, c));
            assertTrue(e.getMessage().contains("budget"), e.getMessage());
        });
        assertEquals(2, c.taken.get());
        assertTrue(second.isOpen(), "a refused view leaves the group usable");
        first.close();
        second.map(0, 4096, c);
        second.close();
        assertEquals(3, c.released.get());
    }

    @Test
    void badRangesAndWindowSizesAreRefusedNamingTheValues() {
        WindowGroup g = WindowGroup.create(region, 64 << 10);
        Counts c = new Counts();
        IllegalArgumentException cross = assertThrows(IllegalArgumentException.class,
                () -> g.map((64 << 10) - 4096, 8192, c));
        assertTrue(cross.getMessage().contains("crosses"), cross.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> g.map(-1, 1, c));
        assertThrows(IndexOutOfBoundsException.class, () -> g.map(Long.MAX_VALUE, 1, c));
        assertThrows(IndexOutOfBoundsException.class, () -> g.map(1 << 20, 1, c));
        assertThrows(IllegalArgumentException.class, () -> g.map(0, 0, c));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> WindowGroup.create(region, 5000));
        assertTrue(size.getMessage().contains("5000"), size.getMessage());
        assertEquals(0, c.taken.get());
        g.close();
    }

    @Test
    void aTakeThatThrowsMakesNoView() {
        WindowGroup g = WindowGroup.create(region);
        AtomicInteger released = new AtomicInteger();
        WindowGroup.Hold failing = new WindowGroup.Hold() {
            @Override
            public void take() {
                throw new IllegalStateException("count would overflow");
            }

            @Override
            public void release() {
                released.incrementAndGet();
            }
        };
        assertThrows(IllegalStateException.class, () -> g.map(0, 4096, failing));
        assertEquals(0, g.liveViews());
        g.close();
        assertEquals(0, released.get());
    }

    @Test
    void theRegionsCloseRevokesItsGroupsAndReleasesTheirHolds() {
        Region r = Region.anonymous(8192);
        WindowGroup g = WindowGroup.create(r);
        Counts c = new Counts();
        MemorySegment bytes = g.map(0, 4096, c).segment();
        WindowGroup closedFirst = WindowGroup.create(r);
        closedFirst.close(); // detached: the region does not close it again
        r.close();
        assertTrue(g.isRevoked());
        assertEquals(1, c.released.get());
        assertThrows(IllegalStateException.class, () -> bytes.get(ValueLayout.JAVA_BYTE, 0),
                "no view outlives the region");
    }

    @Test
    void aReleaseThatThrowsAnErrorDoesNotStopTheOthers() {
        WindowGroup g = WindowGroup.create(region);
        Counts c = new Counts();
        g.map(0, 4096, c);
        g.map(4096, 4096, new WindowGroup.Hold() {
            @Override
            public void take() {
            }

            @Override
            public void release() {
                throw new AssertionError("simulated");
            }
        });
        g.map(8192, 4096, c);
        assertThrows(AssertionError.class, g::close);
        assertEquals(2, c.released.get());
        assertTrue(g.isRevoked());
        assertEquals(0, g.liveViews());
    }

    @Test
    void theGroupsCloseWaitsForAViewsReleaseAlreadyUnderWay() throws Exception {
        WindowGroup g = WindowGroup.create(region);
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        WindowGroup.View v = g.map(0, 4096, new WindowGroup.Hold() {
            @Override
            public void take() {
            }

            @Override
            public void release() {
                entered.countDown();
                try {
                    finish.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                order.add("released");
            }
        });
        Thread viewCloser = new Thread(v::close);
        viewCloser.start();
        entered.await();
        Thread groupCloser = new Thread(() -> {
            g.close();
            order.add("group closed");
        });
        groupCloser.start();
        while (groupCloser.getState() != Thread.State.BLOCKED) { // parked on the group's lock, behind the release
            Thread.onSpinWait();
        }
        finish.countDown();
        viewCloser.join();
        groupCloser.join();
        assertEquals(java.util.List.of("released", "group closed"), order);
    }

    @Test
    void aGroupOverAClosedRegionIsRefused() {
        Region r = Region.anonymous(4096);
        r.close();
        assertThrows(IllegalStateException.class, () -> WindowGroup.create(r));
        assertFalse(r.isOpen());
    }
}
