package io.jdax.wait;

/**
 * Work a waiter does around each sleep (kernel: the {@code cmd} argument of {@code ___wait_var_event},
 * such as xfs's "drop the mmap lock, schedule, retake it" in {@code xfs_wait_dax_page}).
 *
 * <p>{@link #beforeSleep()} runs after the condition was found false and before the thread parks;
 * {@link #afterWake()} runs after it unparks (for any reason: wake, timeout, interrupt, spurious), before the
 * condition is tested again. An exception from either ends the wait: the waiter is dequeued and the
 * exception propagates. If {@code beforeSleep} throws, {@code afterWake} is not called.
 */
public interface SleepCallback {

    /** Called before each sleep; typically releases a lock that whoever makes the condition true needs. */
    void beforeSleep();

    /** Called after each sleep; typically retakes the lock released by {@link #beforeSleep()}. */
    default void afterWake() {
    }

    /**
     * A callback that runs {@code before} before each sleep and {@code after} after it.
     *
     * @param before run by {@link #beforeSleep()}; not null
     * @param after  run by {@link #afterWake()}; not null
     * @return the callback
     * @throws NullPointerException naming the missing half: refused here, not at the first sleep, where it
     *                              would end a wait with a bare exception long after the mistake
     */
    static SleepCallback of(Runnable before, Runnable after) {
        java.util.Objects.requireNonNull(before, "before");
        java.util.Objects.requireNonNull(after, "after");
        return new SleepCallback() {
            @Override
            public void beforeSleep() {
                before.run();
            }

            @Override
            public void afterWake() {
                after.run();
            }
        };
    }
}
