package io.jdax.pool;

import java.lang.foreign.Arena;

/**
 * The part of a {@link PoolMode#CHECKED} buffer the pool keeps apart from the buffer object, so that a
 * {@link java.lang.ref.Cleaner} can act once the buffer is unreachable: the arena of its mapping, the folio
 * reference it holds, and where it was allocated. Exactly one {@link #finish()} revokes the mapping and
 * returns the folio: the last release, the leak action, or the pool's close, whichever comes first.
 */
final class CheckedView implements Runnable {

    /** {@link #finish()}: this call revoked the mapping and returned the folio. */
    static final int FINISHED = 0;
    /** {@link #finish()}: another call had already finished. */
    static final int ALREADY = 1;
    /** {@link #finish()}: an I/O operation is using the mapping; nothing was changed. */
    static final int IN_USE = 2;

    final BufferPool pool;
    final long head;
    final SlabShare share; // a slab object's, or null for a folio
    final long requested;
    final long bytes;
    final Arena arena;
    final Throwable allocationSite;
    private boolean done; // guarded by this

    CheckedView(BufferPool pool, long head, SlabShare share, long requested, long bytes, Arena arena,
                Throwable allocationSite) {
        this.pool = pool;
        this.head = head;
        this.share = share;
        this.requested = requested;
        this.bytes = bytes;
        this.arena = arena;
        this.allocationSite = allocationSite;
    }

    /**
     * Revokes the mapping (a thread handshake: from here every access through the buffer's segments and
     * {@code ByteBuffer}s throws) and drops the folio reference, once. The JDK refuses to close an arena while
     * a channel read or write uses its memory: then nothing changes and {@link #IN_USE} says so, and a later
     * call can finish.
     */
    synchronized int finish() {
        if (done) {
            return ALREADY;
        }
        try {
            arena.close();
        } catch (IllegalStateException inUse) {
            return IN_USE;
        }
        done = true;
        try {
            pool.putMemory(head, share, requested);
        } finally {
            // after the put: while the view is outstanding, the pool's close finishes it, and so waits on this
            // monitor for the put, rather than closing the allocator under it
            pool.forget(this);
        }
        return FINISHED;
    }

    /**
     * The Cleaner's action: the buffer became unreachable without its last release, a leak. If an I/O
     * operation still uses its memory (through a {@code ByteBuffer} that outlived the buffer object), the
     * view stays outstanding and the pool's close reports it.
     */
    @Override
    public void run() {
        if (finish() == FINISHED) {
            pool.reportLeak(this, true);
        }
    }
}
