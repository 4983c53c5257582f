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
import io.jdax.store.DaxFile;
import io.jdax.store.DaxStore;
import io.jdax.store.FilePin;
import io.jdax.store.FileView;
import io.jdax.wait.SleepCallback;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
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
        // snippet: pool
        BufferPool pool = BufferPool.builder().capacity(256L << 20).build();   // or .mode(PoolMode.CHECKED)
        PooledBuffer buf = pool.allocate(4096);                  // exactly 4096 bytes, one 4 KiB folio
        buf.segment().set(ValueLayout.JAVA_LONG, 0, 42L);
        PooledBuffer part = buf.slice(0, 512);                   // holds its own reference to the folio
        buf.release();                                           // the memory stays: the slice holds it
        long answer = part.segment().get(ValueLayout.JAVA_LONG, 0);   // 42
        part.release();                                          // the last reference: the folio goes back
        pool.close();                                            // reports what is still outstanding as leaks
        // snippet end
        assertEquals(42L, answer);
        assertEquals(0, buf.refCnt());
        assertEquals(0, part.refCnt());
        assertTrue(pool.leaks().isEmpty(), "every buffer was released before the close");
        assertThrows(IllegalStateException.class, buf::release, "a release too many throws");
    }

    @Test
    void daxIdleWait(@TempDir Path dir) throws Exception {
        // snippet: dax
        Region pmem = Region.mapFile(dir.resolve("data"), 64L << 20, Persistence.AUTO);   // MAP_SYNC on a DAX mount
        PageMap map = PageMap.dax(pmem);
        long head = map.pfnOf(0);
        map.prepCompound(head, PageMap.PMD_ORDER);        // one 2 MiB folio, one refcount
        map.incRef(head);                                 // a mapping takes a reference (0 -> 1 is legal here)
        Thread.ofVirtual().start(() -> map.put(head));    // elsewhere, the mapping goes away: the last put
        ReentrantLock fsLock = new ReentrantLock();
        fsLock.lock();                                    // truncate holds the filesystem lock and must not
        map.awaitIdle(head, SleepCallback.of(fsLock::unlock, fsLock::lock));   // sleep with it: drop, retake
        fsLock.unlock();
        // snippet end
        try {
            assertTrue(map.isIdle(head));
            assertEquals(0, map.refCount(head));
            assertEquals(PageMap.PMD_ORDER, map.order(head));
            assertFalse(fsLock.isLocked());
            assertTrue(Files.size(dir.resolve("data")) >= 64L << 20);
        } finally {
            pmem.close();
        }
    }

    @Test
    void store() throws Exception {
        // snippet: store
        DaxStore store = DaxStore.anonymous(64L << 20);          // or DaxStore.open(file, size): a pmem-style file
        DaxFile log = store.create("log");
        byte[] hello = "hello, dax".getBytes(StandardCharsets.UTF_8);
        log.write(0, hello, 0, hello.length);                    // copied in place; its page is marked DIRTY
        log.truncate(DaxStore.PAGE);                             // a whole page, which a reflink can share
        DaxFile copy = store.create("copy");
        store.reflink(log, 0, copy, 0, DaxStore.PAGE);           // the copy shares the block: no byte copied
        FileView view = copy.map(0, hello.length, false);        // zero copy, the shared block itself
        String text = new String(view.segment().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        long sharers = view.shareCount();                        // 2: both files have mapped the block
        view.close();                                            // truncate would revoke a view left open...
        FilePin io = log.pin(0, false);                          // ...but waits for a pin: I/O in flight
        io.close();
        long flushed = log.fsync();                              // writes back exactly the dirty page: 4096
        store.close();
        // snippet end
        assertEquals("hello, dax", text);
        assertEquals(2, sharers);
        assertEquals(DaxStore.PAGE, flushed);
        assertFalse(io.isOpen());
        assertFalse(store.isOpen());
    }

    @Test
    void device() {
        // snippet: device
        Region memory = Region.anonymous(1L << 30);
        DeviceDax dev = DeviceDax.create(memory, PageMap.PMD_ORDER);   // 512 folios of 2 MiB, one refcount each
        ViewGroup views = dev.newViewGroup();
        DeviceView v = views.map(2L << 20);                      // one 2 MiB folio, one reference
        v.segment().set(ValueLayout.JAVA_LONG, 0, 7L);
        PinnedRange io = dev.pin(0, 8L << 20, false);            // 4 folios, one pin each, for an I/O
        long pinned = io.folioCount();
        io.close();
        views.close();                                           // revokes every view of the group at once
        dev.close();
        memory.close();
        // snippet end
        assertEquals(4, pinned);
        assertEquals(2L << 20, v.byteSize());
        assertThrows(IllegalStateException.class, () -> v.segment().get(ValueLayout.JAVA_LONG, 0),
                "the group's close revoked its views");
    }
}
