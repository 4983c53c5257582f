package io.jdax.catalogue;

import io.jdax.pool.PoolMode;

import java.util.List;

/**
 * One misuse of the public API: what the environment must be in first, the call, and what it must raise.
 *
 * @param id     stable name, as in docs/bad-input.md
 * @param call   the misuse as a reader would write it
 * @param type    the exception class (exactly, unless {@code exact} is false)
 * @param keys   what the message must contain: the bad value, and the words that say what was wrong
 * @param mode    the pool's mode in the environment
 * @param counted the one change the call may make: a statistic that counts such failures ("failures"), or
 *                null for none
 * @param exact   whether the exception must be exactly {@code type} (else a subclass passes too)
 */
record Row(String id, String call, Class<? extends Throwable> type, List<Object> keys, PoolMode mode, Step arrange,
           Step misuse, String counted, boolean exact) {

    interface Step {
        void run(Env env) throws Exception;

        default Step then(Step next) {
            return env -> {
                run(env);
                next.run(env);
            };
        }
    }

    static final Step NOTHING = env -> { };

    static Row of(String id, String call, Class<? extends Throwable> type, List<Object> keys, Step arrange,
                  Step misuse) {
        return new Row(id, call, type, keys, PoolMode.FAST, arrange, misuse, null, true);
    }

    Row in(PoolMode m) {
        return new Row(id + "-" + m.name().toLowerCase(), call + " (" + m + ")", type, keys, m, arrange, misuse,
                counted, exact);
    }

    /** The same row, whose call adds 1 to the statistic {@code counter} (from 0). */
    Row counting(String counter) {
        return new Row(id, call, type, keys, mode, arrange, misuse, counter, exact);
    }

    /** The same row, passing a subclass of its type too (where the platform decides which one). */
    Row orSubclass() {
        return new Row(id, call, type, keys, mode, arrange, misuse, counted, false);
    }

    @Override
    public String toString() {
        return id + ": " + call;
    }
}
