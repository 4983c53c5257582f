package io.jdax;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A channel write of a buffer's memory that is held in flight until {@link #complete()}: the pipe is filled
 * first, so the write blocks in native code, where the JDK keeps the buffer's memory session acquired (and
 * refuses to close its arena).
 */
public final class BlockedWrite implements AutoCloseable {

    private final Pipe pipe;
    private final CompletableFuture<Integer> result = new CompletableFuture<>();

    private BlockedWrite(ByteBuffer from) throws IOException, InterruptedException {
        pipe = Pipe.open();
        pipe.sink().configureBlocking(false);
        ByteBuffer junk = ByteBuffer.allocateDirect(64 * 1024);
        while (pipe.sink().write(junk.clear()) > 0) {
            // until the pipe's buffer is full
        }
        pipe.sink().configureBlocking(true);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                result.complete(pipe.sink().write(from));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        while (writer.isAlive()) {
            StackTraceElement[] stack = writer.getStackTrace();
            if (stack.length > 0 && stack[0].isNativeMethod()) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the writer finished without blocking: the pipe was not full");
    }

    /** Starts writing {@code from} and returns once the write is blocked in native code. */
    public static BlockedWrite start(ByteBuffer from) throws IOException, InterruptedException {
        return new BlockedWrite(from);
    }

    /** Drains the pipe until the write completes; returns the bytes it wrote. */
    public int complete() throws IOException, InterruptedException, ExecutionException {
        ByteBuffer drain = ByteBuffer.allocate(64 * 1024);
        pipe.source().configureBlocking(false); // the writer may finish between a check and a read
        while (!result.isDone()) {
            if (pipe.source().read(drain.clear()) == 0) {
                Thread.sleep(1);
            }
        }
        return result.get();
    }

    @Override
    public void close() throws IOException {
        pipe.sink().close();
        pipe.source().close();
    }
}
