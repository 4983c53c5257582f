package io.jdax.device;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A whole {@link Region} as one device-dax device: raw memory with no filesystem, mapped in folios of one
 * fixed order (kernel: {@code struct dev_dax} over a {@code MEMORY_DEVICE_GENERIC} {@code dev_pagemap} with
 * {@code vmemmap_shift} = the order, drivers/dax/device.c).
 *
 * <p>The order is chosen at creation and every folio is prepped then: order 0 (4 KiB, PTE faults), the PMD
 * order 9 (2 MiB) or the PUD order 18 (1 GiB), or any order in between whose folio size divides the region.
 * The fault size is the folio size, so a compound device page is one folio with one refcount: mapping or
 * pinning 1 GiB touches 262,144 counts at order 0, 512 at order 9 and one at order 18.
 *
 * <ul>
 *   <li>{@link #newViewGroup()} hands out groups in which device offsets are {@linkplain ViewGroup#map mapped}
 *       as {@link DeviceView}s, each holding a reference and a mapcount, revoked together with their group.</li>
 *   <li>{@link #pin} pins a byte range (kernel: {@code pin_user_pages}); pins are not revocable.</li>
 *   <li>{@link #stats()} counts mapped, pinned and idle folios.</li>
 * </ul>
 *
 * <p>Refcounts are zero-based: an idle folio has refcount 0 and stays with the device, ready to be mapped
 * again (the page map's {@link PageMap.Kind#DEVICE} kind). Offsets and alignment are relative to the region's
 * first byte.
 *
 * <p>Lifetime: the device owns its page map and its view groups. {@link #close()} does what the kernel does
 * to remove a device ({@code kill_dev_dax}, then the wait in {@code memunmap_pages}): it stops new work,
 * revokes every view ({@code unmap_mapping_range}), and frees the page map only once no pin is held; while
 * pins are held it throws, leaving the page map for their unpin, and a later close finishes. Closing the
 * region closes the device first; if pins are held then, the region reports the refusal and unmaps
 * regardless, taking the page map with it, and a pinned range closed afterwards has nothing left to unpin.
 * The page map is exposed for inspection; changing its layout (prep, split) breaks the device.
 */
public final class DeviceDax implements AutoCloseable {

    private final Region region;
    private final PageMap map;
    private final int order;
    private final long faultSize;
    private final Set<ViewGroup> groups = new LinkedHashSet<>(); // guarded by this
    private long pinnedRanges;                                    // guarded by this
    private volatile boolean closed;                              // written under this

    private DeviceDax(Region region, PageMap map, int order) {
        this.region = region;
        this.map = map;
        this.order = order;
        this.faultSize = map.pageSize() << order;
    }

    /**
     * Makes a device of the whole region in 4 KiB pages, every folio prepped at {@code order}.
     *
     * @param region the region to cover; the device claims it for its page map and closes with it; not null
     * @param order folio order, and so fault size: 0 (4 KiB), {@link PageMap#PMD_ORDER} (2 MiB),
     *              {@link PageMap#PUD_ORDER} (1 GiB), or any order between whose folio size divides the region
     * @throws IllegalArgumentException if the order is outside [0, {@link PageMap#PUD_ORDER}], or the region
     *                                  size is not a multiple of the folio size
     * @return the device, every folio idle
     * @throws IllegalStateException    if the region is closed or already has a page map
     */
    public static DeviceDax create(Region region, int order) {
        Objects.requireNonNull(region, "region");
        if (order < 0 || order > PageMap.PUD_ORDER) {
            throw new IllegalArgumentException("folio order " + order + " is outside [0, " + PageMap.PUD_ORDER
                    + "]: device-dax faults at 4 KiB (order 0), 2 MiB (order " + PageMap.PMD_ORDER
                    + ") or 1 GiB (order " + PageMap.PUD_ORDER + "), or any order between");
        }
        long folioSize = PageMap.DEFAULT_PAGE_SIZE << order;
        if (region.byteSize() % folioSize != 0) {
            throw new IllegalArgumentException("region of " + region.byteSize() + " bytes is not a whole number of"
                    + " order-" + order + " folios of " + folioSize + " bytes");
        }
        PageMap map = PageMap.device(region);
        try {
            long step = 1L << order;
            for (long head = 0; head < map.nrPages(); head += step) {
                map.prepCompound(head, order); // kernel: memmap_init_zone_device -> memmap_init_compound
            }
            DeviceDax device = new DeviceDax(region, map, order);
            region.attach(device); // after the map: the region closes the device first
            return device;
        } catch (RuntimeException | Error e) {
            map.close();
            throw e;
        }
    }

    /** {@return the region the device covers} */
    public Region region() {
        return region;
    }

    /** {@return the device's page map (kernel: its {@code dev_pagemap}), for inspection} */
    public PageMap pageMap() {
        return map;
    }

    /** {@return the order of every folio} */
    public int order() {
        return order;
    }

    /** {@return the bytes mapped by one fault: the folio size} */
    public long faultSize() {
        return faultSize;
    }

    /** {@return the bytes in the device} */
    public long byteSize() {
        return region.byteSize();
    }

    /** {@return the folios in the device} */
    public long folioCount() {
        return map.nrPages() >>> order;
    }

    /**
     * {@return a new, empty group of views} See {@link ViewGroup} for why views come in groups.
     *
     * @throws IllegalStateException if the device is closed
     */
    public synchronized ViewGroup newViewGroup() {
        requireOpen("make a view group");
        ViewGroup group = new ViewGroup(this);
        groups.add(group);
        return group;
    }

    /**
     * Pins every folio that {@code [offset, offset + length)} touches, once each (see
     * {@link PinnedRange#pin}): mapped folios directly, idle ones through the fault path. Closing the handle
     * unpins them all, once. If a folio cannot be pinned, the ones already pinned are unpinned and the
     * exception propagates.
     *
     * @param offset   first device byte of the range, {@code >= 0}
     * @param length   bytes in the range, {@code >= 1}, ending inside the device
     * @param longTerm a long-term pin ({@code FOLL_LONGTERM}): allowed on a device
     * @return the pins, held until the handle is closed
     * @throws IllegalArgumentException  if {@code length <= 0}
     * @throws IndexOutOfBoundsException if the range is outside the device
     * @throws IllegalStateException     if the device is closed, or a folio's count would overflow
     */
    public PinnedRange pin(long offset, long length, boolean longTerm) {
        PinnedRange.checkRange(map, offset, length);
        synchronized (this) {
            requireOpen("pin a range of it");
            pinnedRanges++;
        }
        try {
            return PinnedRange.pinChecked(map, this, offset, length, longTerm);
        } catch (RuntimeException | Error e) {
            rangeUnpinned();
            throw e;
        }
    }

    /**
     * Counts the folios that are mapped ({@code mapCount > 0}), maybe pinned
     * ({@link io.jdax.page.FolioPins#maybeDmaPinned}, which for an order-0 folio also says yes to 1024 or more
     * plain references) and idle (refcount 0). Scans every folio, a few loads each, so its cost is the folio
     * count: a large order makes it cheap. Each folio is read on its own, so under concurrent change the
     * snapshot is not atomic across folios.
     *
     * @return the counts
     * @throws IllegalStateException if the device is closed
     */
    public DeviceStats stats() {
        requireOpen("read its stats");
        long mapped = 0;
        long pinned = 0;
        long idle = 0;
        long step = 1L << order;
        try {
            for (long head = 0; head < map.nrPages(); head += step) {
                if (map.mapCount(head) > 0) {
                    mapped++;
                }
                if (map.pins().maybeDmaPinned(head)) {
                    pinned++;
                }
                if (map.refCount(head) == 0) {
                    idle++;
                }
            }
        } catch (IllegalStateException e) {
            requireOpen("read its stats"); // closed during the scan: say so, not the JDK's bare "Already closed"
            throw e;
        }
        return new DeviceStats(folioCount(), mapped, pinned, idle);
    }

    /** {@return whether the device is open: neither it nor its page map or region is closed} */
    public boolean isOpen() {
        return !closed && map.isOpen();
    }

    /**
     * Stops new groups and pins, closes every view group (revoking their views and dropping their counts),
     * then, once no pinned range is held, closes the page map. Idempotent; a close that threw can be repeated.
     *
     * @throws IllegalStateException if a group could not revoke its views because an I/O operation uses one,
     *                               or pinned ranges are still held (pins cannot be revoked: the views are
     *                               gone, the page map stays for the unpins); the device takes no new work,
     *                               and closing again once the I/O or the pins are done completes the close
     */
    @Override
    public void close() {
        List<ViewGroup> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(groups);
        }
        IllegalStateException failure = null;
        for (ViewGroup group : open) {
            try {
                group.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = new IllegalStateException("cannot close " + this + ": a view group did not close", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        synchronized (this) { // no pin can start now: closed is set, so the count only falls
            if (pinnedRanges > 0) {
                throw new IllegalStateException("cannot close " + this + ": its views are revoked, but "
                        + pinnedRanges + " pinned ranges are still held, and pins cannot be revoked; close again"
                        + " once they are unpinned");
            }
        }
        region.detach(this);
        map.close();
    }

    // ------------------------------------------------------------------ for the package

    /** Throws unless {@code offset} is a byte of the device. */
    void checkOffset(long offset) {
        if (offset < 0 || offset >= region.byteSize()) {
            throw new IndexOutOfBoundsException("device offset " + offset + " is outside the device of "
                    + region.byteSize() + " bytes");
        }
    }

    synchronized void groupClosed(ViewGroup group) {
        groups.remove(group);
    }

    synchronized void rangeUnpinned() {
        pinnedRanges--;
    }

    private void requireOpen(String toDo) {
        if (!isOpen()) {
            throw new IllegalStateException("cannot " + toDo + ": " + this + " is closed (with its page map"
                    + (region.isOpen() ? "" : " and its region") + "); create a new device over an open region");
        }
    }

    @Override
    public String toString() {
        return "DeviceDax[" + region.byteSize() + " bytes, order " + order + " (" + faultSize + "-byte faults)"
                + (closed ? ", closed" : "") + "]";
    }
}
