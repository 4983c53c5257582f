package io.jdax.pool;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * A buffer from a {@link BufferPool}: {@link #byteSize()} bytes of a pooled folio, as a {@link MemorySegment}
 * or a {@link ByteBuffer}. Safe to share between threads.
 *
 * <p>Reference counted like a Netty {@code ByteBuf}: it starts at 1, {@link #retain()} adds one,
 * {@link #release()} (or {@link #close()}, for try-with-resources) drops one, and the last release gives the
 * memory back. The buffer object holds exactly one reference on its folio; a {@link #slice} holds one of its
 * own, so it stays valid after its parent is released. Misuse throws {@link IllegalStateException} and
 * leaves the count as it was: retain after the last release, a release too many, or {@link #segment()} after
 * the last release. What a segment handed out earlier may still do after the last release depends on the
 * {@link PoolMode}. In CHECKED mode, keep the buffer object reachable while you use its segment: an
 * unreachable buffer is treated as a leak, and its memory revoked and reclaimed.
 */
public final class PooledBuffer implements AutoCloseable {

    private static final VarHandle REFCNT;

    static {
        try {
            REFCNT = MethodHandles.lookup().findVarHandle(PooledBuffer.class, "refCnt", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BufferPool pool;
    private final long head;
    private final long offset;          // region offset of byte 0
    private final MemorySegment segment;
    private final CheckedView checked;  // CHECKED mode only
    private final Cleaner.Cleanable cleanable; // CHECKED mode only: reports the buffer if it leaks
    @SuppressWarnings("unused") // accessed through REFCNT
    private volatile int refCnt = 1;

    PooledBuffer(BufferPool pool, long head, long offset, MemorySegment segment, CheckedView checked) {
        this.pool = pool;
        this.head = head;
        this.offset = offset;
        this.segment = segment;
        this.checked = checked;
        // registering this before the constructor ends is safe: a Cleaner keeps only a phantom reference
        this.cleanable = checked == null ? null : LeakCleaner.INSTANCE.register(this, checked);
    }

    /** One Cleaner thread for every checked pool, started the first time a checked buffer is made. */
    private static final class LeakCleaner {
        static final Cleaner INSTANCE = Cleaner.create();
    }

    /** Bytes in the buffer: exactly what was asked for. */
    public long byteSize() {
        return segment.byteSize();
    }

    /**
     * The buffer's bytes.
     *
     * @throws IllegalStateException after the last release
     */
    public MemorySegment segment() {
        requireLive();
        return segment;
    }

    /** The buffer's bytes as a direct, native-order-agnostic {@link ByteBuffer} (big-endian, as every new one). */
    public ByteBuffer byteBuffer() {
        requireLive();
        return segment.asByteBuffer();
    }

    /** Current count of this buffer object (not of the folio, which its slices also reference). */
    public int refCnt() {
        return (int) REFCNT.getVolatile(this);
    }

    /**
     * Adds a reference.
     *
     * @return this buffer
     * @throws IllegalStateException if the buffer was already released, or the count would overflow
     */
    public PooledBuffer retain() {
        int c = (int) REFCNT.getVolatile(this);
        for (;;) {
            if (c <= 0) {
                throw new IllegalStateException("retain of a released buffer (" + describe(c) + ")");
            }
            if (c == Integer.MAX_VALUE) {
                throw new IllegalStateException("retain would overflow the count (" + describe(c) + ")");
            }
            int witness = (int) REFCNT.compareAndExchange(this, c, c + 1);
            if (witness == c) {
                return this;
            }
            c = witness;
        }
    }

    /**
     * Drops a reference; the last one returns the memory to the pool (and, in {@link PoolMode#CHECKED}
     * mode, revokes every segment and {@code ByteBuffer} of this buffer).
     *
     * @return whether this was the last reference
     * @throws IllegalStateException if the buffer was already released, its pool is closed, or (CHECKED mode)
     *                               an I/O operation is using its memory; the count is unchanged
     */
    public boolean release() {
        int old = (int) REFCNT.getAndAdd(this, -1);
        if (old > 1) {
            return false;
        }
        if (old == 1) {
            if (pool.isClosed()) {
                REFCNT.getAndAdd(this, 1);
                throw new IllegalStateException("release after its pool was closed: the pool reclaimed the memory "
                        + "and reported the buffer as a leak (" + describe(1) + ")");
            }
            try {
                if (checked != null) {
                    if (checked.finish() == CheckedView.IN_USE) {
                        throw new IllegalStateException("cannot release a buffer while an I/O operation uses its "
                                + "memory; release it again once the operation completes (" + describe(1) + ")");
                    }
                    cleanable.clean(); // deregisters; the leak action finds the view finished
                } else {
                    pool.putFolio(head);
                }
            } catch (IllegalStateException e) {
                REFCNT.getAndAdd(this, 1); // nothing was given back (or the pool closed meanwhile): count as it was
                throw e;
            }
            return true;
        }
        REFCNT.getAndAdd(this, 1); // undo: a double release must not disturb anything
        throw new IllegalStateException("release of a buffer already released (" + describe(old) + ")");
    }

    /** {@link #release()}, for try-with-resources. */
    @Override
    public void close() {
        release();
    }

    /**
     * A buffer over {@code [offset, offset + length)} of this one, holding its own reference on the folio and
     * its own count of 1: it outlives this buffer's release.
     *
     * @throws IndexOutOfBoundsException if the range is not inside this buffer
     * @throws IllegalStateException     after the last release
     */
    public PooledBuffer slice(long offset, long length) {
        if (offset < 0 || length <= 0 || offset > byteSize() - length) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + offset + " + " + length
                    + ") is outside the buffer of " + byteSize() + " bytes");
        }
        try {
            requireLive();
            return pool.slice(head, this.offset + offset, length);
        } finally {
            // this buffer's reference must outlive the slice's get: without the fence the JIT may let the
            // buffer become unreachable here, and a CHECKED pool's leak action would put the folio first
            Reference.reachabilityFence(this);
        }
    }

    private void requireLive() {
        int c = (int) REFCNT.getVolatile(this);
        if (c <= 0) {
            throw new IllegalStateException("use of a released buffer (" + describe(c) + ")");
        }
    }

    private String describe(int count) {
        return "refCnt " + count + ", " + byteSize() + " bytes at folio " + head;
    }

    @Override
    public String toString() {
        return "PooledBuffer[" + byteSize() + " bytes, folio " + head + ", offset " + offset + ", refCnt " + refCnt()
                + "]";
    }
}
