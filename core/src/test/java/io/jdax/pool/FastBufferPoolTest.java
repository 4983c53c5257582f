package io.jdax.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.BlockedWrite;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;

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
    void assertLeakDetails(LeakReport leak, long size) {
        assertEquals(size <= 2048 ? 512 : 8192, leak.bytes(),
                "FAST mode reports the bytes still held, rounded to the slab object or folio");
        assertTrue(leak.allocationSite().isEmpty());
        assertTrue(leak.toString().contains("PoolMode.CHECKED"), leak.toString());
    }

    @Test
    void closeReportsEveryLeakedBufferWithItsFolioSize() {
        BufferPool p = BufferPool.builder().capacity(1 << 20).mode(PoolMode.FAST).build();
        p.allocate(1000);
        p.allocate(70_000);
        PooledBuffer shared = p.allocate(5000);
        PooledBuffer slice = shared.slice(0, 10); // one folio, held twice: one leak
        p.close();
        List<Long> sizes = p.leaks().stream().map(LeakReport::bytes).sorted().toList();
        assertEquals(List.of(1024L, 8192L, 131072L), sizes, "a slab object is reported with its object size; "
                + p.leaks());
        assertEquals(3, p.stats().leaks());
        assertNames(assertThrows(IllegalStateException.class, slice::release), "reported");
    }

    @Test
    void aCloseRefusedByIoInFlightFinishesWhenRepeated() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            BufferPool p = BufferPool.builder().capacity(1 << 20).mode(PoolMode.FAST).build();
            PooledBuffer b = p.allocate(128 * 1024);
            try (BlockedWrite write = BlockedWrite.start(b.byteBuffer())) {
                IllegalStateException e = assertThrows(IllegalStateException.class, p::close);
                assertNames(e, "close the pool again once the operation completes");
                assertTrue(p.region().isOpen(), "the write still uses the memory");
                assertThrows(IllegalStateException.class, () -> p.allocate(1), "but the pool is closed");
                assertEquals(128 * 1024, write.complete());
            }
            p.close();
            assertFalse(p.region().isOpen(), "the second close unmapped the region");
            assertEquals(1, p.leaks().size(), "the leak was reported once, by the first close");
            p.close();
        });
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
