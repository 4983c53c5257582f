/**
 * Hashed wait queues (kernel: {@code wait_var_event} / {@code wake_up_var}, and the exclusive entry waits of
 * fs/dax.c): wait until a condition on a key (one {@code long}, or a pair such as mapping and index) holds;
 * wake all the waiters of a key, or one exclusive waiter ({@code WAKE_NEXT}); close a table to end every wait.
 * The ordering contract that makes a wake impossible to lose, and the rules for passing on an exclusive wake,
 * are documented on {@link io.jdax.wait.WaitTable}.
 */
package io.jdax.wait;
