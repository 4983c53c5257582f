package io.jdax.pool;

/**
 * What one size class of a {@link BufferPool} holds: a slab object size (buffers up to half a page share
 * slabs) or a folio order (larger buffers take a folio each).
 *
 * @param size           bytes per object or folio of the class
 * @param slab           whether the class is a slab object size (else a folio of {@code size} bytes)
 * @param buffers        live objects or folios of the class
 * @param bytesRequested what the live buffers of the class asked for
 * @param bytesHeld      bytes the class holds: for a slab class its whole slabs, free objects and kept
 *                       empty slabs included; for a folio class its live folios
 */
public record PoolSizeClass(long size, boolean slab, long buffers, long bytesRequested, long bytesHeld) {

    /**
     * Held but not requested: the class's internal fragmentation.
     *
     * @return {@code bytesHeld - bytesRequested}
     */
    public long wastedBytes() {
        return bytesHeld - bytesRequested;
    }
}
