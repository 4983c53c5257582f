package io.jdax.mapping;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ZeroedBlocksTest {

    @Test
    void adjacentAndTouchingRangesMergeAndComeOutInPfnOrder() {
        ZeroedBlocks z = new ZeroedBlocks();
        assertFalse(z.add(10, 1));
        assertFalse(z.add(11, 1)); // contiguous: extends
        assertFalse(z.add(100, 512));
        assertFalse(z.add(5, 5));  // touches [10, 12) from below
        assertFalse(z.add(50, 1));
        long[][] r = z.take();
        assertEquals(3, r.length);
        assertArrayEquals(new long[] {5, 12}, r[0]);
        assertArrayEquals(new long[] {50, 51}, r[1]);
        assertArrayEquals(new long[] {100, 612}, r[2]);
        assertTrue(z.isEmpty());
        assertEquals(0, z.take().length);
    }

    @Test
    void aFullListAsksToBeDrained() {
        ZeroedBlocks z = new ZeroedBlocks();
        boolean full = false;
        int added = 0;
        while (!full) {
            full = z.add(2L * added, 1); // never adjacent
            added++;
        }
        assertEquals(ZeroedBlocks.MAX_RANGES, added);
        assertEquals(ZeroedBlocks.MAX_RANGES, z.take().length);
    }
}
