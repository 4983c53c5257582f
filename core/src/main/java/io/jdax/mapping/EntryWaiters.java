package io.jdax.mapping;

import io.jdax.wait.SleepCallback;
import io.jdax.wait.WaitTable;

import java.util.function.BooleanSupplier;

/**
 * Threads waiting for an entry lock, keyed by (mapping id, first index of the entry) (kernel:
 * {@code wait_table} of fs/dax.c, 4096 hashed queues, and {@code dax_wake_entry}). The key packs the id's 24
 * bits above the index's 39 into one long, one to one, so two entries never share a key and a wake for one
 * never lands on a waiter of another.
 *
 * <p>A waiter tests its condition under the mapping's lock and releases that lock only inside the sleep (the
 * {@link SleepCallback}); a waker changes the entry under the same lock and wakes after. So a waiter either
 * sees the entry changed, or is queued before the waker looks: no wake is lost (kernel-semantics section 3).
 * {@link #wakeNext} may wake more than one waiter; each re-tests its condition under the lock and sleeps again
 * if it lost the race, so extra wakes cost time, never correctness, and a wake passed on by a waiter that did
 * not use it ({@code put_unlocked_entry}) is never lost.
 */
final class EntryWaiters {

    /** The kernel's {@code DAX_WAIT_TABLE_ENTRIES}. */
    static final int BUCKETS = 4096;

    private final WaitTable table = new WaitTable(BUCKETS);

    static long key(long mappingId, long index) {
        assert mappingId > 0 && mappingId <= Mapping.MAX_MAPPING_ID && index >= 0 && index <= Mapping.MAX_INDEX;
        return mappingId << Long.numberOfTrailingZeros(Mapping.MAX_INDEX + 1) | index;
    }

    /** Waits, ignoring interrupts, until {@code condition} holds (kernel: {@code TASK_UNINTERRUPTIBLE}). */
    void await(long mappingId, long index, BooleanSupplier condition, SleepCallback relock) {
        table.awaitUninterruptibly(key(mappingId, index), condition, relock);
    }

    /** Kernel: {@code dax_wake_entry(..., WAKE_NEXT)}. */
    void wakeNext(long mappingId, long index) {
        table.wakeAll(key(mappingId, index));
    }

    /** Kernel: {@code dax_wake_entry(..., WAKE_ALL)}. */
    void wakeAll(long mappingId, long index) {
        table.wakeAll(key(mappingId, index));
    }

    int waiters(long mappingId, long index) {
        return table.waitersOn(key(mappingId, index));
    }
}
