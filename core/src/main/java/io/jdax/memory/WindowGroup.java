package io.jdax.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Views of one {@link Region} that are revoked together by one arena close (kernel: the page-table entries of
 * one {@code vm_area_struct}, and the single TLB shootdown that {@code zap_page_range} ends with). The group
 * maps the region lazily, one window of {@link #windowSize()} bytes at a time, into one shared {@link Arena};
 * a {@link View} is a slice of a window. {@link #close()} closes the arena: from then on every segment of every
 * view of the group throws {@link IllegalStateException} on access (the JDK's thread handshake plays the TLB
 * shootdown), and no thread can read or write through a revoked view.
 *
 * <h2>Why views are slices of windows</h2>
 * A view made as its own file mapping costs about 7 us to map and unmap, and is one kernel mapping (VMA): a
 * process has {@code vm.max_map_count} of them, past which the JVM aborts. A window is one mapping however
 * many views slice it, and a slice costs nanoseconds. Every window counts against the process-wide
 * {@link KernelMappings} budget; a group whose next window would pass it refuses the view with that budget's
 * exception. Closing a shared arena costs a thread handshake (about 84 us) however many views it revokes, so
 * revocation is afforded per group, not per view: one group per view is the expensive way to revoke views one
 * by one, and it spends one mapping per group.
 *
 * <h2>What a view holds</h2>
 * A view carries a {@link Hold}: whatever the caller's layer counts for it (a device view: a folio reference and
 * mapcount; a pool buffer: a folio reference). {@link Hold#take} runs when the view is made and
 * {@link Hold#release} exactly once, when the view or its group closes, whichever comes first. Both run under
 * the group's lock, so that when {@link #close()} returns, every release has finished: a layer may tear down
 * what its holds refer to (a page map) right after closing its groups, with no release still running against
 * it. Closing a single view releases its hold and makes {@link View#segment()} refuse; a segment taken from it
 * earlier stays readable until the group closes (revocation is per group).
 *
 * <h2>Closing, and in-flight I/O</h2>
 * A group is {@linkplain Region#attach attached} to its region: the region's close closes the group first,
 * so no view outlives the region's own mapping. The close first revokes (closes the arena, which also unmaps the windows), then releases the hold of every
 * view still open: memory becomes unreachable before the counts say it is unmapped, as the kernel zaps and
 * flushes before it puts. While a channel read or write uses a view's memory the JDK refuses to close the
 * arena: the group is then REVOKING, the close throws {@link IllegalStateException}, no new view can be made,
 * the views stay valid and closable, and closing again once the I/O completes finishes the job. Like a pin,
 * in-flight I/O is waited for, not revoked.
 *
 * <h2>A JDK 25 defect: a revoked access can leave the thread interrupted</h2>
 * A thread that is inside an access to a view at the moment its group's arena closes gets an
 * {@link IllegalStateException} there, as documented; on JDK 25 it can also be left with its interrupt status
 * set, although nobody interrupted it (JDK-8306324, fixed in JDK 26: the JDK ends the access with an
 * asynchronous exception and forgets to clear the interrupt it raised to deliver it). Its next interruptible
 * wait (a truncate or hole punch waiting for a busy folio, a {@code Thread.sleep}) then throws
 * {@link InterruptedException}. Measured here: 6 of 8,008 closes of a shared arena that a reader was looping
 * over left the reader interrupted. jdax cannot clear another thread's status; a thread that catches the
 * revocation and does not use interrupts itself should clear it ({@code Thread.interrupted()}).
 *
 * <p>Thread safety: all methods may be called from any thread. Making and closing views take the group's lock
 * for a few operations (the hold, the link, a slice); threads that map at a high rate in parallel should use a
 * group each.
 */
public final class WindowGroup implements AutoCloseable {

    /** What a view holds on the caller's side; both methods run under the group's lock. */
    public interface Hold {
        /**
         * Takes what the view holds. Runs after the group checked it is open and made the view's slice; if it
         * throws, no view is made and the exception propagates from {@link #map}.
         */
        void take();

        /** Gives back what {@link #take} took; runs exactly once per view made. */
        void release();
    }

    /** Window size of {@link #create(Region)}: 1 GiB, the PUD size, the largest fault size. */
    public static final long DEFAULT_WINDOW_SIZE = 1L << 30;

    /** Smallest window: one 4 KiB page. */
    public static final long MIN_WINDOW_SIZE = 4096;

    private static final int OPEN = 0;
    private static final int REVOKING = 1; // close begun: no new views; the arena may still be alive
    private static final int CLOSED = 2;

    private final Region region;
    private final long windowSize;
    private final Arena arena = Arena.ofShared();
    private final Object closeLock = new Object();  // serialises close(), held for the handshake
    private final MemorySegment[] windows;          // guarded by this; null until first used
    private View first;                             // guarded by this: the live views
    private long liveViews;                         // guarded by this
    private int windowsMapped;                      // guarded by this
    private volatile int state = OPEN;              // written under this

    private WindowGroup(Region region, long windowSize) {
        this.region = region;
        this.windowSize = windowSize;
        long count = region.byteSize() / windowSize + (region.byteSize() % windowSize == 0 ? 0 : 1);
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a region of " + region.byteSize() + " bytes has " + count
                    + " windows of " + windowSize + " bytes, more than a group can track; use larger windows");
        }
        this.windows = new MemorySegment[(int) count];
    }

    /**
     * {@return a group over {@code region} with windows of {@link #DEFAULT_WINDOW_SIZE}} It fails as
     * {@link #create(Region, long)} does.
     *
     * @param region the region whose bytes the views show; the group closes with it; not null
     */
    public static WindowGroup create(Region region) {
        return create(region, DEFAULT_WINDOW_SIZE);
    }

    /**
     * A group over {@code region} with windows of {@code windowSize} bytes, aligned to the region's first byte:
     * a view must lie inside one window. Nothing is mapped until the first view.
     *
     * @param region the region whose bytes the views show; the group closes with it; not null
     * @param windowSize bytes per window: a power of two {@code >= MIN_WINDOW_SIZE}
     * @return the group, open and with nothing mapped
     * @throws IllegalArgumentException if {@code windowSize} is not a power of two of at least
     *                                  {@link #MIN_WINDOW_SIZE}, or the region has too many windows of it
     * @throws IllegalStateException    if the region is closed
     */
    public static WindowGroup create(Region region, long windowSize) {
        Objects.requireNonNull(region, "region");
        if (windowSize < MIN_WINDOW_SIZE || Long.bitCount(windowSize) != 1) {
            throw new IllegalArgumentException("window size must be a power of two >= " + MIN_WINDOW_SIZE + ": "
                    + windowSize);
        }
        WindowGroup group = new WindowGroup(region, windowSize);
        try {
            region.attach(group); // the region's close revokes the group's views before it unmaps
        } catch (IllegalStateException closed) {
            throw new IllegalStateException("cannot make a window group over " + region + ": it is closed", closed);
        }
        return group;
    }

    /**
     * Makes a view of {@code [offset, offset + length)} of the region, holding {@code hold}: under the group's
     * lock it checks the group is open, maps the window if it is the first view in it, slices it, runs
     * {@link Hold#take}, and links the view.
     *
     * @param offset first region byte of the view, {@code >= 0}
     * @param length bytes in the view, {@code >= 1}, inside the window that holds {@code offset}
     * @param hold   what the view holds while open: taken here, released once by the view's or group's close
     * @return the view
     * @throws IllegalArgumentException  if {@code length <= 0}, or the range crosses a window boundary
     * @throws IndexOutOfBoundsException if the range is outside the region
     * @throws IllegalStateException     if the group is closed or closing, its window cannot be mapped (the
     *                                   region is closed, or the {@link KernelMappings} budget is spent), or
     *                                   {@code take} threw it; {@code take} has then not run or has thrown, and
     *                                   {@code release} will never run
     */
    public View map(long offset, long length, Hold hold) {
        Objects.requireNonNull(hold, "hold");
        if (length <= 0) {
            throw new IllegalArgumentException("view length must be positive: " + length + " (at offset " + offset
                    + ")");
        }
        if (offset < 0 || offset > region.byteSize() - length) {
            throw new IndexOutOfBoundsException("view [" + offset + ", " + offset + " + " + length + ") is outside "
                    + region);
        }
        long w = offset / windowSize;
        if ((offset + length - 1) / windowSize != w) {
            throw new IllegalArgumentException("view [" + offset + ", " + offset + " + " + length + ") crosses a "
                    + "window boundary (windows of " + windowSize + " bytes from the region's first byte)");
        }
        synchronized (this) {
            if (state != OPEN) {
                throw new IllegalStateException("cannot map a view: " + this + " is closed (its views are revoked;"
                        + " make a new group)");
            }
            MemorySegment window = windows[(int) w];
            if (window == null) {
                long start = w * windowSize;
                window = region.mapView(start, Math.min(windowSize, region.byteSize() - start), arena);
                windows[(int) w] = window;
                windowsMapped++;
            }
            MemorySegment bytes = window.asSlice(offset - w * windowSize, length);
            hold.take(); // last before the link: nothing to undo if it throws
            View view = new View(this, offset, bytes, hold);
            view.next = first;
            if (first != null) {
                first.prev = view;
            }
            first = view;
            liveViews++;
            return view;
        }
    }

    /** The view's close: claim it, unlink it unless the close owns the list, release its hold; all locked. */
    private synchronized void closeView(View view) {
        if (!view.claim()) {
            return;
        }
        if (state != CLOSED) {
            if (view.prev != null) {
                view.prev.next = view.next;
            } else {
                first = view.next;
            }
            if (view.next != null) {
                view.next.prev = view.prev;
            }
            view.prev = null;
            view.next = null;
            liveViews--;
        }
        view.hold.release();
    }

    /** {@return the region the views map} */
    public Region region() {
        return region;
    }

    /** {@return the bytes per window} */
    public long windowSize() {
        return windowSize;
    }

    /** {@return the windows mapped so far, each one kernel mapping until the group closes} */
    public synchronized int windowsMapped() {
        return windowsMapped;
    }

    /** {@return the views made and not yet closed} */
    public synchronized long liveViews() {
        return liveViews;
    }

    /** {@return whether the group still maps new views} */
    public boolean isOpen() {
        return state == OPEN;
    }

    /**
     * {@return whether the close has revoked the views (the arena is closed)} Neither open nor revoked:
     * REVOKING, a close waits for I/O on a view to complete.
     */
    public boolean isRevoked() {
        return state == CLOSED;
    }

    /**
     * Revokes every view of the group, then releases the hold of each view still open. Idempotent. Costs one
     * thread handshake and one unmap per window, however many views the group holds. When it returns, every
     * hold of the group has been released, by this close or by its view's.
     *
     * @throws IllegalStateException if an I/O operation is using a view's memory: nothing is revoked or
     *                               released, no new view can be made, and a later close completes the job; or
     *                               a release threw (every other hold is still released; the first failure is
     *                               thrown, the rest suppressed)
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            synchronized (this) {
                if (state == CLOSED) {
                    return;
                }
                state = REVOKING;
            }
            try {
                arena.close();
            } catch (IllegalStateException inUse) {
                throw new IllegalStateException("cannot revoke the views of " + this + " while an I/O operation "
                        + "uses one (" + inUse.getMessage() + "); close again once it completes", inUse);
            }
            Throwable failure = null;
            synchronized (this) { // held to the end: a view's close waits, so none is still releasing when we return
                state = CLOSED;
                View views = first;
                first = null;
                liveViews = 0;
                for (View v = views; v != null; v = v.next) {
                    if (v.claim()) {
                        try {
                            v.hold.release();
                        } catch (RuntimeException | Error e) { // release the others first, Errors included
                            if (failure == null) {
                                failure = e;
                            } else {
                                failure.addSuppressed(e);
                            }
                        }
                    }
                }
            }
            region.detach(this);
            if (failure instanceof Error error) {
                throw error;
            }
            if (failure != null) {
                throw (RuntimeException) failure;
            }
        }
    }

    @Override
    public String toString() {
        int s = state;
        return "WindowGroup[" + (s == OPEN ? "open" : s == REVOKING ? "revoking" : "closed") + ", windows of "
                + windowSize + " bytes over " + region + "]";
    }

    /**
     * One view: a slice of a window, holding its {@link Hold} until it or its group closes. {@link #close()}
     * releases the hold once, whichever of the view and its group gets there first, and from then on
     * {@link #segment()} throws; the memory behind a segment obtained earlier is revoked by the group's close.
     */
    public static final class View implements AutoCloseable {

        private static final VarHandle OPEN_FLAG;

        static {
            try {
                OPEN_FLAG = MethodHandles.lookup().findVarHandle(View.class, "open", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final WindowGroup group;
        private final long offset;
        private final MemorySegment segment;
        private final Hold hold;
        @SuppressWarnings("unused") // through OPEN_FLAG
        private volatile boolean open = true;
        private View prev; // guarded by the group's lock
        private View next; // guarded by the group's lock

        private View(WindowGroup group, long offset, MemorySegment segment, Hold hold) {
            this.group = group;
            this.offset = offset;
            this.segment = segment;
            this.hold = hold;
        }

        /**
         * {@return the view's bytes, in the group's arena}
         *
         * @throws IllegalStateException if the view (or its group) is closed
         */
        public MemorySegment segment() {
            if (!isOpen()) {
                throw new IllegalStateException(this + " is closed: map the range again in an open group");
            }
            return segment;
        }

        /** {@return the region byte offset of the view's first byte} */
        public long offset() {
            return offset;
        }

        /** {@return the bytes in the view} */
        public long byteSize() {
            return segment.byteSize();
        }

        /** {@return the group whose close revokes this view} */
        public WindowGroup group() {
            return group;
        }

        /** {@return whether the view still holds its hold} */
        public boolean isOpen() {
            return (boolean) OPEN_FLAG.getVolatile(this);
        }

        /** Releases the hold, once; safe against a concurrent close of the group (exactly one releases). */
        @Override
        public void close() {
            group.closeView(this);
        }

        /** Marks the view closed; true for the one caller that then owes the hold its release. */
        private boolean claim() {
            return OPEN_FLAG.compareAndSet(this, true, false);
        }

        @Override
        public String toString() {
            return "View[[" + offset + ", " + offset + " + " + segment.byteSize() + ") of " + group.region
                    + (isOpen() ? "" : ", closed") + "]";
        }
    }
}
