package io.jdax.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class FastBufferPoolTest extends BufferPoolContract {

    @Override
    PoolMode mode() {
        return PoolMode.FAST;
    }

    @Override
    int randomizedOperations() {
        return 120_000;
    }

    @Override
    void assertLeakDetails(LeakReport leak) {
        assertEquals(8192, leak.bytes(), "FAST mode reports the bytes still held, rounded to folios");
        assertTrue(leak.allocationSite().isEmpty());
        assertTrue(leak.toString().contains("PoolMode.CHECKED"), leak.toString());
    }

    @Test
    void aSegmentKeptPastTheLastReleaseStillReachesTheMemory() {
        // the documented price of FAST mode: only the buffer object knows it was released
        PooledBuffer b = pool.allocate(4096);
        MemorySegment kept = b.segment();
        b.release();
        kept.set(ValueLayout.JAVA_INT, 0, 1);
        PooledBuffer next = pool.allocate(4096);
        assertEquals(1, next.segment().get(ValueLayout.JAVA_INT, 0), "the same folio was handed out again");
        next.release();
    }
}
