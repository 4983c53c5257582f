package io.jdax.page;

import static io.jdax.internal.PageDescriptor.compareAndExchangeRefcount;
import static io.jdax.internal.PageDescriptor.getAndAddRefcount;
import static io.jdax.internal.PageDescriptor.entireMapcount;
import static io.jdax.internal.PageDescriptor.info;
import static io.jdax.internal.PageDescriptor.isHead;
import static io.jdax.internal.PageDescriptor.mapcount;
import static io.jdax.internal.PageDescriptor.isTail;
import static io.jdax.internal.PageDescriptor.link;
import static io.jdax.internal.PageDescriptor.refcount;
import static io.jdax.page.PageMap.MAX_REFCOUNT;

import io.jdax.internal.PageDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.function.LongConsumer;

/**
 * The refcount arithmetic behind {@link PageMap}'s reference operations (kernel: page_ref.h). Every add is
 * one checked compare-and-set loop, so a refused add never shows its count to anyone; a single put is one
 * atomic decrement, undone before it throws. Callers have range-checked the pfn and the count.
 */
final class FolioRefs {

    // what add() does at a count of 0
    static final int HELD = 0;      // the caller must hold a reference: throw
    static final int TRY = 1;       // report false
    static final int FROM_IDLE = 2; // the legal 0 -> 1 of an owner (kernel: folio_ref_inc under the entry lock)
    static final int POOL_INC = 3;  // throw, naming the pool rule (0 means free there)

    private static final VarHandle PLAIN_INT = ValueLayout.JAVA_INT.varHandle();

    private final PageMap map;
    private final MemorySegment memmap;
    private final FolioReleaser releaser;
    private final IdleWaits idleWaiters;
    /** Pool maps take every reference by compare-and-set: there a count seen at 0 means free. */
    private final boolean casOnly;
    /** Tests: run with the head between {@link #drop}'s checks and its compare-and-set, to race it there. */
    LongConsumer beforeDropExchange;

    FolioRefs(PageMap map, MemorySegment memmap, FolioReleaser releaser, IdleWaits idleWaiters) {
        this.map = map;
        this.memmap = memmap;
        this.releaser = releaser;
        this.idleWaiters = idleWaiters;
        this.casOnly = releaser != null;
    }

    /**
     * {@code folio_get}: the caller holds a reference, so the count is at least 1 and stays so while it holds
     * it. A dax or device map adds with one atomic add after a plain check (the kernel's folio_get is one
     * add), undone before throwing if the add found the count at 0 (a get racing the last put: the caller held
     * no reference) or near overflow; the undo wakes idle waiters that saw the transient 1. A pool map, whose
     * allocator may hand a folio out the instant its count is 0, takes the compare-and-set path.
     */
    void get(long head) {
        // a plain read: only a filter, so that a get after the last put is refused without a transient count
        // (the add below decides, whatever this read saw); plain, so the JIT may fold its checks into the add's
        int c = (int) PLAIN_INT.get(memmap, PageDescriptor.offset(head) + PageDescriptor.REFCOUNT_OFFSET);
        if (casOnly || c <= 0 || c > MAX_REFCOUNT - 1) {
            add(head, 1, HELD); // throws with the count it sees, or succeeds if it was a transient value
            return;
        }
        int old = getAndAddRefcount(memmap, head, 1);
        if (old > 0 && old <= MAX_REFCOUNT - 1) {
            return;
        }
        if (getAndAddRefcount(memmap, head, -1) == 1 && old == 0 && idleWaiters != null) {
            idleWaiters.wake(head);
        }
        throw old <= 0 ? RefcountException.idleGet(head, old, tailOf(head)) : RefcountException.overflow(head, old, 1);
    }

    boolean add(long head, int n, int atZero) {
        int c = refcount(memmap, head);
        for (;;) {
            if (c <= 0 && (c < 0 || atZero != FROM_IDLE)) {
                if (atZero == TRY) {
                    return false;
                }
                throw c < 0 && atZero != HELD ? RefcountException.corrupt(head, c)
                        : atZero == POOL_INC ? RefcountException.poolIncRef(head, c)
                        : RefcountException.idleGet(head, c, tailOf(head));
            }
            if (c > MAX_REFCOUNT - n) {
                throw RefcountException.overflow(head, c, n);
            }
            int witness = compareAndExchangeRefcount(memmap, head, c, c + n);
            if (witness == c) {
                return true;
            }
            c = witness;
        }
    }

    boolean put(long head) {
        int old = getAndAddRefcount(memmap, head, -1);
        if (old > 1) {
            return false;
        }
        if (old == 1) {
            int mapped = mapped(head);
            if (mapped != 0) { // every mapping holds a reference: this put dropped one a mapping owns
                getAndAddRefcount(memmap, head, 1);
                throw RefcountException.belowMapcount(head, old, 1, mapped);
            }
            lastPut(head);
            return true;
        }
        // undo, so the count is left as it was; an idle waiter that saw the transient -1 went to sleep and
        // nobody else will wake it: the undo does, when it brings the count back to 0
        if (getAndAddRefcount(memmap, head, 1) == -1 && idleWaiters != null) {
            idleWaiters.wake(head);
        }
        throw RefcountException.underflow(head, old, 1, tailOf(head));
    }

    /**
     * Drops {@code n} references with a compare-and-set, so that dropping more than there are never shows a
     * negative count to anyone, not even for an instant; shared with the order-0 unpin, which reports its own
     * misuse.
     */
    boolean drop(long head, int n, boolean unpin) {
        int c = refcount(memmap, head);
        for (;;) {
            if (c < n) {
                throw unpin ? RefcountException.unpinWithoutPin(head, c, n)
                        : RefcountException.underflow(head, c, n, tailOf(head));
            }
            // read after the count, every round: a mapping goes away by dropping its map count, then its
            // reference, so a count that fell since the last round may have fallen because a mapping left;
            // the map count read now, after that count, has seen it leave. A map count read before would
            // still count the mapping and refuse a legal drop.
            int mapped = mapped(head);
            if (c - n < mapped) {
                throw RefcountException.belowMapcount(head, c, n, mapped);
            }
            LongConsumer hook = beforeDropExchange;
            if (hook != null) {
                hook.accept(head);
            }
            int witness = compareAndExchangeRefcount(memmap, head, c, c - n);
            if (witness == c) {
                break;
            }
            c = witness;
        }
        if (c == n) {
            lastPut(head);
            return true;
        }
        return false;
    }

    /**
     * The count just reached 0. The atomic update that got here is a volatile write, so the wake below reads
     * the waiter count after it: the waker half of {@link io.jdax.wait.WaitTable}'s ordering contract, free.
     */
    private void lastPut(long head) {
        // by final fields, not a switch on the kind: this runs on every last put
        if (idleWaiters != null) {
            idleWaiters.wake(head);         // DAX: kernel wake_up_var(&folio->page)
        } else if (releaser != null) {
            releaser.release(map, head);    // POOL: kernel pgmap->ops->page_free
        }                                   // DEVICE: nothing
    }

    /** Map count of the folio headed at {@code head}: its own, or page[1]'s entire mapcount if large. */
    private int mapped(long head) {
        return isHead(info(memmap, head)) ? entireMapcount(memmap, head) : mapcount(memmap, head);
    }

    /** The head of {@code pfn}'s folio if it is a tail page, else -1: for messages. */
    private long tailOf(long pfn) {
        long info = info(memmap, pfn);
        return isTail(info) ? link(info) : -1;
    }
}
