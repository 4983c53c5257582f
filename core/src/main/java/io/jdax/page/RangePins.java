package io.jdax.page;

import static io.jdax.page.PageMap.NO_FOLIO;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One pin on every folio that a byte range of a page map touches, released together, exactly once, by
 * {@link #close()} (kernel: the pages of a {@code pin_user_pages} call, and {@code unpin_user_pages} over
 * them). A pin is I/O in flight: it cannot be revoked, only waited for.
 *
 * <p>Each folio is pinned once, however many of its pages the range covers: a referenced folio directly
 * (kernel: {@code gup_fast}), an idle one through the caller's {@link FaultIn} step, which returns it with a
 * temporary reference that is dropped once the pin is taken. The handle stores no per-folio array, only the
 * first head and the folio count: pinned folios cannot be split (a split needs refcount 0), so the walk that
 * pinned them is repeated to unpin.
 *
 * <p>Closing races the close of the page map (its region closing under the pins): the map's descriptors,
 * and every pin in them, are then gone, and {@code close()} returns normally with nothing left to unpin.
 *
 * <p>Safe to share between threads; {@link #close()} may race with itself and unpins once.
 */
public final class RangePins implements AutoCloseable {

    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(RangePins.class, "held", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final PageMap map;
    private final long offset;
    private final long length;
    private final long firstHead;
    private final long folioCount;
    private final boolean longTerm;
    private final Runnable onUnpin;
    @SuppressWarnings("unused") // through HELD
    private volatile boolean held = true;

    private RangePins(PageMap map, long offset, long length, long firstHead, long folioCount, boolean longTerm,
                      Runnable onUnpin) {
        this.map = map;
        this.offset = offset;
        this.length = length;
        this.firstHead = firstHead;
        this.folioCount = folioCount;
        this.longTerm = longTerm;
        this.onUnpin = onUnpin;
    }

    /**
     * {@link #pin(PageMap, long, long, boolean, FaultIn, Runnable)} with nothing to tell on unpin; it fails in
     * the same ways.
     *
     * @param map      the page map whose folios to pin
     * @param offset   first byte of the range in the map's region, {@code >= 0}
     * @param length   bytes in the range, {@code >= 1}, ending inside the region
     * @param longTerm a pin that may be held indefinitely (kernel: {@code FOLL_LONGTERM}); refused on a dax map
     * @param faultIn  what to do with an idle folio
     * @return the pins, held until {@link #close()}
     */
    public static RangePins pin(PageMap map, long offset, long length, boolean longTerm, FaultIn faultIn) {
        return pin(map, offset, length, longTerm, faultIn, null);
    }

    /**
     * Pins every folio that {@code [offset, offset + length)} of {@code map}'s region touches, each once. If any
     * folio cannot be pinned, those already pinned are unpinned before the exception propagates ({@code Error}s
     * included): nothing leaks and the counts are as before.
     *
     * @param map      the page map whose folios to pin; not null
     * @param offset   first byte of the range in the map's region, {@code >= 0}
     * @param length   bytes in the range, {@code >= 1}, ending inside the region
     * @param longTerm a pin that may be held indefinitely (kernel: {@code FOLL_LONGTERM}); refused on a
     *                 {@link PageMap.Kind#DAX dax} map, whose folios must become idle for truncate
     * @param faultIn  what to do with an idle folio; not null ({@link FaultIn#REFUSE}, {@link FaultIn#DEVICE_IDLE}, or
     *                 the owning layer's own)
     * @param onUnpin  run once after the folios are unpinned (or found gone with their map), for an owner's
     *                 accounting; may be null
     * @return the pins, held until {@link #close()}
     * @throws IllegalArgumentException  if {@code length <= 0}, or a long-term pin is asked of a dax map
     * @throws IndexOutOfBoundsException if the range is outside the region
     * @throws IllegalStateException     if a folio cannot be pinned (the fault-in step refused it, or a count
     *                                   would overflow), or the map is closed
     */
    public static RangePins pin(PageMap map, long offset, long length, boolean longTerm, FaultIn faultIn,
                                Runnable onUnpin) {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(faultIn, "faultIn");
        checkRange(map, offset, length);
        int shift = map.pageShift();
        long pfn = offset >>> shift;
        long endPfn = ((offset + length - 1) >>> shift) + 1; // checked: offset + length <= region size
        long firstHead = NO_FOLIO;
        long pinned = 0;
        try {
            while (pfn < endPfn) {
                long head = pinFolio(map, pfn, longTerm, faultIn);
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
        return new RangePins(map, offset, length, firstHead, pinned, longTerm, onUnpin);
    }

    /**
     * Pins the folio containing {@code pfn}: directly if it is referenced, else through {@code faultIn}
     * (temporary reference, pin, put).
     *
     * @param map      the page map
     * @param pfn      any page of the folio, in {@code [0, map.nrPages())}
     * @param longTerm a pin that may be held indefinitely; refused on a dax map
     * @param faultIn  what to do if the folio is idle
     * @return the head pfn of the pinned folio, for {@link FolioPins#unpin}
     * @throws IllegalArgumentException if a long-term pin is asked of a dax map
     * @throws IllegalStateException    if {@code faultIn} refuses the idle folio or a count would overflow
     */
    public static long pinFolio(PageMap map, long pfn, boolean longTerm, FaultIn faultIn) {
        FolioPins pins = map.pins();
        long head = pins.tryPin(pfn, longTerm);
        if (head != NO_FOLIO) {
            return head;
        }
        long present = faultIn.faultIn(map, pfn);
        try {
            // under the temporary reference the folio cannot become idle or split: the pin cannot fail for that
            return pins.pin(present, longTerm);
        } finally {
            map.put(present);
        }
    }

    /**
     * Throws unless {@code [offset, offset + length)} is a non-empty range of {@code map}'s region; checked
     * without overflow.
     *
     * @param map    the page map whose region bounds the range
     * @param offset first byte of the range
     * @param length bytes in the range
     * @throws IllegalArgumentException  if {@code length <= 0}
     * @throws IndexOutOfBoundsException if the range is not inside the region
     */
    public static void checkRange(PageMap map, long offset, long length) {
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

    /** {@return the page map whose folios are pinned} */
    public PageMap map() {
        return map;
    }

    /** {@return the first byte of the range asked for} The first folio may start before it. */
    public long offset() {
        return offset;
    }

    /** {@return the bytes in the range asked for} */
    public long length() {
        return length;
    }

    /** {@return the head pfn of the first folio pinned} */
    public long firstHead() {
        return firstHead;
    }

    /** {@return the folios pinned: each folio the range touches, once} */
    public long folioCount() {
        return folioCount;
    }

    /** {@return whether the pins are long-term ({@code FOLL_LONGTERM})} */
    public boolean longTerm() {
        return longTerm;
    }

    /** {@return whether the pins are still held, that is {@link #close()} has not run} */
    public boolean isHeld() {
        return (boolean) HELD.getVolatile(this);
    }

    /**
     * Unpins every folio, once; later calls do nothing. If the page map is closed, before or during the unpin
     * (its region closed under the pins), its descriptors are gone with every pin in them: nothing is left to
     * unpin and this returns normally.
     *
     * @throws IllegalStateException if an unpin found no pin to release on an open map (someone unpinned these
     *                               folios directly); every other folio is still unpinned
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
        } catch (IllegalStateException e) {
            if (map.isOpen()) {
                throw e;
            }
            // the map closed under the unpin (a check-then-act on isOpen cannot exclude that): its descriptors
            // are gone, and so is every pin this range held
        } finally {
            if (onUnpin != null) {
                onUnpin.run();
            }
        }
    }

    @Override
    public String toString() {
        return "RangePins[[" + offset + ", " + offset + " + " + length + "), " + folioCount + " folios from pfn "
                + firstHead + (longTerm ? ", long-term" : "") + (isHeld() ? "" : ", unpinned") + "]";
    }
}
