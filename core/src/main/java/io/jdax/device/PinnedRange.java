package io.jdax.device;

import io.jdax.page.PageMap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One pin on every folio that a byte range of a page map touches, released together, exactly once, by
 * {@link #close()} (kernel: the pages of a {@code pin_user_pages} call, and {@code unpin_user_pages} over them).
 * A pin is I/O in flight: unlike a view it cannot be revoked, and a device refuses to close while one is held.
 *
 * <p>The handle stores no per-folio array, only the first head and the folio count: pinned folios cannot be
 * split (a split needs refcount 0), so the folios of the range are the same when it is unpinned, and the walk
 * that pinned them is simply repeated. Holding a 1 GiB range at order 0 (262,144 folios) thus costs this
 * object and nothing else.
 *
 * <p>Safe to share between threads; {@link #close()} may race with itself and unpins once.
 */
public final class PinnedRange implements AutoCloseable {

    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(PinnedRange.class, "held", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PageMap map;
    private final DeviceDax owner; // told when the range is unpinned; null for a range of a bare page map
    private final long offset;
    private final long length;
    private final long firstHead;
    private final long folioCount;
    private final boolean longTerm;
    @SuppressWarnings("unused") // through HELD
    private volatile boolean held = true;

    private PinnedRange(PageMap map, DeviceDax owner, long offset, long length, long firstHead, long folioCount,
                        boolean longTerm) {
        this.map = map;
        this.owner = owner;
        this.offset = offset;
        this.length = length;
        this.firstHead = firstHead;
        this.folioCount = folioCount;
        this.longTerm = longTerm;
    }

    /**
     * Pins every folio that {@code [offset, offset + length)} of {@code map}'s region touches, each once, with
     * {@link DeviceFolios#pin}: a referenced folio is pinned directly; an idle folio of a device map is faulted
     * in first; an idle folio of another kind of map fails the call. If any folio cannot be pinned, those
     * already pinned are unpinned before the exception propagates: nothing leaks and the counts are as before.
     *
     * <p>Costs a handful of atomic operations per folio: a 1 GiB range is 262,144 folios at order 0, 512 at
     * the PMD order and one at the PUD order.
     *
     * @param longTerm a pin that may be held indefinitely (kernel: {@code FOLL_LONGTERM}); refused on a
     *                 {@link PageMap.Kind#DAX dax} map, whose folios must become idle for truncate
     * @throws IllegalArgumentException  if {@code length <= 0}, or a long-term pin is asked of a dax map
     * @throws IndexOutOfBoundsException if the range is outside the region
     * @throws IllegalStateException     if a folio cannot be pinned (idle on a non-device map, or its count
     *                                   would overflow), or the map is closed
     */
    public static PinnedRange pin(PageMap map, long offset, long length, boolean longTerm) {
        Objects.requireNonNull(map, "map");
        checkRange(map, offset, length);
        return pinChecked(map, null, offset, length, longTerm);
    }

    /** Throws unless {@code [offset, offset + length)} is a non-empty range of {@code map}'s region. */
    static void checkRange(PageMap map, long offset, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("pin length must be positive: " + length + " (at offset " + offset
                    + ")");
        }
        long size = map.region().byteSize();
        if (offset < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("pin range [" + offset + ", " + offset + " + " + length
                    + ") is outside the region of " + size + " bytes");
        }
    }

    /** The pin walk; the caller has checked the range. */
    static PinnedRange pinChecked(PageMap map, DeviceDax owner, long offset, long length, boolean longTerm) {
        int shift = map.pageShift();
        long pfn = offset >>> shift;
        long endPfn = ((offset + length - 1) >>> shift) + 1;
        long firstHead = PageMap.NO_FOLIO;
        long pinned = 0;
        try {
            while (pfn < endPfn) {
                long head = DeviceFolios.pin(map, pfn, longTerm);
                if (pinned++ == 0) {
                    firstHead = head; // the first pfn may be a tail: the range starts inside a folio
                }
                pfn = head + map.nrPages(head); // read under our pin: the folio cannot split now
            }
        } catch (RuntimeException | Error e) {
            try {
                unpinFolios(map, firstHead, pinned);
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return new PinnedRange(map, owner, offset, length, firstHead, pinned, longTerm);
    }

    /**
     * Unpins {@code count} consecutive folios from {@code head}, all of them even if one fails (which only a
     * misuse elsewhere, an unpin nobody pinned, can cause); the first failure is thrown afterwards.
     */
    private static void unpinFolios(PageMap map, long head, long count) {
        RuntimeException failure = null;
        for (long i = 0; i < count; i++) {
            long next = head + map.nrPages(head); // before the unpin: afterwards the folio may be split
            try {
                map.pins().unpin(head);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
            head = next;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The page map whose folios are pinned. */
    public PageMap map() {
        return map;
    }

    /** First byte of the range asked for (the first folio may start before it). */
    public long offset() {
        return offset;
    }

    /** Bytes in the range asked for. */
    public long length() {
        return length;
    }

    /** Head pfn of the first folio pinned. */
    public long firstHead() {
        return firstHead;
    }

    /** Folios pinned: each folio the range touches, once. */
    public long folioCount() {
        return folioCount;
    }

    /** Whether the pins are long-term ({@code FOLL_LONGTERM}). */
    public boolean longTerm() {
        return longTerm;
    }

    /** Whether the pins are still held. */
    public boolean isHeld() {
        return (boolean) HELD.getVolatile(this);
    }

    /**
     * Unpins every folio, once; later calls do nothing. If the page map was closed meanwhile (its region
     * closed under the pins), its descriptors are gone and there is nothing left to unpin.
     *
     * @throws IllegalStateException if an unpin found no pin to release (someone unpinned these folios
     *                               directly); every other folio is still unpinned
     */
    @Override
    public void close() {
        if (!HELD.compareAndSet(this, true, false)) {
            return;
        }
        try {
            if (map.isOpen()) {
                unpinFolios(map, firstHead, folioCount);
            }
        } finally {
            if (owner != null) {
                owner.rangeUnpinned();
            }
        }
    }

    @Override
    public String toString() {
        return "PinnedRange[[" + offset + ", " + offset + " + " + length + "), " + folioCount + " folios from pfn "
                + firstHead + (longTerm ? ", long-term" : "") + (isHeld() ? "" : ", unpinned") + "]";
    }
}
