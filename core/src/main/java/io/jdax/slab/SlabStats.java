package io.jdax.slab;

import java.util.List;

/**
 * A snapshot of a {@link SlabAllocator}: per size class and in total, the bytes the live objects asked for
 * against the bytes the slabs hold. Their difference is the slab layer's internal fragmentation.
 *
 * @param classes        one entry per size class, smallest first
 * @param slabs          live slabs
 * @param objectsInUse   live objects
 * @param bytesRequested what the live objects' allocations asked for
 * @param bytesInObjects bytes of the live objects (each rounded up to its class)
 * @param bytesHeld      bytes of all slabs, taken from the buddy allocator
 */
public record SlabStats(List<SlabClassStats> classes, long slabs, long objectsInUse, long bytesRequested,
                        long bytesInObjects, long bytesHeld) {

    /**
     * Copies the list of classes.
     *
     * @param classes        one entry per size class, smallest first
     * @param slabs          live slabs
     * @param objectsInUse   live objects
     * @param bytesRequested what the live objects' allocations asked for
     * @param bytesInObjects bytes of the live objects
     * @param bytesHeld      bytes of all slabs
     */
    public SlabStats {
        classes = List.copyOf(classes);
    }

    static SlabStats of(List<SlabClassStats> classes) {
        long slabs = 0;
        long objects = 0;
        long requested = 0;
        long inObjects = 0;
        long held = 0;
        for (SlabClassStats c : classes) {
            slabs += c.slabs();
            objects += c.objectsInUse();
            requested += c.bytesRequested();
            inObjects += c.bytesInObjects();
            held += c.bytesHeld();
        }
        return new SlabStats(classes, slabs, objects, requested, inObjects, held);
    }

    /**
     * Held but not requested.
     *
     * @return {@code bytesHeld - bytesRequested}
     */
    public long wastedBytes() {
        return bytesHeld - bytesRequested;
    }

    /**
     * Wasted over held, 0 when nothing is held.
     *
     * @return the fraction of held bytes not requested
     */
    public double fragmentation() {
        return bytesHeld == 0 ? 0 : (double) wastedBytes() / bytesHeld;
    }
}
