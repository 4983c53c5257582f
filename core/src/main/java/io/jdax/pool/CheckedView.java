package io.jdax.pool;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part of a {@link PoolMode#CHECKED} buffer the pool keeps apart from the buffer object, so that a
 * {@link java.lang.ref.Cleaner} can act once the buffer is unreachable: the arena of its mapping, the folio
 * reference it holds, and where it was allocated. Whichever comes first, the last release or the leak
 * action, does the work; the other finds it done.
 */
final class CheckedView implements Runnable {

    final BufferPool pool;
    final long head;
    final long bytes;
    final Arena arena;
    final Throwable allocationSite;
    private final AtomicBoolean done = new AtomicBoolean();

    CheckedView(BufferPool pool, long head, long bytes, Arena arena, Throwable allocationSite) {
        this.pool = pool;
        this.head = head;
        this.bytes = bytes;
        this.arena = arena;
        this.allocationSite = allocationSite;
    }

    /** The last release: revoke the mapping, drop the folio reference. */
    void release(BufferPool owner) {
        if (done.compareAndSet(false, true)) {
            owner.forget(this);
            arena.close(); // thread handshake: from here every access through the buffer's segments throws
            owner.putFolio(head);
        }
    }

    /** The Cleaner's action: the buffer became unreachable. If it was never released, that is a leak. */
    @Override
    public void run() {
        if (done.compareAndSet(false, true)) {
            pool.forget(this);
            pool.reportLeak(this, true);
            arena.close();
            pool.putFolio(head);
        }
    }

    /** At pool close: still outstanding. */
    boolean markLeakedAtClose() {
        return done.compareAndSet(false, true);
    }
}
