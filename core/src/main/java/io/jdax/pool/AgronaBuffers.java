package io.jdax.pool;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Views of pooled buffers as Agrona {@link MutableDirectBuffer}s, for SBE codecs and Aeron publications.
 *
 * <p>Optional: jdax does not need Agrona, and only this class touches it. Agrona's {@link UnsafeBuffer}
 * reaches {@code jdk.internal.misc.Unsafe}, so a program that uses this view must run with Agrona's flag:
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} on the class path, or
 * {@code =org.agrona} with Agrona on the module path.
 *
 * <p>An Agrona buffer addresses memory by raw address and is int-sized: it bypasses the FFM API's bounds and
 * liveness checks, so even a {@link PoolMode#CHECKED} buffer's revocation does not protect accesses through
 * it. Keep the view no longer than the buffer's reference.
 */
public final class AgronaBuffers {

    private AgronaBuffers() {
    }

    /**
     * A {@link MutableDirectBuffer} over the bytes of {@code buffer}.
     *
     * @param buffer a live buffer
     * @return an Agrona view of its bytes
     * @throws IllegalArgumentException if the buffer is larger than an Agrona buffer can address (2 GiB - 1)
     * @throws IllegalStateException    if the buffer was released
     */
    public static MutableDirectBuffer view(PooledBuffer buffer) {
        long size = buffer.byteSize();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("an Agrona buffer holds at most " + Integer.MAX_VALUE + " bytes; this one has "
                    + size);
        }
        return new UnsafeBuffer(buffer.segment().address(), (int) size);
    }
}
