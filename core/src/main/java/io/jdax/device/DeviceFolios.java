package io.jdax.device;

import io.jdax.page.FaultIn;
import io.jdax.page.FolioPins;
import io.jdax.page.PageMap;
import io.jdax.page.RangePins;

import java.util.Objects;

/**
 * What a fault, a zap and a pin do to the counts of one device folio: the count protocol that
 * {@link DeviceView}, {@link ViewGroup} and {@link PinnedRange} are built from, public so that stress tests
 * and custom mappers run exactly the same code.
 *
 * <p>Since the 2025 "device/dax: properly refcount device dax pages when mapping" change, a device-dax fault
 * inserts a folio and takes a reference ({@code vmf_insert_page_mkwrite}, {@code vmf_insert_folio_pmd},
 * {@code vmf_insert_folio_pud}), and the last put of a {@code MEMORY_DEVICE_GENERIC} folio leaves it with the
 * device, ready to be mapped again. Hence the one unusual rule here: the unchecked 0 -&gt; 1
 * ({@link PageMap#incRef}) needs no lock on a {@link PageMap.Kind#DEVICE device} map. The page map asks its
 * callers to serialise {@code incRef} with other moves out of idle and with layout changes because, on a pool
 * or dax map, refcount 0 lets the owner free, split or reassign the folio. On a device map nothing happens at
 * 0 and a {@link DeviceDax} never changes its layout after creation, so concurrent {@code incRef},
 * {@code tryGet} and {@code put} of one folio are plain commuting atomic adds. That race is benign.
 *
 * <p>All methods take a head pfn except {@link #pin}, which takes any pfn of the folio.
 */
public final class DeviceFolios {

    private DeviceFolios() {
    }

    /**
     * Records one mapping of a device folio: a reference and a mapcount, in that order (kernel:
     * {@code folio_get} + {@code folio_add_file_rmap_pte/pmd/pud} in the device-dax fault). Legal from
     * refcount 0.
     *
     * @param map  a device page map
     * @param head the folio's head pfn, in {@code [0, map.nrPages())}
     * @throws IllegalArgumentException if {@code map} is not a device map, or {@code head} is a tail page
     * @throws IllegalStateException    if either count would overflow; both are then unchanged
     */
    public static void insertMapping(PageMap map, long head) {
        requireDevice(map);
        map.incRef(head);
        try {
            map.incMapCount(head);
        } catch (RuntimeException e) {
            map.put(head);
            throw e;
        }
    }

    /**
     * Removes one mapping: the mapcount, then the reference (kernel: {@code folio_remove_rmap_*} in
     * {@code zap_pte_range}, then {@code folio_put} once the TLB is flushed). The put may be the folio's last;
     * on a device map that leaves it idle with the device.
     *
     * @param map  the page map; not null
     * @param head the folio's head pfn, in {@code [0, map.nrPages())}
     * @return whether the put dropped the last reference
     * @throws IllegalStateException if the folio is not mapped, or its refcount is already 0 (more unmaps than
     *                               maps); both counts are then unchanged
     */
    public static boolean removeMapping(PageMap map, long head) {
        Objects.requireNonNull(map, "map");
        map.decMapCount(head);
        try {
            return map.put(head);
        } catch (RuntimeException e) {
            map.incMapCount(head);
            throw e;
        }
    }

    /**
     * Pins the folio containing {@code pfn} (kernel: one step of {@code __get_user_pages} with
     * {@code FOLL_PIN}). A folio that is referenced, typically because a view maps it, is pinned at once
     * (kernel: {@code gup_fast}). An idle folio of a device map is first faulted in, as the kernel does through
     * {@code faultin_page}: a temporary reference is taken with {@link PageMap#incRef}, the folio is pinned,
     * and the temporary reference is dropped, so that only the pin remains. An idle folio of any other kind
     * of map is refused: it has no fault path here, so map or reference it first.
     *
     * <p>A pin adds {@link PageMap#PIN_BIAS} to an order-0 folio's refcount, or 1 to a large folio's refcount
     * and pin count ({@link FolioPins}).
     *
     * @param map      the page map
     * @param pfn      any page of the folio
     * @param longTerm a pin that may be held indefinitely (kernel: {@code FOLL_LONGTERM}); allowed on device
     *                 maps, refused on dax maps
     * @return the head pfn of the pinned folio, for {@link FolioPins#unpin}
     * @throws IllegalArgumentException  if a long-term pin is asked of a dax map; nothing changes
     * @throws IllegalStateException     if the folio is idle and {@code map} is not a device map, or a count
     *                                   would overflow; nothing changes
     * @throws IndexOutOfBoundsException if {@code pfn} is outside the map
     */
    public static long pin(PageMap map, long pfn, boolean longTerm) {
        return RangePins.pinFolio(map, pfn, longTerm, FaultIn.DEVICE_IDLE);
    }

    private static void requireDevice(PageMap map) {
        if (map.kind() != PageMap.Kind.DEVICE) {
            throw new IllegalArgumentException("device mappings take a reference from refcount 0, which only a "
                    + "DEVICE page map allows without a lock; this map is " + map.kind() + ": " + map);
        }
    }
}
