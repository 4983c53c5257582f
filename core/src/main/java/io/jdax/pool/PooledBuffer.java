package io.jdax.pool;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * A buffer from a {@link BufferPool}: {@link #byteSize()} bytes of a pooled folio, or of a slab object for
 * sizes up to half a page, as a {@link MemorySegment} or a {@link ByteBuffer}. Safe to share between threads.
 *
 * <p>Reference counted like a Netty {@code ByteBuf}: it starts at 1, {@link #retain()} adds one,
 * {@link #release()} (or {@link #close()}, for try-with-resources) drops one, and the last release gives the
 * memory back. The buffer object holds exactly one reference on its folio (or slab object); a {@link #slice}
 * holds one of its own, so it stays valid after its parent is released. Misuse throws {@link IllegalStateException} and
 * leaves the count as it was: retain after the last release, a release too many, or {@link #segment()} after
 * the last release. What a segment handed out earlier may still do after the last release depends on the
 * {@link PoolMode}. In CHECKED mode, keep the buffer object reachable while you use its segment: an
 * unreachable buffer is treated as a leak, and its memory revoked and reclaimed.
 */
public final class PooledBuffer implements AutoCloseable {

    private static final VarHandle REFCNT;
    private static final VarHandle SHARE;

    static {
        try {
            REFCNT = MethodHandles.lookup().findVarHandle(PooledBuffer.class, "extraRefs", int.class);
            SHARE = MethodHandles.lookup().findVarHandle(PooledBuffer.class, "share", SlabShare.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BufferPool pool;
    final long head;                    // head pfn of the folio, or region offset of the slab object
    final boolean small;                // a slab object
    final long requested;               // bytes the buffer this one was sliced from asked for (statistics)
    @SuppressWarnings("unused") // accessed through SHARE
    private volatile SlabShare share;   // small only: null until a FAST buffer's first slice
    private final long offset;          // region offset of byte 0
    private final MemorySegment segment;
    final CheckedView checked;          // CHECKED mode only
    final Cleaner.Cleanable cleanable;  // CHECKED mode only: reports the buffer if it leaks
    /**
     * The count minus one: the JVM's zeroing of a new object is the count of 1 every buffer starts with, so no
     * store and no fence publishes it (even a thread that is handed the buffer through a data race sees at
     * worst that initial count). -1 once released. Accessed through REFCNT only.
     */
    @SuppressWarnings("unused")
    private volatile int extraRefs;

    /** Made by the pool only, which then asks {@code PoolGate.publish} whether it may hand the buffer out. */
    PooledBuffer(BufferPool pool, long head, long offset, MemorySegment segment, CheckedView checked, boolean small,
                 SlabShare share, long requested) {
        this.pool = pool;
        this.head = head;
        this.small = small;
        this.requested = requested;
        SHARE.set(this, share);
        this.offset = offset;
        this.segment = segment;
        this.checked = checked;
        // registering this before the constructor ends is safe: a Cleaner keeps only a phantom reference
        this.cleanable = checked == null ? null : LeakCleaner.INSTANCE.register(this, checked);
        // the count of 1 is the field's default: see extraRefs
    }

    /** One Cleaner thread for every checked pool, started the first time a checked buffer is made. */
    private static final class LeakCleaner {
        static final Cleaner INSTANCE = Cleaner.create();
    }

    /**
     * Bytes in the buffer: exactly what was asked for.
     *
     * @return the buffer's size
     */
    public long byteSize() {
        return segment.byteSize();
    }

    /**
     * The buffer's bytes.
     *
     * @return a segment of exactly {@link #byteSize()} bytes
     * @throws IllegalStateException after the last release
     */
    public MemorySegment segment() {
        requireLive();
        return segment;
    }

    /**
     * The buffer's bytes as a direct, native-order-agnostic {@link ByteBuffer} (big-endian, as every new one).
     *
     * @return a new {@code ByteBuffer} over the buffer's bytes
     * @throws IllegalStateException after the last release
     */
    public ByteBuffer byteBuffer() {
        requireLive();
        return segment.asByteBuffer();
    }

    /**
     * Current count of this buffer object (not of the folio or slab object, which its slices also hold).
     *
     * @return the count, 0 once released
     */
    public int refCnt() {
        return count();
    }

    /** The count (the field plus one). */
    private int count() {
        return (int) REFCNT.getVolatile(this) + 1;
    }

    /**
     * Adds a reference.
     *
     * @return this buffer
     * @throws IllegalStateException if the buffer was already released, its pool is closed, or the count would
     *                               overflow
     */
    public PooledBuffer retain() {
        int c = count();
        if (c > 0 && pool.isClosed()) {
            // racing close is fine either way: a retain that passes this check was made before close looked,
            // on a buffer close reports as outstanding whatever its count
            throw new IllegalStateException("retain of a buffer whose pool was closed: the pool reported it as a "
                    + "leak and reclaimed its memory (" + describe(c) + ")");
        }
        for (;;) {
            if (c <= 0) {
                throw new IllegalStateException("retain of a released buffer (" + describe(c) + ")");
            }
            if (c == Integer.MAX_VALUE) {
                throw new IllegalStateException("retain would overflow the count (" + describe(c) + ")");
            }
            int witness = (int) REFCNT.compareAndExchange(this, c - 1, c) + 1;
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
     * <p>In CHECKED mode "an I/O operation is using its memory" means a native call the JDK holds the memory
     * for: a channel read or write in progress on a platform thread. A virtual thread blocked in a channel read
     * is parked between attempts and holds nothing: the release then succeeds and revokes the memory, and the
     * read throws {@link IllegalStateException} when it resumes, so no byte reaches memory that was given back.
     *
     * @return whether this was the last reference
     * @throws IllegalStateException if the buffer was already released, its pool is closed, or (CHECKED mode)
     *                               an I/O operation is using its memory; the count is unchanged
     */
    public boolean release() {
        int old = (int) REFCNT.getAndAdd(this, -1) + 1;
        if (old > 1) {
            return false;
        }
        if (old == 1) {
            pool.releaseLast(this); // on refusal it restores the count and throws
            return true;
        }
        REFCNT.getAndAdd(this, 1); // undo: a double release must not disturb anything
        throw new IllegalStateException("release of a buffer already released (" + describe(old) + ")");
    }

    /** The share of this buffer's slab object, current or null (FAST buffer never sliced). */
    SlabShare shareOrNull() {
        return (SlabShare) SHARE.getAcquire(this);
    }

    /**
     * The share of this buffer's slab object, made now if it has none yet; the caller holds a reference on
     * the buffer, so the buffer's own hold on the object, which the new share starts with, is still there.
     */
    SlabShare share() {
        SlabShare s = (SlabShare) SHARE.getAcquire(this);
        if (s != null) {
            return s;
        }
        SlabShare mine = new SlabShare();
        SlabShare witness = (SlabShare) SHARE.compareAndExchange(this, (SlabShare) null, mine);
        return witness == null ? mine : witness;
    }

    /** Puts back the reference a refused last release took away. */
    void restoreCount() {
        REFCNT.getAndAdd(this, 1);
    }

    /**
     * {@link #release()}, for try-with-resources.
     *
     * @throws IllegalStateException as {@link #release()} does
     */
    @Override
    public void close() {
        release();
    }

    /**
     * A buffer over {@code [offset, offset + length)} of this one, holding its own reference on the folio (or slab object) and
     * its own count of 1: it outlives this buffer's release.
     *
     * @param offset where the slice starts in this buffer
     * @param length bytes in the slice, at least 1
     * @return the slice, with a count of 1
     * @throws IndexOutOfBoundsException if the range is not inside this buffer
     * @throws IllegalStateException     after the last release (also one racing this call), or once the pool is
     *                                   closed
     */
    public PooledBuffer slice(long offset, long length) {
        if (offset < 0 || length <= 0 || offset > byteSize() - length) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + offset + " + " + length
                    + ") is outside the buffer of " + byteSize() + " bytes");
        }
        // The folio's own count cannot guard this: once the last release frees the folio, a re-allocation
        // makes it non-zero again, and a get would then share the next owner's memory. The buffer's count
        // only ever reaches 0 once, so the slice holds a reference on it (add-unless-zero, kernel:
        // folio_try_get on the buffer) while it takes its folio reference.
        int c = count();
        for (;;) {
            if (c <= 0) {
                throw new IllegalStateException("slice of a released buffer (" + describe(c) + ")");
            }
            if (c == Integer.MAX_VALUE) {
                throw new IllegalStateException("slice would overflow the count (" + describe(c) + ")");
            }
            int witness = (int) REFCNT.compareAndExchange(this, c - 1, c) + 1;
            if (witness == c) {
                break;
            }
            c = witness;
        }
        try {
            return pool.slice(this, this.offset + offset, length);
        } finally {
            dropSliceReference();
        }
    }

    /**
     * Drops the reference {@link #slice} held. If the owner's last release came meanwhile, it found this one
     * still there and returned false: this drop is then the last, and gives the memory back in its place.
     */
    private void dropSliceReference() {
        if ((int) REFCNT.getAndAdd(this, -1) != 0) { // the count was not 1
            return;
        }
        try {
            pool.releaseLast(this);
        } catch (IllegalStateException refused) {
            // The pool closed meanwhile (it reported the buffer as a leak), or, in CHECKED mode, an I/O
            // operation still uses the memory: the count is back at 1, and the buffer is reported as a leak
            // by close or by its cleaner, as any buffer given up while in use is. The slice itself is sound.
        }
    }

    private void requireLive() {
        int c = count();
        if (c <= 0) {
            throw new IllegalStateException("use of a released buffer (" + describe(c) + ")");
        }
    }

    private String describe(int count) {
        return "refCnt " + count + ", " + byteSize() + (small ? " bytes in the slab object at " : " bytes at folio ")
                + head;
    }

    @Override
    public String toString() {
        return "PooledBuffer[" + byteSize() + (small ? " bytes, slab object " : " bytes, folio ") + head + ", offset " + offset + ", refCnt " + refCnt()
                + "]";
    }
}
