package io.jdax.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ExtentAllocatorTest {

    @Test
    void blocksAreAlignedAndMergeBackWhole() {
        ExtentAllocator a = new ExtentAllocator(0, 2048, 9);
        long big = a.allocate(9);
        assertEquals(0, big & 511);
        long small = a.allocate(0);
        assertEquals(2048 - 513, a.freePages());
        a.free(small, 0);
        a.free(big, 9);
        assertEquals(2048, a.freePages());
        for (int i = 0; i < 4; i++) {
            assertTrue(a.allocate(9) >= 0, "merged back into four PMD blocks");
        }
        assertEquals(-1, a.allocate(0));
    }

    @Test
    void aBlockFreedPageByPageMerges() {
        ExtentAllocator a = new ExtentAllocator(0, 512, 9);
        long big = a.allocate(9);
        for (long p = big; p < big + 512; p++) {
            a.free(p, 0);
        }
        assertEquals(big, a.allocate(9));
    }

    @Test
    void misuseIsRefusedAndChangesNothing() {
        ExtentAllocator a = new ExtentAllocator(0, 1024, 9);
        long p = a.allocate(0);
        a.free(p, 0);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> a.free(p, 0));
        assertTrue(twice.getMessage().contains(String.valueOf(p)), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.free(3, 1));
        assertThrows(IllegalArgumentException.class, () -> a.free(1024, 0));
        assertThrows(IllegalArgumentException.class, () -> a.allocate(10));
        assertThrows(IllegalArgumentException.class, () -> new ExtentAllocator(3, 100, 9));
        assertThrows(IllegalArgumentException.class, () -> new ExtentAllocator(0, 0, 9));
        assertEquals(1024, a.freePages());
    }

    @Test
    void randomAllocationsNeverOverlap() {
        long seed = Long.getLong("jdax.seed", System.nanoTime());
        System.out.println("ExtentAllocatorTest seed " + seed + " (replay with -Djdax.seed=" + seed + ")");
        Random random = new Random(seed);
        ExtentAllocator a = new ExtentAllocator(0, 4096 + 37, 9);
        List<long[]> held = new ArrayList<>();
        Set<Long> used = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            if (!held.isEmpty() && random.nextInt(3) == 0) {
                long[] b = held.remove(random.nextInt(held.size()));
                a.free(b[0], (int) b[1]);
                for (long p = b[0]; p < b[0] + (1L << b[1]); p++) {
                    used.remove(p);
                }
            } else {
                int order = random.nextBoolean() ? 0 : random.nextInt(10);
                long p = a.allocate(order);
                if (p < 0) {
                    continue;
                }
                assertEquals(0, p & ((1L << order) - 1), "aligned");
                for (long q = p; q < p + (1L << order); q++) {
                    assertTrue(used.add(q), "page " + q + " handed out twice, seed " + seed);
                }
                held.add(new long[] {p, order});
            }
            assertEquals(4096 + 37 - used.size(), a.freePages(), "seed " + seed);
        }
    }
}
