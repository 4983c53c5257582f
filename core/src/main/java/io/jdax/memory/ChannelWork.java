package io.jdax.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs file-channel work on a thread of jdax's own, so that no caller's interrupt status can reach it.
 *
 * <p>Why: a {@code FileChannel} from {@code FileChannel.open} is interruptible. An operation started by a
 * thread whose interrupt flag is set, or interrupted while it runs, closes the channel
 * ({@code ClosedByInterruptException}) for every user of it; a region's channel is shared by every view
 * mapped from it. Clearing the flag around the call is not enough (another thread may interrupt the caller
 * during the call), and the JDK offers no public way to open an uninterruptible channel. So the work runs on
 * one daemon thread that jdax never interrupts and never hands out, and the caller waits for it
 * uninterruptibly, then restores its own interrupt status untouched. The price is a thread handoff per
 * mapping or creation (tens of microseconds), beside a system call that costs several already.
 */
final class ChannelWork {

    /** Work on a channel; may throw {@link IOException}. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws IOException;
    }

    private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "jdax-channel-work");
        t.setDaemon(true);
        return t;
    });

    private static final ThreadLocal<Boolean> ON_WORKER = ThreadLocal.withInitial(() -> false);

    private ChannelWork() {
    }

    /**
     * Runs {@code call} on the worker and returns its result; its exception, checked or not, is rethrown
     * as it was. The caller's interrupt status is the same afterwards as before, and an interrupt during the
     * wait is kept for the caller, not acted on.
     */
    static <T> T run(Call<T> call) throws IOException {
        if (ON_WORKER.get()) {
            return call.run(); // nested: already on the worker, which nobody interrupts
        }
        Future<T> result = WORKER.submit(() -> {
            ON_WORKER.set(true);
            try {
                return call.run();
            } finally {
                ON_WORKER.set(false);
            }
        });
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true; // the work is already running on a thread we do not interrupt: wait on
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new UncheckedIOException(new IOException(cause));
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
