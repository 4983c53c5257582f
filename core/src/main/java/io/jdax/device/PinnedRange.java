package io.jdax.device;

import io.jdax.page.FaultIn;
import io.jdax.page.PageMap;
import io.jdax.page.RangePins;

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
 * <p>Built on {@link RangePins} with the {@link FaultIn#DEVICE_IDLE} fault-in step. Closing races the close of
 * the device and of the region cleanly: a device refuses to close while the range is held, and a region that
 * closes under the pins takes the page map with them, after which {@link #close()} has nothing left to unpin
 * and returns normally.
 *
 * <p>Safe to share between threads; {@link #close()} may race with itself and unpins once.
 */
public final class PinnedRange implements AutoCloseable {

    private final RangePins pins;

    private PinnedRange(RangePins pins) {
        this.pins = pins;
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
     * @param map      the page map whose folios to pin; not null
     * @param offset   first byte of the range in the map's region, {@code >= 0}
     * @param length   bytes in the range, {@code >= 1}, ending inside the region
     * @param longTerm a pin that may be held indefinitely (kernel: {@code FOLL_LONGTERM}); refused on a
     *                 {@link PageMap.Kind#DAX dax} map, whose folios must become idle for truncate
     * @return the pins, held until {@link #close()}
     * @throws IllegalArgumentException  if {@code length <= 0}, or a long-term pin is asked of a dax map
     * @throws IndexOutOfBoundsException if the range is outside the region
     * @throws IllegalStateException     if a folio cannot be pinned (idle on a non-device map, or its count
     *                                   would overflow), or the map is closed
     */
    public static PinnedRange pin(PageMap map, long offset, long length, boolean longTerm) {
        Objects.requireNonNull(map, "map");
        return new PinnedRange(RangePins.pin(map, offset, length, longTerm, FaultIn.DEVICE_IDLE));
    }

    /** Throws unless {@code [offset, offset + length)} is a non-empty range of {@code map}'s region. */
    static void checkRange(PageMap map, long offset, long length) {
        RangePins.checkRange(map, offset, length);
    }

    /** The pin walk for a device; the caller has checked the range, and is told when the range is unpinned. */
    static PinnedRange pinChecked(PageMap map, DeviceDax owner, long offset, long length, boolean longTerm) {
        return new PinnedRange(RangePins.pin(map, offset, length, longTerm, FaultIn.DEVICE_IDLE,
                owner::rangeUnpinned));
    }

    /** {@return the page map whose folios are pinned} */
    public PageMap map() {
        return pins.map();
    }

    /** {@return the first byte of the range asked for} The first folio may start before it. */
    public long offset() {
        return pins.offset();
    }

    /** {@return the bytes in the range asked for} */
    public long length() {
        return pins.length();
    }

    /** {@return the head pfn of the first folio pinned} */
    public long firstHead() {
        return pins.firstHead();
    }

    /** {@return the folios pinned: each folio the range touches, once} */
    public long folioCount() {
        return pins.folioCount();
    }

    /** {@return whether the pins are long-term ({@code FOLL_LONGTERM})} */
    public boolean longTerm() {
        return pins.longTerm();
    }

    /** {@return whether the pins are still held, that is {@link #close()} has not run} */
    public boolean isHeld() {
        return pins.isHeld();
    }

    /**
     * Unpins every folio, once; later calls do nothing. If the page map was closed meanwhile, or closes during
     * the unpin (its region closed under the pins), its descriptors are gone and there is nothing left to
     * unpin: this returns normally.
     *
     * @throws IllegalStateException if an unpin found no pin to release (someone unpinned these folios
     *                               directly); every other folio is still unpinned
     */
    @Override
    public void close() {
        pins.close();
    }

    @Override
    public String toString() {
        return "PinnedRange[[" + pins.offset() + ", " + pins.offset() + " + " + pins.length() + "), "
                + pins.folioCount() + " folios from pfn " + pins.firstHead() + (pins.longTerm() ? ", long-term" : "")
                + (pins.isHeld() ? "" : ", unpinned") + "]";
    }
}
