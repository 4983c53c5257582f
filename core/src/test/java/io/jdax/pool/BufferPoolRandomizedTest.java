package io.jdax.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.alloc.OutOfPagesException;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded random runs over mixed sizes, slab objects and folios together, in a pool small enough to run out.
 * Each run takes a fresh seed and prints it; {@code -Djdax.seed=N} replays one. After every step the slab and
 * allocator invariants are verified and the bytes requested are checked against a model; every buffer's
 * bytes carry its memory's stamp, checked before each release, so memory handed out twice shows.
 */
class BufferPoolRandomizedTest {

    /** The memory behind a buffer and its slices: what it asked for, how many buffers hold it, its stamp. */
    private static final class Unit {
        final long requested;
        final byte stamp;
        int holds = 1;

        Unit(long requested, byte stamp) {
            this.requested = requested;
            this.stamp = stamp;
        }
    }

    private record Held(PooledBuffer buffer, Unit unit) {
    }

    @ParameterizedTest
    @EnumSource(PoolMode.class)
    void mixedSizesKeepSlabAndAllocatorInvariantsAfterEveryStep(PoolMode mode) {
        long seed = Long.getLong("jdax.seed", System.nanoTime());
        System.out.println("pool mixedSizes " + mode + ": seed " + seed + " (replay with -Djdax.seed=" + seed + ")");
        Random rnd = new Random(seed);
        int steps = mode == PoolMode.CHECKED ? 1_500 : 6_000;
        long[] sizes = {1, 16, 17, 100, 256, 700, 2048, 2049, 4096, 5000, 16384, 70_000};
        try (BufferPool pool = BufferPool.builder().capacity(1 << 20).mode(mode).cacheStripes(rnd.nextBoolean() ? 0 : 2)
                .largeFolioCacheBytes(rnd.nextBoolean() ? 0 : 128 << 10).build()) {
            List<Held> held = new ArrayList<>();
            long requested = 0;
            int serial = 0;
            for (int step = 0; step < steps; step++) {
                String at = "seed " + seed + ", step " + step;
                int op = rnd.nextInt(10);
                if (op < 5 || held.isEmpty()) {
                    long size = sizes[rnd.nextInt(sizes.length)];
                    if (rnd.nextInt(4) == 0) {
                        size = 1 + rnd.nextInt(20_000);
                    }
                    PooledBuffer b;
                    try {
                        b = pool.allocate(size);
                    } catch (OutOfPagesException full) {
                        // the pool of 1 MiB is full: release half of what is held
                        for (int i = held.size() / 2; i > 0; i--) {
                            requested -= release(held.remove(rnd.nextInt(held.size())), at);
                        }
                        continue;
                    } catch (IllegalStateException capped) { // CHECKED: the cap on mappings
                        assertTrue(capped.getMessage().contains("at most"), capped.getMessage());
                        continue;
                    }
                    Unit u = new Unit(size, (byte) ++serial);
                    b.segment().fill(u.stamp);
                    held.add(new Held(b, u));
                    requested += size;
                } else if (op < 8) {
                    requested -= release(held.remove(rnd.nextInt(held.size())), at);
                } else if (op < 9) {
                    Held h = held.get(rnd.nextInt(held.size()));
                    h.buffer.retain();
                    assertEquals(false, h.buffer.release(), at);
                } else {
                    Held h = held.get(rnd.nextInt(held.size()));
                    long len = 1 + rnd.nextLong(h.buffer.byteSize());
                    long off = rnd.nextLong(h.buffer.byteSize() - len + 1);
                    PooledBuffer slice;
                    try {
                        slice = h.buffer.slice(off, len);
                    } catch (IllegalStateException capped) {
                        continue;
                    }
                    h.unit.holds++;
                    held.add(new Held(slice, h.unit));
                }
                PoolStats s = pool.verify();
                assertEquals(requested, s.bytesRequested(), at);
                assertTrue(s.bytesHeld() >= s.bytesRequested(), at);
            }
            while (!held.isEmpty()) {
                requested -= release(held.removeLast(), "seed " + seed + ", at the end");
            }
            assertEquals(0, requested);
            BufferPoolContract.assertNothingHeld(pool);
            assertTrue(pool.leaks().isEmpty(), () -> pool.leaks().toString());
        }
    }

    /** Checks the buffer's stamp and releases it; returns the bytes no longer requested. */
    private static long release(Held h, String at) {
        long n = h.buffer.byteSize();
        assertEquals(h.unit.stamp, h.buffer.segment().get(ValueLayout.JAVA_BYTE, 0), at);
        assertEquals(h.unit.stamp, h.buffer.segment().get(ValueLayout.JAVA_BYTE, n - 1), at);
        assertTrue(h.buffer.release(), at);
        return --h.unit.holds == 0 ? h.unit.requested : 0;
    }
}
