package io.jdax.page;

/**
 * Owner of the folios of a {@link PageMap.Kind#POOL pool} page map: receives each folio whose last
 * reference was just dropped (kernel: {@code pgmap->ops->page_free}, called from
 * {@code free_zone_device_folio}).
 *
 * <p>Runs on the thread whose {@code put} dropped the count to 0. On entry the folio's refcount is 0 and no
 * other thread can legally reach it: the releaser owns it (to split, merge, cache or reuse).
 */
@FunctionalInterface
public interface FolioReleaser {

    /**
     * Takes back the folio headed at {@code head}, whose refcount just reached 0. An exception thrown here
     * propagates out of the {@code put} that dropped the last reference.
     *
     * @param map  the page map the folio belongs to
     * @param head the folio's head pfn
     */
    void release(PageMap map, long head);
}
