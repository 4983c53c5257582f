package io.jdax.store;

import io.jdax.internal.Internals;
import io.jdax.memory.Region;

import java.lang.foreign.MemorySegment;

/**
 * A region backend for crash simulation (the persist-point model of CrashMonkey and dm-log-writes): a durable
 * image kept apart from the working memory. A flush of the working region copies the flushed range into the
 * image; a crash throws the working memory away, and {@link #boot} opens a store over a fresh working region
 * that starts as a copy of the image. A crash can also strike inside a flush: the {@code n}-th flush after
 * {@link #crashAtFlush} throws {@link SimulatedCrash} before its bytes reach the image.
 */
final class CrashImage implements AutoCloseable {

    /** Thrown by the flush a crash strikes. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash() {
            super("simulated crash", null, false, false);
        }
    }

    private final long size;
    private final Region image;
    private Region working;
    private long flushes;
    private long crashAt = -1;

    CrashImage(long size) {
        this.size = size;
        this.image = Region.anonymous(size);
    }

    /** A store over a working region copied from the image. */
    DaxStore boot() {
        Region w = Region.anonymous(size);
        MemorySegment.copy(image.segment(), 0, w.segment(), 0, size);
        flushes = 0;
        crashAt = -1;
        Internals.flushListener(w, (offset, length) -> {
            if (++flushes == crashAt) {
                throw new SimulatedCrash();
            }
            MemorySegment.copy(w.segment(), offset, image.segment(), offset, length);
        });
        working = w;
        return DaxStore.open(w);
    }

    /** Makes the {@code n}-th flush from now throw {@link SimulatedCrash}, before it reaches the image. */
    void crashAtFlush(long n) {
        crashAt = flushes + n;
    }

    /** Throws the working memory away: nothing of it but what was flushed survives. */
    void crash(DaxStore store) {
        store.abandon();
        working.close();
        working = null;
    }

    @Override
    public void close() {
        if (working != null) {
            working.close();
        }
        image.close();
    }
}
