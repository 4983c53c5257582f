package io.jdax.mapping;

import io.jdax.wait.SleepCallback;
import io.jdax.wait.WaitTable;

import java.util.function.BooleanSupplier;

/**
 * Threads waiting for an entry lock, keyed by the pair (mapping id, first index of the entry) (kernel:
 * {@code wait_table} of fs/dax.c, 4096 hashed queues, {@code wait_entry_unlocked_exclusive} and
 * {@code dax_wake_entry}). The table compares both halves of a key, so a wake for one entry never lands on a
 * waiter of another, and a wake-one is never eaten by a colliding key.
 *
 * <p>Waiters are exclusive and an unlock wakes one of them ({@code WAKE_NEXT}); deleting an entry wakes all
 * ({@code WAKE_ALL}). A waiter tests its condition under the mapping's lock and releases that lock only inside
 * the sleep (the {@link SleepCallback}); a waker changes the entry under the same lock and wakes after. So a
 * waiter either sees the entry changed, or is queued before the waker looks: no wake is lost
 * (kernel-semantics section 3). A waiter that returns and then does not lock the entry it waited for passes
 * its wake on with {@link #wakeNext} (kernel: {@code put_unlocked_entry}).
 */
final class EntryWaiters {

    /** The kernel's {@code DAX_WAIT_TABLE_ENTRIES}. */
    static final int BUCKETS = 4096;

    private final WaitTable table = new WaitTable(BUCKETS);

    /** Waits as an exclusive waiter, ignoring interrupts, until {@code condition} holds. */
    void await(long mappingId, long index, BooleanSupplier condition, SleepCallback relock) {
        table.awaitExclusive(mappingId, index, condition, relock);
    }

    /** Kernel: {@code dax_wake_entry(..., WAKE_NEXT)}. */
    void wakeNext(long mappingId, long index) {
        table.wakeOne(mappingId, index);
    }

    /** Kernel: {@code dax_wake_entry(..., WAKE_ALL)}. */
    void wakeAll(long mappingId, long index) {
        table.wakeAll(mappingId, index);
    }

    int waiters(long mappingId, long index) {
        return table.waitersOn(mappingId, index);
    }
}
