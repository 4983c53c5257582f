package io.jdax.page;

import static io.jdax.internal.PageDescriptor.refcount;

import io.jdax.wait.SleepCallback;
import io.jdax.wait.WaitTable;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a dax map's folios to become idle (kernel: {@code wait_page_idle} /
 * {@code wait_page_idle_uninterruptible} over {@code wait_var_event}, woken by the {@code wake_up_var} of the
 * last put). The wait key is the head pfn. The condition reads the refcount with a volatile load after the
 * waiter is queued, and the last put's atomic decrement comes before its waiter check: the two halves of
 * {@link WaitTable}'s ordering contract.
 */
final class IdleWaits {

    private final PageMap map;
    private final MemorySegment memmap;
    private final WaitTable table = new WaitTable();

    IdleWaits(PageMap map) {
        this.map = map;
        this.memmap = map.memmap();
    }

    /** The last put of {@code head}, or an undone over-release that left it at 0: wake its waiters. */
    void wake(long head) {
        table.wakeAll(head);
    }

    void awaitUninterruptibly(long head, SleepCallback callback) {
        table.awaitUninterruptibly(checked(head), idle(head), callback);
    }

    void await(long head, SleepCallback callback) throws InterruptedException {
        try {
            table.await(checked(head), idle(head), callback);
        } catch (InterruptedException e) {
            throw closedOr(e);
        }
    }

    boolean await(long head, long timeout, TimeUnit unit, SleepCallback callback) throws InterruptedException {
        try {
            return table.await(checked(head), idle(head), timeout, unit, callback);
        } catch (InterruptedException e) {
            throw closedOr(e);
        }
    }

    /**
     * An interrupt that ends a wait on a map closed meanwhile reports the close: closing the descriptors'
     * shared arena can itself leave a thread reading them interrupted (seen on JDK 25), and the close is
     * what the waiter must learn of. The interrupt status is re-asserted for the caller to see.
     */
    private InterruptedException closedOr(InterruptedException e) {
        if (map.isOpen()) {
            return e;
        }
        Thread.currentThread().interrupt();
        try {
            map.checkOpen();
        } catch (IllegalStateException closed) {
            closed.addSuppressed(e);
            throw closed;
        }
        return e;
    }

    /** Wakes every waiter; those whose folio is still busy throw with {@code reason}. */
    void close(String reason) {
        table.close(reason);
    }

    int waitersOn(long head) {
        return table.waitersOn(checked(head));
    }

    private long checked(long head) {
        map.checkPfn(head);
        map.requireNotTail(head); // the wait key must be the head
        return head;
    }

    private BooleanSupplier idle(long head) {
        return () -> {
            map.checkOpen();
            try {
                return refcount(memmap, head) == 0;
            } catch (IllegalStateException descriptorsFreed) { // the map closed after the check above
                map.checkOpen();
                throw descriptorsFreed;
            }
        };
    }
}
