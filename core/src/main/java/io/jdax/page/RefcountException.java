package io.jdax.page;

/**
 * A reference-count misuse (kernel: the {@code VM_BUG_ON_FOLIO} checks of page_ref.h): a get at 0 (use after
 * the last put), a put at 0 (more puts than gets), an add that would pass {@link PageMap#MAX_REFCOUNT}, a
 * reference taken on a tail page. The count is as it was before the call. Carries the pfn and the count the
 * call saw, so a caller can log or assert on them without parsing the message.
 *
 * <h2>What a racing misuse can do to others</h2>
 * A {@code get} on a dax or device map is one atomic add after a plain check (the kernel's {@code folio_get});
 * when it races the last put (its caller held no reference) it shows the count 1 for the instant before its
 * undo: a concurrent {@code tryGet} or {@code tryGetFolio} may then take a reference on the folio that just
 * went idle (an ordinary, balanced reference: the folio stays in place on these maps), and the undo wakes
 * idle waiters that saw the 1. On a pool map every add is a compare-and-set and never shows a refused count,
 * because a count of 0 there means the allocator may be handing the folio out. A single put at 0 is an
 * atomic decrement undone
 * at once, so the count reads -1 for that instant: a concurrent {@code tryGet} refuses counts {@code <= 0}
 * and cannot profit; an idle waiter that tests the count then goes to sleep, and the undo, bringing the count
 * back to 0, wakes it as a last put would. On a pool map, an allocator handing out that very folio in that
 * instant (the put's caller is using a freed folio) can be left with a count one too high: the folio leaks;
 * it is never handed out twice.
 */
public final class RefcountException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** The page the call named; serialized with the exception. */
    private final long pfn;
    /** The refcount the call saw; serialized with the exception. */
    private final int count;

    private RefcountException(long pfn, int count, String message) {
        super("pfn " + pfn + ": " + message);
        this.pfn = pfn;
        this.count = count;
    }

    /** {@return the page the call named: the head pfn, or the tail page a caller wrongly passed} */
    public long pfn() {
        return pfn;
    }

    /** {@return the refcount the call saw, before its own change (which was refused or undone)} */
    public int count() {
        return count;
    }

    static RefcountException idleGet(long pfn, int count, long tailOf) {
        return new RefcountException(pfn, count, "get with refcount " + count + (tailOf >= 0
                ? " (it is a tail page of folio " + tailOf + ": references are taken on the head)"
                : " (idle or freed: a get after the last put)"));
    }

    static RefcountException overflow(long pfn, int count, int n) {
        return new RefcountException(pfn, count, "refcount " + count + " + " + n + " would pass the limit "
                + PageMap.MAX_REFCOUNT);
    }

    static RefcountException underflow(long pfn, int count, int n, long tailOf) {
        return new RefcountException(pfn, count, "put of " + n + " with refcount " + count
                + (tailOf >= 0 ? " (it is a tail page of folio " + tailOf + ")" : " (more puts than gets)"));
    }

    static RefcountException belowMapcount(long pfn, int count, int n, int mapcount) {
        return new RefcountException(pfn, count, "put of " + n + " with refcount " + count + " would leave fewer"
                + " references than the folio's mapcount " + mapcount + ": every mapping holds one (unmap first)");
    }

    static RefcountException unpinWithoutPin(long pfn, int count, int n) {
        return new RefcountException(pfn, count, "unpin with refcount " + count + " < " + n + ": no pin is held");
    }

    static RefcountException corrupt(long pfn, int count) {
        return new RefcountException(pfn, count, "refcount is " + count
                + " (negative: a put at 0 by another caller is undoing itself)");
    }

    static RefcountException poolIncRef(long pfn, int count) {
        return new RefcountException(pfn, count, "incRef with refcount " + count + " on a pool map: refcount 0 "
                + "means free there, and only its allocator moves a folio out of idle (allocate a buffer instead)");
    }
}
