package io.jdax.pool;

/** How a {@link BufferPool} trades speed for protection against misuse. */
public enum PoolMode {
    /**
     * Buffers are plain slices of the pool's memory. Misuse through the buffer object (retain or release after
     * the last release, {@code segment()} after it) throws, but a segment obtained before the last release
     * still reaches the memory, which may by then belong to another buffer. Leaks are reported one per folio
     * with its size, not located: a buffer and its slices share one folio.
     */
    FAST,
    /**
     * Every buffer is a separate mapping of its bytes in its own arena, revoked on the last release: any
     * access through a segment or {@code ByteBuffer} handed out earlier throws {@link IllegalStateException}.
     * The allocation site of every buffer is recorded, and a buffer that becomes unreachable unreleased is
     * reported with it (as Netty's paranoid leak detection does) and its memory reclaimed. Costs a mapping and
     * a thread handshake per buffer: for tests and debugging.
     */
    CHECKED
}
