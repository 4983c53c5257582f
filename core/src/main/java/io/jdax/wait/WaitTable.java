package io.jdax.wait;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A fixed number of hashed wait queues on which threads wait until a condition on a {@code long} key holds
 * (kernel: {@code wait_var_event} / {@code wake_up_var} over the hashed table of kernel/sched/wait_bit.c).
 *
 * <p>A key picks a bucket by hash; many keys share a bucket. A wake for a key unparks the waiters of that
 * key only, so a collision costs a little work under the bucket's lock and never a wrong wake-up. Memory is
 * bounded by the bucket count; a waiter is one small node that lives while it waits; nothing is allocated
 * on the wake path.
 *
 * <h2>Ordering contract: why no wake is lost</h2>
 * <ul>
 *   <li>Waker: the store that makes the condition true must be a volatile write (or be followed by one,
 *       e.g. an atomic read-modify-write) <em>before</em> calling {@link #wakeAll}, whose first action is a
 *       volatile read of the bucket's waiter count. The kernel needs a full barrier at this spot; a Java
 *       volatile write followed by a volatile read of another variable gives it.</li>
 *   <li>Waiter: enqueues itself (a volatile write of that count, under the bucket lock) <em>before</em>
 *       each test of the condition, which must read volatile state.</li>
 * </ul>
 * Both are in the one total order of volatile accesses, so either the waker sees the waiter counted and
 * unparks it, or the waiter sees the condition true and does not sleep. Waiters are counted twice: in the
 * whole table, and in their bucket. A waker reads the table's count first: when nobody waits anywhere,
 * the common case on a put path, that one load is all it pays (no hash, no array); otherwise the bucket's
 * count tells whether to take the bucket lock. A per-waiter {@code woken} flag, set before the unpark, keeps a wake
 * from being lost when a {@link SleepCallback} parks internally (taking a lock, say) and so consumes the
 * thread's park permit.
 *
 * <p>Works with platform and virtual threads: waiting parks outside any monitor, and the bucket locks are
 * {@link ReentrantLock}s held only to link and unlink nodes, so a parked virtual thread never pins its
 * carrier.
 */
public final class WaitTable {

    /** The kernel's table size. */
    public static final int DEFAULT_BUCKETS = 256;

    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle WOKEN;

    static {
        try {
            WOKEN = MethodHandles.lookup().findVarHandle(Waiter.class, "woken", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final VarHandle WAITING;

    static {
        try {
            WAITING = MethodHandles.lookup().findVarHandle(WaitTable.class, "waiting", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Bucket[] buckets;
    /** Waiters per bucket: written under the bucket's lock, read lock-free by wakers. */
    private final int[] waiterCounts;
    /** Waiters in the whole table: changed atomically (buckets have different locks), read lock-free. */
    private volatile int waiting;
    private final int hashShift;

    private static final class Bucket {
        final ReentrantLock lock = new ReentrantLock();
        Waiter first; // guarded by lock
    }

    private static final class Waiter {
        final long key;
        final Thread thread;
        Waiter prev;        // guarded by the bucket lock
        Waiter next;        // guarded by the bucket lock
        volatile boolean woken;

        Waiter(long key, Thread thread) {
            this.key = key;
            this.thread = thread;
        }
    }

    private enum Mode { UNINTERRUPTIBLE, INTERRUPTIBLE, TIMED }

    /** A table with {@link #DEFAULT_BUCKETS} buckets. */
    public WaitTable() {
        this(DEFAULT_BUCKETS);
    }

    /**
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

    /** Number of buckets. */
    public int bucketCount() {
        return buckets.length;
    }

    /** The bucket of {@code key} (kernel: hash_ptr): Fibonacci hashing, so nearby pfns spread out. */
    public int bucketOf(long key) {
        return hashShift == Long.SIZE ? 0 : (int) ((key * 0x9E3779B97F4A7C15L) >>> hashShift);
    }

    /**
     * Whether anyone waits in the bucket of {@code key}: one volatile load. True may mean a waiter on a
     * colliding key; false is exact under the ordering contract above.
     */
    public boolean hasWaiters(long key) {
        return waiting != 0 && (int) COUNTS.getVolatile(waiterCounts, bucketOf(key)) != 0;
    }

    /**
     * Wakes every thread waiting on {@code key}, and no other (kernel: {@code wake_up_var}). Call it after the
     * volatile store that made their condition true. When the key's bucket is empty this is one load.
     *
     * @return how many waiters were unparked
     */
    public int wakeAll(long key) {
        if (waiting == 0) {
            return 0; // kept tiny so that it inlines into every last put; the rest is out of line
        }
        return wakeAllQueued(key);
    }

    private int wakeAllQueued(long key) {
        int index = bucketOf(key);
        if ((int) COUNTS.getVolatile(waiterCounts, index) == 0) {
            return 0;
        }
        Bucket bucket = buckets[index];
        int woken = 0;
        bucket.lock.lock();
        try {
            for (Waiter w = bucket.first; w != null; w = w.next) {
                if (w.key == key) {
                    w.woken = true; // before the unpark: see the class comment on permits
                    LockSupport.unpark(w.thread);
                    woken++;
                }
            }
        } finally {
            bucket.lock.unlock();
        }
        return woken;
    }

    /** Waiters currently queued on exactly {@code key} (takes the bucket lock; for tests and statistics). */
    public int waitersOn(long key) {
        Bucket bucket = buckets[bucketOf(key)];
        int n = 0;
        bucket.lock.lock();
        try {
            for (Waiter w = bucket.first; w != null; w = w.next) {
                if (w.key == key) {
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
     * @param callback run around each sleep, or {@code null}
     */
    public void awaitUninterruptibly(long key, BooleanSupplier condition, SleepCallback callback) {
        try {
            await(key, condition, callback, Mode.UNINTERRUPTIBLE, 0);
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
     * @param callback run around each sleep, or {@code null}
     */
    public void await(long key, BooleanSupplier condition, SleepCallback callback) throws InterruptedException {
        await(key, condition, callback, Mode.INTERRUPTIBLE, 0);
    }

    /**
     * Like {@link #await(long, BooleanSupplier, SleepCallback)}, giving up after {@code timeout}.
     *
     * @return whether the condition held; false means the time ran out first
     */
    public boolean await(long key, BooleanSupplier condition, long timeout, TimeUnit unit, SleepCallback callback)
            throws InterruptedException {
        return await(key, condition, callback, Mode.TIMED, unit.toNanos(timeout));
    }

    private boolean await(long key, BooleanSupplier condition, SleepCallback callback, Mode mode, long nanos)
            throws InterruptedException {
        Objects.requireNonNull(condition, "condition");
        if (condition.getAsBoolean()) {
            return true; // no enqueue, no lock: the common case for an idle folio
        }
        int index = bucketOf(key);
        Bucket bucket = buckets[index];
        Waiter self = new Waiter(key, Thread.currentThread());
        long deadline = mode == Mode.TIMED ? System.nanoTime() + nanos : 0;
        boolean interruptedWhileUninterruptible = false;
        enqueue(bucket, index, self);
        try {
            for (;;) {
                WOKEN.setVolatile(self, false); // before the test: a wake after it sets it again
                if (condition.getAsBoolean()) {
                    return true;
                }
                if (mode != Mode.UNINTERRUPTIBLE && Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting on key " + key);
                }
                long remaining = 0;
                if (mode == Mode.TIMED && (remaining = deadline - System.nanoTime()) <= 0) {
                    return false;
                }
                if (callback != null) {
                    callback.beforeSleep();
                }
                try {
                    if (!self.woken) {
                        if (mode == Mode.TIMED) {
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
                if (mode == Mode.UNINTERRUPTIBLE && Thread.interrupted()) {
                    interruptedWhileUninterruptible = true; // else park would return at once, forever
                }
            }
        } finally {
            dequeue(bucket, index, self);
            if (interruptedWhileUninterruptible) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void enqueue(Bucket bucket, int index, Waiter w) {
        bucket.lock.lock();
        try {
            w.next = bucket.first;
            if (w.next != null) {
                w.next.prev = w;
            }
            bucket.first = w;
            // volatile read-modify-writes: ordered before the waiter's next condition test
            WAITING.getAndAdd(this, 1);
            COUNTS.getAndAdd(waiterCounts, index, 1);
        } finally {
            bucket.lock.unlock();
        }
    }

    private void dequeue(Bucket bucket, int index, Waiter w) {
        bucket.lock.lock();
        try {
            if (w.prev != null) {
                w.prev.next = w.next;
            } else {
                bucket.first = w.next;
            }
            if (w.next != null) {
                w.next.prev = w.prev;
            }
            w.prev = w.next = null;
            COUNTS.getAndAdd(waiterCounts, index, -1);
            WAITING.getAndAdd(this, -1);
        } finally {
            bucket.lock.unlock();
        }
    }
}
