package io.jdax.slab;

/**
 * A snapshot of one size class of a {@link SlabAllocator}.
 *
 * @param objectSize     bytes per object (what a request of up to this size holds)
 * @param slabOrder      folio order of each slab
 * @param objectsPerSlab objects carved out of each slab
 * @param slabs          live slabs (current + partial + full + empty)
 * @param currentSlabs   slabs some stripe allocates from
 * @param partialSlabs   slabs on the partial list
 * @param fullSlabs      slabs with every object live, owned by no stripe
 * @param emptySlabs     slabs with every object free, kept for the next refill
 * @param objectsInUse   live objects
 * @param bytesRequested what the live objects' allocations asked for
 * @param bytesHeld      bytes of the class's slabs ({@code slabs << slabOrder} pages)
 */
public record SlabClassStats(int objectSize, int slabOrder, int objectsPerSlab, long slabs, long currentSlabs,
                             long partialSlabs, long fullSlabs, long emptySlabs, long objectsInUse,
                             long bytesRequested, long bytesHeld) {

    /**
     * Bytes of the live objects: requested bytes plus rounding up to the object size.
     *
     * @return live objects times the object size
     */
    public long bytesInObjects() {
        return objectsInUse * objectSize;
    }

    /**
     * Held but not requested: rounding, free objects, slab tails and empty slabs.
     *
     * @return {@code bytesHeld - bytesRequested}
     */
    public long wastedBytes() {
        return bytesHeld - bytesRequested;
    }
}
