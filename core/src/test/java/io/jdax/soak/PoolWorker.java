package io.jdax.soak;

import io.jdax.alloc.OutOfPagesException;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PooledBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool worker of the soak: allocates buffers of sizes drawn log-uniformly from 1 byte to 1 MiB (every slab
 * class and every folio order), tags the first and last byte, and until the deadline retains and hands buffers
 * to other workers, takes theirs, slices and releases, checking each tag before a buffer goes back: a tag
 * overwritten by someone else's buffer means two live buffers shared memory.
 */
final class PoolWorker implements Runnable {

    private static final int MAX_HELD = 48;

    /** A buffer and the tag its first and last byte must hold. */
    record Held(PooledBuffer buf, byte tag) {
        void check() {
            MemorySegment s = buf.segment();
            byte first = s.get(ValueLayout.JAVA_BYTE, 0);
            byte lastByte = s.get(ValueLayout.JAVA_BYTE, s.byteSize() - 1);
            if (first != tag || lastByte != tag) {
                throw new AssertionError(buf + " of " + s.byteSize() + " bytes was tagged " + tag + " and holds "
                        + first + " .. " + lastByte + ": another live buffer wrote over it");
            }
        }

        void checkAndRelease() {
            check();
            buf.release();
        }
    }

    private final BufferPool pool;
    private final Queue<Held> handoff;
    private final SplittableRandom rnd;
    private final long deadline;
    private final AtomicLong ops;
    private final List<Held> held = new ArrayList<>();

    PoolWorker(BufferPool pool, Queue<Held> handoff, SplittableRandom rnd, long deadline, AtomicLong ops) {
        this.pool = pool;
        this.handoff = handoff;
        this.rnd = rnd;
        this.deadline = deadline;
        this.ops = ops;
    }

    @Override
    public void run() {
        long n = 0;
        while ((n & 255) != 0 || System.nanoTime() < deadline) {
            int op = rnd.nextInt(100);
            if (op < 40 && held.size() < MAX_HELD) {
                allocate();
            } else if (op < 55 && !held.isEmpty()) {
                Held h = held.get(rnd.nextInt(held.size()));
                h.buf().retain();
                handoff.add(h); // the other worker that takes it releases the reference it got
            } else if (op < 70) {
                Held h = handoff.poll();
                if (h != null) {
                    h.checkAndRelease();
                }
            } else if (op < 80 && !held.isEmpty()) {
                slice(held.get(rnd.nextInt(held.size())));
            } else if (!held.isEmpty()) {
                held.remove(rnd.nextInt(held.size())).checkAndRelease();
            }
            n++;
        }
        for (Held h : held) {
            h.checkAndRelease();
        }
        held.clear();
        ops.addAndGet(n);
    }

    private void allocate() {
        long size = 1 + rnd.nextLong((1L << (1 + rnd.nextInt(20))));
        PooledBuffer b;
        try {
            b = pool.allocate(size);
        } catch (OutOfPagesException full) {
            if (!held.isEmpty()) {
                held.remove(rnd.nextInt(held.size())).checkAndRelease();
            }
            return;
        }
        byte tag = (byte) rnd.nextInt();
        MemorySegment s = b.segment();
        s.set(ValueLayout.JAVA_BYTE, 0, tag);
        s.set(ValueLayout.JAVA_BYTE, size - 1, tag);
        held.add(new Held(b, tag));
    }

    /** A slice of the first or last byte of {@code h}: it must see the tag, and its release keeps the parent. */
    private void slice(Held h) {
        long size = h.buf().byteSize();
        boolean head = rnd.nextBoolean();
        PooledBuffer s = h.buf().slice(head ? 0 : size - 1, 1);
        try {
            byte got = s.segment().get(ValueLayout.JAVA_BYTE, 0);
            if (got != h.tag()) {
                throw new AssertionError("a slice of " + h.buf() + " reads " + got + ", the buffer's tag is " + h.tag());
            }
        } finally {
            s.release();
        }
        h.check();
    }
}
