/**
 * The buffer-pool face: {@link io.jdax.pool.BufferPool} hands out reference-counted
 * {@link io.jdax.pool.PooledBuffer}s as {@code MemorySegment}s and {@code ByteBuffer}s, in a fast mode or a
 * checked mode that revokes released buffers and reports leaks with their allocation sites; JFR events for
 * failures, exhaustion and leaks; an optional Agrona view.
 */
package io.jdax.pool;
