package io.jdax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.device.DeviceDax;
import io.jdax.device.DeviceView;
import io.jdax.device.PinnedRange;
import io.jdax.device.ViewGroup;
import io.jdax.memory.Persistence;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PooledBuffer;
import io.jdax.wait.SleepCallback;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's code examples, compiled and run. The README shows the code between each {@code // snippet:}
 * and {@code // snippet end} line verbatim ({@code ./jdax report} copies it there, and the benchmarks
 * module's {@code ReadmeTest} fails when the two differ); the assertions after each snippet check that it
 * did what the README says.
 */
class ReadmeExamplesTest {

    @Test
    void pool() {
        long inUse;
        BufferPool kept;
        // snippet: pool
        try (BufferPool pool = BufferPool.builder().capacity(256L << 20).build();   // or .mode(PoolMode.CHECKED)
             PooledBuffer buf = pool.allocate(4096)) {
            buf.segment().set(ValueLayout.JAVA_LONG, 0, 42L);
            PooledBuffer part = buf.slice(0, 512);                                  // holds its own reference
            part.release();
            // snippet end
            assertEquals(42L, part.byteSize() == 512 ? buf.segment().get(ValueLayout.JAVA_LONG, 0) : -1);
            assertEquals(1, buf.refCnt());
            inUse = pool.stats().allocatedBytes();
            kept = pool;
        }
        assertEquals(4096, inUse);
        assertTrue(kept.leaks().isEmpty(), "try-with-resources released the buffer before the pool closed");
    }

    @Test
    void daxIdleWait(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data");
        PageMap daxMap;
        long folio;
        // snippet: dax
        try (Region pmem = Region.mapFile(file, 64L << 20, Persistence.AUTO)) {   // MAP_SYNC on a DAX mount
            PageMap map = PageMap.dax(pmem);
            long head = map.pfnOf(0);
            map.prepCompound(head, PageMap.PMD_ORDER);        // one 2 MiB folio, one refcount
            map.incRef(head);                                 // a mapping takes a reference (0 -> 1 is legal here)
            Thread.ofVirtual().start(() -> map.put(head));    // elsewhere, the mapping goes away: the last put
            ReentrantLock fsLock = new ReentrantLock();
            fsLock.lock();                                    // truncate holds the filesystem lock, and must not
            map.awaitIdle(head, SleepCallback.of(fsLock::unlock, fsLock::lock));   // sleep with it: drop, retake
            fsLock.unlock();
            // snippet end
            assertTrue(map.isIdle(head));
            assertEquals(0, map.refCount(head));
            assertEquals(PageMap.PMD_ORDER, map.order(head));
            daxMap = map;
            folio = head;
        }
        assertEquals(0, folio);
        assertTrue(Files.size(file) >= 64L << 20);
        assertFalse(daxMap == null);
    }

    @Test
    void device() {
        DeviceView kept;
        // snippet: device
        try (DeviceDax dev = DeviceDax.create(Region.anonymous(1L << 30), PageMap.PMD_ORDER);
             ViewGroup views = dev.newViewGroup();
             PinnedRange io = dev.pin(0, 8L << 20, false)) {                       // 4 folios, one pin each
            DeviceView v = views.map(2L << 20);                                     // one 2 MiB folio, one reference
            v.segment().set(ValueLayout.JAVA_LONG, 0, 7L);
            // snippet end
            assertEquals(4, io.folioCount());
            assertEquals(2L << 20, v.byteSize());
            assertEquals(1, dev.stats().mapped());
            kept = v;
        }
        DeviceView closed = kept;
        assertThrows(IllegalStateException.class, () -> closed.segment().get(ValueLayout.JAVA_LONG, 0),
                "the group's close revokes its views");
    }
}
