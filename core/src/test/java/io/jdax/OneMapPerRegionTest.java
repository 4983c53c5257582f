package io.jdax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.memory.Region;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PooledBuffer;

import org.junit.jupiter.api.Test;

/** A region has at most one page map over it (kernel: a dev_pagemap owns its range): two pools never share bytes. */
class OneMapPerRegionTest {

    @Test
    void aSecondPoolOverOneRegionIsRefusedAndTheFirstKeepsWorking() {
        try (Region region = Region.anonymous(4L << 20)) {
            BufferPool first = BufferPool.builder().region(region).build();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> BufferPool.builder().region(region).build());
            assertTrue(e.getMessage().contains("PageMap["), e.getMessage());
            assertThrows(IllegalStateException.class, () -> BuddyAllocator.create(region));
            PooledBuffer b = first.allocate(4096);
            b.segment().fill((byte) 7);
            assertEquals(7, b.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4095));
            b.release();
            first.close();
        }
    }

    @Test
    void onceTheFirstPoolClosesTheRegionCanServeAnother() {
        try (Region region = Region.anonymous(4L << 20)) {
            BuddyAllocator.create(region).close();
            BuddyAllocator second = BuddyAllocator.create(region);
            second.close();
        }
    }
}
