/**
 * Hashed wait queues (kernel: {@code wait_var_event} / {@code wake_up_var}): wait until a condition on a
 * {@code long} key holds, wake the waiters of one key. The ordering contract that makes a wake impossible to
 * lose is documented on {@link io.jdax.wait.WaitTable}.
 */
package io.jdax.wait;
