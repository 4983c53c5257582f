package io.jdax.page;

/**
 * The fault-in step of {@link RangePins#pin}: what to do with a folio of the range that is idle, so that it
 * can be pinned (kernel: {@code faultin_page} in {@code __get_user_pages}, after which the walk retries the
 * fast path). The strategy makes the folio present and returns its head with one temporary reference held;
 * {@link RangePins} pins it and drops that reference, so that only the pin remains.
 *
 * <p>What "present" means belongs to the layer that owns the folio: an idle device folio stays with its
 * device and only needs a reference ({@link #DEVICE_IDLE}); an fs-dax folio is found through its mapping's
 * entry, under the entry lock, and the reference is taken there, supplied by that layer.
 */
@FunctionalInterface
public interface FaultIn {

    /**
     * Makes the idle folio containing {@code pfn} present and returns its head, holding one reference that the
     * caller will {@link PageMap#put}.
     *
     * @param map the page map being pinned
     * @param pfn the idle page to fault in, any page of its folio
     * @return the folio's head pfn, with one reference held for the caller
     * @throws IllegalStateException if the folio cannot be faulted in; nothing is left held
     */
    long faultIn(PageMap map, long pfn);

    /** Refuses every idle folio: pin only what is referenced or mapped already. */
    FaultIn REFUSE = (map, pfn) -> {
        throw new IllegalStateException("pfn " + pfn + ": cannot pin an idle folio of " + map
                + " (no fault-in step was given): map or reference it first");
    };

    /**
     * An idle folio of a {@link PageMap.Kind#DEVICE device} map takes a temporary reference with
     * {@link PageMap#incRef}, which a device map allows from refcount 0 without a lock (nothing happens to a
     * device folio at 0, and a device's layout is fixed, so the head looked up is still the head). Any other
     * kind of map is refused: its folios have no fault path here.
     */
    FaultIn DEVICE_IDLE = (map, pfn) -> {
        if (map.kind() != PageMap.Kind.DEVICE) {
            throw new IllegalStateException("pfn " + pfn + ": cannot pin an idle folio of a " + map.kind()
                    + " page map (only device folios are faulted in on demand): map or reference it first");
        }
        long head = map.folioOf(pfn);
        map.incRef(head);
        return head;
    };
}
