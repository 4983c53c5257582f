package io.jdax.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;

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
    void assertLeakDetails(LeakReport leak) {
        assertEquals(5000, leak.bytes());
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
    void anUnreachableUnreleasedBufferIsReportedWithItsSiteAndReclaimed() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            leakOne();
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
