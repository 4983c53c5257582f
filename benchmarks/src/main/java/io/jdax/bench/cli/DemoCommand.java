package io.jdax.bench.cli;

import io.jdax.device.DeviceDax;
import io.jdax.device.DeviceView;
import io.jdax.device.PinnedRange;
import io.jdax.device.ViewGroup;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;
import io.jdax.pool.PooledBuffer;

import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * {@code jdax demo}: a short narrated walk through the library, one part per layer a user meets. Each part
 * runs against real memory and prints what it did and what the library answered.
 */
final class DemoCommand {

    /** One narrated part: what the user sees of one face of the library. */
    interface Part {
        String title();

        void run(PrintStream out) throws Exception;
    }

    /** The parts in order. */
    static final List<Part> PARTS = List.of(new Pool(), new Device(), new DemoStore(), new IdleWait());

    private DemoCommand() {
    }

    static int run(PrintStream out) throws Exception {
        out.println("jdax demo: off-heap pages the way the Linux kernel manages them, on anonymous memory.");
        int n = 0;
        for (Part p : PARTS) {
            out.printf("%n== %d. %s%n", ++n, p.title());
            p.run(out);
        }
        out.println("\nThat is all the demo has; README.md says what else there is and how to measure it.");
        return 0;
    }

    static String mib(long bytes) {
        return bytes < 1 << 20 ? (bytes >> 10) + " KiB" : String.format(java.util.Locale.ROOT, "%.2f MiB",
                bytes / (double) (1 << 20));
    }

    static final class Pool implements Part {
        @Override
        public String title() {
            return "A buffer pool at work";
        }

        @Override
        public void run(PrintStream out) {
            try (BufferPool pool = BufferPool.builder().capacity(64L << 20).build()) {
                out.println("A pool over 64 MiB of anonymous memory, FAST mode: " + pool);
                PooledBuffer buf = pool.allocate(10_000);
                buf.segment().set(ValueLayout.JAVA_LONG, 0, 42L);
                out.printf("allocate(10000): %d bytes, held as a folio of %s; refCnt %d; first long %d%n",
                        buf.byteSize(), mib(pool.stats().allocatedBytes()), buf.refCnt(),
                        buf.segment().get(ValueLayout.JAVA_LONG, 0));
                buf.retain();
                out.printf("retain(): refCnt %d (a second owner, say an I/O in flight)%n", buf.refCnt());
                PooledBuffer part = buf.slice(0, 512);
                out.printf("slice(0, 512): %d bytes that hold their own reference to the folio; reads %d%n",
                        part.byteSize(), part.segment().get(ValueLayout.JAVA_LONG, 0));
                buf.release();
                buf.release();
                out.printf("release() twice: the buffer is gone (refCnt %d), but the slice still holds the memory: "
                        + "%s allocated%n", buf.refCnt(), mib(pool.stats().allocatedBytes()));
                part.release();
                out.printf("the slice's release() is the last: %s allocated%n", mib(pool.stats().allocatedBytes()));
                try {
                    buf.release();
                } catch (IllegalStateException e) {
                    out.println("a release too many throws, count unchanged: " + e.getMessage());
                }
                var pages = pool.stats().pages();
                out.printf("statistics: of %d pages, %d free and %d in the striped caches; %d allocations, "
                        + "%d failures, %d leaks (pool.stats() has per-size and slab tallies too)%n",
                        pages.totalPages(), pages.freePages(), pages.cachedPages(), pages.allocations(),
                        pages.failures(), pool.stats().leaks());
            }

            out.println();
            BufferPool checked = BufferPool.builder().capacity(16L << 20).mode(PoolMode.CHECKED).build();
            PooledBuffer forgotten = checked.allocate(4096);
            forgotten.segment().set(ValueLayout.JAVA_INT, 0, 7);
            out.println("A CHECKED pool records where each buffer was allocated. One buffer is never released, "
                    + "and the pool is closed: the pool logs the leak with its allocation site (a warning above or "
                    + "below, by how the console interleaves) and keeps the report:");
            checked.close();
            checked.leaks().forEach(l -> out.printf("  pool.leaks(): %d bytes, allocated at %s, reclaimed by the GC: %b%n",
                    l.bytes(), l.allocationSite().map(t -> firstOutside(t)).orElse("(not recorded)"), l.reclaimed()));
            try {
                forgotten.segment().get(ValueLayout.JAVA_INT, 0);
            } catch (IllegalStateException e) {
                out.println("the leaked buffer's memory was revoked, not left dangling: " + e.getMessage());
            }
        }
    }

    private static String firstOutside(Throwable site) {
        for (StackTraceElement e : site.getStackTrace()) {
            if (!e.getClassName().startsWith("io.jdax.pool.")) {
                return e.toString();
            }
        }
        return "(unknown)";
    }

    static final class Device implements Part {
        @Override
        public String title() {
            return "Device DAX: compound folios, views, pins, revoke";
        }

        @Override
        public void run(PrintStream out) {
            try (Region region = Region.anonymous(1L << 30);
                 DeviceDax dev = DeviceDax.create(region, PageMap.PMD_ORDER)) {
                out.printf("A 1 GiB device at order %d: %d folios of %s each (at order 0 it would be %d), "
                        + "one refcount per folio%n", dev.order(), dev.folioCount(), mib(dev.faultSize()),
                        dev.byteSize() / PageMap.DEFAULT_PAGE_SIZE);
                ViewGroup views = dev.newViewGroup();
                DeviceView a = views.map(0);
                DeviceView b = views.map(2L << 20);
                a.segment().set(ValueLayout.JAVA_LONG, 8, 1234L);
                out.printf("two views mapped: %s and %s; stats %s%n", a, b, dev.stats());
                try (PinnedRange io = dev.pin(0, 8L << 20, false)) {
                    out.printf("pin(0, 8 MiB) for an I/O: %d folios pinned, one pin each; stats %s%n",
                            io.folioCount(), dev.stats());
                }
                out.println("after the pin's close: " + dev.stats());
                views.close();
                try {
                    a.segment().get(ValueLayout.JAVA_LONG, 8);
                } catch (IllegalStateException e) {
                    out.println("the group's close revoked both views at once; a late access throws: " + e.getMessage());
                }
                out.println("and every folio is idle again: " + dev.stats());
            }
        }
    }

    static final class IdleWait implements Part {
        @Override
        public String title() {
            return "Waiting for a dax folio to become idle (what truncate does before freeing a page)";
        }

        @Override
        public void run(PrintStream out) throws Exception {
            try (Region region = Region.anonymous(4L << 20)) {
                PageMap map = PageMap.dax(region);
                long head = map.pfnOf(0);
                map.prepCompound(head, PageMap.PMD_ORDER);
                map.incRef(head);
                out.printf("a 2 MiB dax folio at pfn %d, mapped once: refcount %d%n", head, map.refCount(head));
                Thread waiter = Thread.ofVirtual().name("truncate").start(() -> {
                    map.awaitIdleUninterruptibly(head, null);
                    out.println("  [truncate] the folio is idle: the page can be freed");
                });
                while (map.idleWaiterCount(head) == 0) {
                    Thread.onSpinWait(); // the waiter is queued before the put below, so no wake-up can be lost
                }
                out.printf("a virtual thread waits for it (waiters on the folio: %d); the mapping goes away:%n",
                        map.idleWaiterCount(head));
                map.put(head);
                waiter.join();
                out.printf("the last put woke it; refcount %d, idle %b%n", map.refCount(head), map.isIdle(head));
            }
        }
    }
}
