package io.jdax.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;

import io.jdax.BlockedWrite;

import org.junit.jupiter.api.Test;

class CheckedBufferPoolTest extends BufferPoolContract {

    @Override
    PoolMode mode() {
        return PoolMode.CHECKED;
    }

    @Override
    int randomizedOperations() {
        return 100_000;
    }

    @Override
    void assertLeakDetails(LeakReport leak, long size) {
        assertEquals(size, leak.bytes());
        String site = leak.toString();
        assertTrue(site.contains("closeReportsOutstandingBuffersAsLeaksAndRevokesThem"), site);
    }

    @Test
    void everySegmentAndByteBufferIsRevokedByTheLastRelease() {
        PooledBuffer b = pool.allocate(4096);
        MemorySegment seg = b.segment();
        ByteBuffer bb = b.byteBuffer();
        PooledBuffer slice = b.slice(0, 8);
        b.retain();
        b.release();
        seg.set(ValueLayout.JAVA_INT, 0, 1); // still ours
        b.release();
        assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_INT, 0));
        assertThrows(IllegalStateException.class, () -> bb.getInt(0));
        assertEquals(1, slice.segment().get(ValueLayout.JAVA_INT, 0), "a slice has its own mapping and reference");
        slice.release();
    }

    @Test
    void aReleaseDuringIoIsRefusedUnchangedAndCanBeRepeated() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            PooledBuffer b = pool.allocate(128 * 1024);
            try (BlockedWrite write = BlockedWrite.start(b.byteBuffer())) {
                IllegalStateException e = assertThrows(IllegalStateException.class, b::release);
                assertTrue(e.getMessage().contains("I/O"), e.getMessage());
                assertEquals(1, b.refCnt(), "a refused release leaves the count");
                assertEquals(128 * 1024, pool.stats().allocatedBytes(), "and the memory");
                assertEquals(128 * 1024, write.complete());
            }
            assertTrue(b.release());
            assertEquals(0, pool.stats().allocatedBytes());
            assertTrue(pool.leaks().isEmpty());
        });
    }

    @Test
    void closeWhileALeakedBufferIsInIoReportsItAndStillFreesThePool() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            BufferPool p = BufferPool.builder().capacity(1 << 20).mode(PoolMode.CHECKED).build();
            PooledBuffer leaked = p.allocate(128 * 1024);
            try (BlockedWrite write = BlockedWrite.start(leaked.byteBuffer())) {
                IllegalStateException e = assertThrows(IllegalStateException.class, p::close);
                assertTrue(e.getMessage().contains("1 leaked CHECKED buffer"), e.getMessage());
                assertEquals(1, p.leaks().size());
                assertThrows(IllegalStateException.class, () -> p.allocate(1));
                assertTrue(!p.region().isOpen(), "the pool's own region was closed regardless");
                assertEquals(128 * 1024, write.complete(), "the write finished on the buffer's own mapping");
            }
        });
    }

    @Test
    void checkedBuffersAreCappedBelowTheKernelsMappingLimit() {
        try (BufferPool p = BufferPool.builder().capacity(1 << 20).mode(PoolMode.CHECKED).checkedBufferLimit(3)
                .build()) {
            PooledBuffer a = p.allocate(10);
            PooledBuffer b = p.allocate(10);
            PooledBuffer slice = a.slice(0, 5); // a slice is a mapping too
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.allocate(10));
            assertTrue(e.getMessage().contains("at most 3"), e.getMessage());
            assertEquals(2, p.stats().slab().objectsInUse(), "the refused object went back");
            slice.release();
            PooledBuffer c = p.allocate(10);
            a.release();
            b.release();
            c.release();
            assertNothingHeld(p);
        }
        assertThrows(IllegalArgumentException.class, () -> BufferPool.builder().checkedBufferLimit(0));
    }

    @Test
    void anUnreachableUnreleasedBufferIsReportedWithItsSiteAndReclaimed() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            leakOne();
            // polls for something that does happen (the cleaner's report after a GC), which nothing signals;
            // bounded by the 30 s limit above
            while (pool.leaks().isEmpty()) {
                System.gc();
                Thread.sleep(10);
            }
            LeakReport leak = pool.leaks().get(0);
            assertTrue(leak.reclaimed());
            assertEquals(12345, leak.bytes());
            assertTrue(leak.toString().contains("leakOne"), leak.toString());
            while (pool.stats().allocatedBytes() != 0) {
                Thread.sleep(1); // the cleaner drops the folio reference right after reporting
            }
            assertEquals(0, pool.allocator().verify().allocatedPages());
        });
    }

    private void leakOne() {
        pool.allocate(12345).segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
    }
}
