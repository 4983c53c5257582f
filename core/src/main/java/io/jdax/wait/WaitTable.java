package io.jdax.wait;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A fixed number of hashed wait queues on which threads wait until a condition on a key holds (kernel:
 * {@code wait_var_event} / {@code wake_up_var} over the hashed table of kernel/sched/wait_bit.c, and the
 * exclusive entry waits of fs/dax.c: {@code dax_entry_waitqueue}, {@code wait_entry_unlocked_exclusive},
 * {@code dax_wake_entry}).
 *
 * <p>A key is a pair of {@code long}s, such as (mapping id, aligned page index); the single-key methods use
 * the pair {@code (key, 0)}. A key picks a bucket by hash; many keys share a bucket. Waiters carry their
 * whole key and every wake compares both halves, so a collision costs a little work under the bucket's lock
 * and never a wrong wake-up, nor a wake-one consumed by another key's waiter. Memory is bounded by the
 * bucket count; a waiter is one small node that lives while it waits; nothing is allocated on the wake path.
 *
 * <h2>Ordering contract: why no wake is lost</h2>
 * <ul>
 *   <li>Waker: the store that makes the condition true must be a volatile write (or be followed by one,
 *       e.g. an atomic read-modify-write) <em>before</em> calling a wake method, whose first action is a
 *       volatile read of the table's waiter count. The kernel needs a full barrier at this spot; a Java
 *       volatile write followed by a volatile read of another variable gives it.</li>
 *   <li>Waiter: enqueues itself (a volatile write of that count, under the bucket lock) <em>before</em>
 *       each test of the condition, which must read volatile state.</li>
 * </ul>
 * Both are in the one total order of volatile accesses, so either the waker sees the waiter counted and
 * unparks it, or the waiter sees the condition true and does not sleep. Waiters are counted twice: in the
 * whole table, and in their bucket. A waker reads the table's count first: when nobody waits anywhere,
 * the common case on a put path, that one load is all it pays (no hash, no array); otherwise the bucket's
 * count tells whether to take the bucket lock. A per-waiter {@code woken} flag, set before the unpark, keeps
 * a wake from being lost when a {@link SleepCallback} parks internally (taking a lock, say) and so consumes
 * the thread's park permit.
 *
 * <h2>Exclusive waiters and wake-one</h2>
 * An {@linkplain #awaitExclusive exclusive} waiter wants a resource only one thread may hold (an entry
 * lock). {@link #wakeOne} (kernel: {@code WAKE_NEXT}) hands the wake to the longest-waiting exclusive waiter
 * of the key that has no wake pending yet, and, as the kernel does, also wakes every non-exclusive waiter of
 * that key. A handed wake is <em>pending</em> until its waiter next tests its condition. The rules that keep
 * a wake-one from being lost:
 * <ul>
 *   <li>A waiter that tests its condition after the wake and finds it false has not lost anything: someone
 *       else took the resource after the release, and that holder's own release will wake again.</li>
 *   <li>A waiter that leaves with a wake still pending and its condition not seen true (an exception from
 *       its condition or callback) passes the wake on to the next exclusive waiter of
 *       its key, inside the table.</li>
 *   <li>A waiter whose condition held returns; the table counts the wake as used. If the caller then does
 *       not take the resource after all (the entry changed, say), it must pass the wake on itself by calling
 *       {@link #wakeOne} for the same key (kernel: {@code put_unlocked_entry}).</li>
 * </ul>
 *
 * <h2>Close</h2>
 * {@link #close(String)} wakes every waiter of every key; a waiter whose condition is still false then throws
 * {@link IllegalStateException} carrying the close's reason, and so does every later wait whose condition is
 * false (it is tested once first, so a wait for something that already happened still succeeds). Close and
 * enqueue are ordered like a wake and a wait: the closed mark is a volatile write before close reads the
 * waiter counts, and a waiter reads it after its enqueue, so no waiter can stay parked on a closed table.
 *
 * <p>Works with platform and virtual threads: waiting parks outside any monitor, and the bucket locks are
 * {@link ReentrantLock}s held only to link, unlink and wake nodes, so a parked virtual thread never pins
 * its carrier.
 */
public final class WaitTable {

    /** The kernel's table size for {@code wait_var_event}. */
    public static final int DEFAULT_BUCKETS = 256;
    /** The kernel's table size for dax entry waits ({@code DAX_WAIT_TABLE_ENTRIES}). */
    public static final int ENTRY_BUCKETS = 4096;

    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle WAITING;
    private static final VarHandle WAKE_PENDING;
    private static final VarHandle CLOSE_REASON;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            WAITING = lookup.findVarHandle(WaitTable.class, "waiting", int.class);
            WAKE_PENDING = lookup.findVarHandle(Waiter.class, "wakePending", boolean.class);
            CLOSE_REASON = lookup.findVarHandle(WaitTable.class, "closeReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Bucket[] buckets;
    /** Waiters per bucket: written under the bucket's lock, read lock-free by wakers. */
    private final int[] waiterCounts;
    /** Waiters in the whole table: changed atomically (buckets have different locks), read lock-free. */
    private volatile int waiting;
    /** Null while open; the reason given to the first {@link #close(String)}. */
    private volatile String closeReason;
    private final int hashShift;

    /** A FIFO of waiters, so that wake-one goes to the longest-waiting exclusive waiter. */
    private static final class Bucket {
        final ReentrantLock lock = new ReentrantLock();
        Waiter first; // guarded by lock
        Waiter last;  // guarded by lock
    }

    private static final class Waiter {
        final long key1;
        final long key2;
        final boolean exclusive;
        final Thread thread;
        Waiter prev;        // guarded by the bucket lock
        Waiter next;        // guarded by the bucket lock
        /** Set before every unpark; cleared by the waiter before each condition test. */
        volatile boolean woken;
        /** An exclusive wake handed to this waiter and not yet followed by a condition test. */
        volatile boolean wakePending;

        Waiter(long key1, long key2, boolean exclusive, Thread thread) {
            this.key1 = key1;
            this.key2 = key2;
            this.exclusive = exclusive;
            this.thread = thread;
        }

        boolean hasKey(long k1, long k2) {
            return key1 == k1 && key2 == k2;
        }
    }

    private enum Mode {
        UNINTERRUPTIBLE(false, false), INTERRUPTIBLE(true, false), TIMED(true, true),
        TIMED_UNINTERRUPTIBLE(false, true);

        final boolean interruptible;
        final boolean timed;

        Mode(boolean interruptible, boolean timed) {
            this.interruptible = interruptible;
            this.timed = timed;
        }
    }

    /** A table with {@link #DEFAULT_BUCKETS} buckets. */
    public WaitTable() {
        this(DEFAULT_BUCKETS);
    }

    /**
     * A table with {@code bucketCount} buckets: more buckets, fewer collisions, more memory.
     *
     * @param bucketCount a power of two from 1 to 65536
     * @throws IllegalArgumentException otherwise
     */
    public WaitTable(int bucketCount) {
        if (bucketCount < 1 || bucketCount > 1 << 16 || Integer.bitCount(bucketCount) != 1) {
            throw new IllegalArgumentException("bucket count must be a power of two in [1, 65536]: " + bucketCount);
        }
        buckets = new Bucket[bucketCount];
        for (int i = 0; i < bucketCount; i++) {
            buckets[i] = new Bucket();
        }
        waiterCounts = new int[bucketCount];
        hashShift = Long.SIZE - Integer.numberOfTrailingZeros(bucketCount);
    }

    /** {@return the number of buckets} */
    public int bucketCount() {
        return buckets.length;
    }

    /** {@return the bucket of {@code key}, the same as that of the pair {@code (key, 0)}}
     * @param key the key */
    public int bucketOf(long key) {
        return bucketOf(key, 0);
    }

    /**
     * {@return the bucket of the pair, in {@code [0, bucketCount())}} Kernel: {@code hash_long(mapping ^ index)},
     * but mixed so that (a, b) and (b, a) do not always collide; Fibonacci hashing, so nearby indices spread out.
     *
     * @param key1 first half of the key (a mapping id, say)
     * @param key2 second half of the key (an aligned index, say)
     */
    public int bucketOf(long key1, long key2) {
        long mixed = key1 + key2 * 0xC2B2AE3D27D4EB4FL;
        return hashShift == Long.SIZE ? 0 : (int) ((mixed * 0x9E3779B97F4A7C15L) >>> hashShift);
    }

    /**
     * {@return whether anyone waits in the bucket of {@code key}} One volatile load. True may mean a waiter on
     * a colliding key; false is exact under the ordering contract above.
     *
     * @param key  the key, the pair {@code (key, 0)}
     */
    public boolean hasWaiters(long key) {
        return hasWaiters(key, 0);
    }

    /**
     * {@return whether anyone waits in the bucket of the pair} As {@link #hasWaiters(long)}, for a pair.
     *
     * @param key1 first half of the key (a mapping id, say)
     * @param key2 second half of the key (an aligned index, say)
     */
    public boolean hasWaiters(long key1, long key2) {
        return waiting != 0 && (int) COUNTS.getVolatile(waiterCounts, bucketOf(key1, key2)) != 0;
    }

    /**
     * Wakes every thread waiting on {@code key}, and no other (kernel: {@code wake_up_var}). Call it after the
     * volatile store that made their condition true. When the key's bucket is empty this is one load.
     *
     * @param key  the key, the pair {@code (key, 0)}
     * @return how many waiters were unparked
     */
    public int wakeAll(long key) {
        if (waiting == 0) {
            return 0; // kept tiny so that it inlines into every last put; the rest is out of line
        }
        return wake(key, 0, true);
    }

    /**
     * Wakes every waiter, exclusive or not, on the pair (kernel: {@code dax_wake_entry(..., WAKE_ALL)}).
     *
     * @param key1 first half of the key (a mapping id, say)
     * @param key2 second half of the key (an aligned index, say)
     * @return how many waiters were unparked
     */
    public int wakeAll(long key1, long key2) {
        return waiting == 0 ? 0 : wake(key1, key2, true);
    }

    /**
     * Wakes the longest-waiting exclusive waiter on the pair that has no wake pending, plus every non-exclusive
     * waiter on it (kernel: {@code dax_wake_entry(..., WAKE_NEXT)}, whose wait queue wakes all non-exclusive
     * entries and one exclusive one). Waiters of other keys in the bucket are skipped, whatever their position.
     * Call it after the volatile store that released the resource; also call it to pass on a wake that an
     * exclusive waiter's return consumed but its caller did not use (kernel: {@code put_unlocked_entry}).
     *
     * @param key1 first half of the key (a mapping id, say)
     * @param key2 second half of the key (an aligned index, say)
     * @return whether any waiter was unparked
     */
    public boolean wakeOne(long key1, long key2) {
        return waiting != 0 && wake(key1, key2, false) != 0;
    }

    private int wake(long key1, long key2, boolean all) {
        int index = bucketOf(key1, key2);
        if ((int) COUNTS.getVolatile(waiterCounts, index) == 0) {
            return 0;
        }
        Bucket bucket = buckets[index];
        bucket.lock.lock();
        try {
            return wakeLocked(bucket, key1, key2, all);
        } finally {
            bucket.lock.unlock();
        }
    }

    private static int wakeLocked(Bucket bucket, long key1, long key2, boolean all) {
        int woken = 0;
        boolean exclusiveHanded = false;
        for (Waiter w = bucket.first; w != null; w = w.next) {
            if (!w.hasKey(key1, key2)) {
                continue;
            }
            if (w.exclusive && !all) {
                // one exclusive wake per call, never to a waiter that has one pending: two releases must
                // reach two waiters, or the second would be lost on a waiter that only needs one
                if (exclusiveHanded || w.wakePending) {
                    continue;
                }
                w.wakePending = true;
                exclusiveHanded = true;
            }
            unpark(w);
            woken++;
        }
        return woken;
    }

    private static void unpark(Waiter w) {
        w.woken = true; // before the unpark: see the class comment on permits
        LockSupport.unpark(w.thread);
    }

    /**
     * Closes the table: wakes every waiter of every key; from now on a wait whose condition is false throws
     * {@link IllegalStateException} with {@code reason} in its message instead of sleeping. Idempotent: a
     * second close does nothing, and the first reason stays. Wakes still work (there is nobody to wake).
     *
     * @param reason what was closed, for the waiters' exception, e.g. "page map closed"
     */
    public void close(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (!CLOSE_REASON.compareAndSet(this, (String) null, reason)) {
            return;
        }
        // the CAS above is the volatile write that pairs with the waiters' enqueue: see the class comment
        for (int index = 0; index < buckets.length; index++) {
            if ((int) COUNTS.getVolatile(waiterCounts, index) == 0) {
                continue;
            }
            Bucket bucket = buckets[index];
            bucket.lock.lock();
            try {
                for (Waiter w = bucket.first; w != null; w = w.next) {
                    unpark(w);
                }
            } finally {
                bucket.lock.unlock();
            }
        }
    }

    /** {@return whether {@link #close(String)} was called} */
    public boolean isClosed() {
        return closeReason != null;
    }

    /**
     * Called after a false condition test. On a closed table the wait cannot end by a wake: it throws, unless
     * the close came after that test, when the condition is tested once more, since whatever the closer made
     * true before closing must count (a close never turns a satisfied wait into a failure).
     *
     * @param closedBeforeTest whether the table was already closed before the test that found it false
     * @return true if the re-test found the condition true
     */
    private boolean closedOrSatisfied(boolean closedBeforeTest, BooleanSupplier condition, long key1, long key2) {
        String reason = closeReason;
        if (reason == null) {
            return false;
        }
        if (!closedBeforeTest && condition.getAsBoolean()) {
            return true;
        }
        throw new IllegalStateException("wait table closed (" + reason + "): the wait on key (" + key1 + ", "
                + key2 + ") can never be satisfied by a wake; its condition is still false");
    }

    /** {@return the waiters currently queued on exactly {@code key}, i.e. the pair {@code (key, 0)}}
     * @param key the key */
    public int waitersOn(long key) {
        return waitersOn(key, 0);
    }

    /**
     * {@return the waiters currently queued on exactly the pair} Takes the bucket lock; for tests and statistics.
     *
     * @param key1 first half of the key (a mapping id, say)
     * @param key2 second half of the key (an aligned index, say)
     */
    public int waitersOn(long key1, long key2) {
        Bucket bucket = buckets[bucketOf(key1, key2)];
        int n = 0;
        bucket.lock.lock();
        try {
            for (Waiter w = bucket.first; w != null; w = w.next) {
                if (w.hasKey(key1, key2)) {
                    n++;
                }
            }
        } finally {
            bucket.lock.unlock();
        }
        return n;
    }

    /**
     * Waits until {@code condition} holds, ignoring interrupts (kernel: {@code wait_var_event}). An interrupt
     * during the wait is remembered and re-asserted on return, as {@code Condition.awaitUninterruptibly} does.
     *
     * @param key  the key, the pair {@code (key, 0)}
     * @param condition what to wait for, tested before each sleep and after each wake; reads volatile state; not null
     * @param callback  run around each sleep, or {@code null}
     * @throws IllegalStateException if the table is {@linkplain #close(String) closed} while the condition is false
     */
    public void awaitUninterruptibly(long key, BooleanSupplier condition, SleepCallback callback) {
        awaitUninterruptibly(key, 0, false, condition, callback);
    }

    /**
     * Waits as an exclusive waiter on the pair until {@code condition} holds, ignoring interrupts (kernel:
     * {@code wait_entry_unlocked_exclusive}, a {@code TASK_UNINTERRUPTIBLE} wait); an interrupt is re-asserted
     * on return. The condition is typically "the entry is unlocked, and I locked it", tested under the
     * caller's lock, which the callback drops before each sleep and retakes after it. See the class comment
     * for what a caller that returns without taking the resource must do.
     *
     * @param key1 first half of the key (a mapping id, say)
     * @param key2 second half of the key (an aligned index, say)
     * @param condition what to wait for, tested before each sleep and after each wake; reads volatile state; not null
     * @param callback  run around each sleep, or {@code null}
     * @throws IllegalStateException if the table is {@linkplain #close(String) closed} while the condition is false
     */
    public void awaitExclusive(long key1, long key2, BooleanSupplier condition, SleepCallback callback) {
        awaitUninterruptibly(key1, key2, true, condition, callback);
    }

    /**
     * Like {@link #awaitExclusive(long, long, BooleanSupplier, SleepCallback)}, giving up after
     * {@code timeout}; still uninterruptible. A wait that gives up with a wake handed to it passes the wake on.
     *
     * @param key1 first half of the key (a mapping id, say)
     * @param key2 second half of the key (an aligned index, say)
     * @param condition what to wait for, tested before each sleep and after each wake; reads volatile state; not null
     * @param timeout   how long to wait at most, in {@code unit}s; 0 or negative tests once
     * @param unit      the unit of {@code timeout}; not null
     * @param callback  run around each sleep, or {@code null}
     * @return whether the condition held; false means the time ran out first
     * @throws IllegalStateException if the table is {@linkplain #close(String) closed} while the condition is false
     */
    public boolean awaitExclusive(long key1, long key2, BooleanSupplier condition, long timeout, TimeUnit unit,
            SleepCallback callback) {
        try {
            return await(key1, key2, true, condition, callback, Mode.TIMED_UNINTERRUPTIBLE, toNanos(timeout, unit));
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Saturates, as {@link TimeUnit#toNanos} does: a timeout beyond 292 years is "for ever", not an overflow. */
    private static long toNanos(long timeout, TimeUnit unit) {
        return Objects.requireNonNull(unit, "unit").toNanos(timeout);
    }

    private void awaitUninterruptibly(long key1, long key2, boolean exclusive, BooleanSupplier condition,
            SleepCallback callback) {
        try {
            await(key1, key2, exclusive, condition, callback, Mode.UNINTERRUPTIBLE, 0);
        } catch (InterruptedException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /**
     * Waits until {@code condition} holds or the thread is interrupted (kernel: {@code wait_var_event_interruptible},
     * which returns -ERESTARTSYS on a signal). As in the kernel, the condition is tested before the
     * interrupt: a wait whose condition holds returns normally and leaves the interrupt status set; otherwise
     * an interrupt ends it with {@link InterruptedException} and a cleared status.
     *
     * @param key  the key, the pair {@code (key, 0)}
     * @param condition what to wait for, tested before each sleep and after each wake; reads volatile state; not null
     * @param callback  run around each sleep, or {@code null}
     * @throws IllegalStateException if the table is {@linkplain #close(String) closed} while the condition is false
     * @throws InterruptedException  if interrupted while the condition was false (status cleared)
     */
    public void await(long key, BooleanSupplier condition, SleepCallback callback) throws InterruptedException {
        await(key, 0, false, condition, callback, Mode.INTERRUPTIBLE, 0);
    }

    /**
     * Like {@link #await(long, BooleanSupplier, SleepCallback)}, giving up after {@code timeout}.
     *
     * @param key  the key, the pair {@code (key, 0)}
     * @param condition what to wait for, tested before each sleep and after each wake; reads volatile state; not null
     * @param timeout   how long to wait at most, in {@code unit}s; 0 or negative tests once
     * @param unit      the unit of {@code timeout}; not null
     * @param callback  run around each sleep, or {@code null}
     * @return whether the condition held; false means the time ran out first
     * @throws IllegalStateException if the table is {@linkplain #close(String) closed} while the condition is false
     * @throws InterruptedException  if interrupted while the condition was false (status cleared)
     */
    public boolean await(long key, BooleanSupplier condition, long timeout, TimeUnit unit, SleepCallback callback)
            throws InterruptedException {
        return await(key, 0, false, condition, callback, Mode.TIMED, toNanos(timeout, unit));
    }

    private boolean await(long key1, long key2, boolean exclusive, BooleanSupplier condition,
            SleepCallback callback, Mode mode, long nanos) throws InterruptedException {
        Objects.requireNonNull(condition, "condition");
        boolean closedBeforeTest = closeReason != null;
        if (condition.getAsBoolean()) {
            return true; // no enqueue, no lock: the common case for an idle folio
        }
        if (closedOrSatisfied(closedBeforeTest, condition, key1, key2)) {
            return true;
        }
        if (mode.timed && nanos <= 0) {
            // nothing to wait for, and no deadline to compute: now + a huge negative timeout would overflow
            if (mode.interruptible && Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting on key " + key1);
            }
            return false;
        }
        int index = bucketOf(key1, key2);
        Bucket bucket = buckets[index];
        Waiter self = new Waiter(key1, key2, exclusive, Thread.currentThread());
        // no absolute deadline: nanos - elapsed cannot overflow (nanos > 0, elapsed >= 0), now + nanos can
        long start = mode.timed ? System.nanoTime() : 0;
        boolean interruptedWhileUninterruptible = false;
        boolean satisfied = false;
        boolean wakeInHand = false; // an exclusive wake taken off the node and not yet used by a test
        enqueue(bucket, index, self);
        try {
            for (;;) {
                self.woken = false; // before the test: a wake after it sets it again
                if (exclusive) {
                    // atomically, so that a wake handed now is either in hand or still pending on the node
                    wakeInHand = (boolean) WAKE_PENDING.getAndSet(self, false);
                }
                closedBeforeTest = closeReason != null;
                satisfied = condition.getAsBoolean(); // a throw here leaves the wake in hand: passed on
                wakeInHand = false; // the test used it: a false answer means another thread took the resource
                if (satisfied || (satisfied = closedOrSatisfied(closedBeforeTest, condition, key1, key2))) {
                    return true;
                }
                if (mode.interruptible && Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting on key " + key1);
                }
                long remaining = 0;
                if (mode.timed && (remaining = nanos - (System.nanoTime() - start)) <= 0) {
                    return false;
                }
                if (callback != null) {
                    callback.beforeSleep();
                }
                try {
                    if (!self.woken) {
                        if (mode.timed) {
                            LockSupport.parkNanos(this, remaining);
                        } else {
                            LockSupport.park(this);
                        }
                    }
                } finally {
                    if (callback != null) {
                        callback.afterWake();
                    }
                }
                if (!mode.interruptible && Thread.interrupted()) {
                    interruptedWhileUninterruptible = true; // else park would return at once, forever
                }
            }
        } finally {
            dequeue(bucket, index, self, !satisfied, wakeInHand);
            if (interruptedWhileUninterruptible) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void enqueue(Bucket bucket, int index, Waiter w) {
        bucket.lock.lock();
        try {
            w.prev = bucket.last;
            if (w.prev != null) {
                w.prev.next = w;
            } else {
                bucket.first = w;
            }
            bucket.last = w;
            // volatile read-modify-writes: ordered before the waiter's next condition test
            WAITING.getAndAdd(this, 1);
            COUNTS.getAndAdd(waiterCounts, index, 1);
        } finally {
            bucket.lock.unlock();
        }
    }

    /**
     * Unlinks {@code w}; if it leaves unsatisfied with an exclusive wake pending, the wake goes to the next
     * exclusive waiter of its key, under the same lock hold, so that no release is left without a taker.
     */
    private void dequeue(Bucket bucket, int index, Waiter w, boolean unsatisfied, boolean wakeInHand) {
        bucket.lock.lock();
        try {
            if (w.prev != null) {
                w.prev.next = w.next;
            } else {
                bucket.first = w.next;
            }
            if (w.next != null) {
                w.next.prev = w.prev;
            } else {
                bucket.last = w.prev;
            }
            w.prev = w.next = null;
            COUNTS.getAndAdd(waiterCounts, index, -1);
            WAITING.getAndAdd(this, -1);
            if (unsatisfied && (wakeInHand || w.wakePending)) {
                wakeLocked(bucket, w.key1, w.key2, false);
            }
        } finally {
            bucket.lock.unlock();
        }
    }
}
