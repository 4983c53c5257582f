package io.jdax.device;

import io.jdax.memory.KernelMappings;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import io.jdax.memory.WindowGroup;

import java.lang.foreign.Arena;

/**
 * Views of one {@link DeviceDax} that are revoked together (kernel: the page-table entries of one
 * {@code vm_area_struct} over the device, and the single TLB shootdown that {@code zap_page_range} ends
 * with). Every view of a group lives in one shared {@link Arena}; {@link #close()} closes it, and from then
 * on every segment of every view of the group throws {@link IllegalStateException} on access: the JDK's
 * thread handshake plays the TLB shootdown, and no thread can read or write through a revoked view.
 *
 * <h2>Why views are slices of a group-wide mapping</h2>
 * A view could be its own file mapping ({@link Region#mapView}, a {@code FileChannel.map} into the group's
 * arena). Measured here (JDK 25, tmpfs, 4 KiB views; {@code DeviceBenchmark.perViewFileMappings} against
 * {@code slicesOfOneMapping}, two runs): such a view costs 6.7 to 7.1 us to map and, at the group's
 * close, unmap, so the 262,144 order-0 views of 1 GiB would take about 1.8 s; a slice of one mapping costs
 * 15 to 16 ns, that mapping and the arena close included. Worse, each such view is a kernel VMA: past about 65,000 of them the process
 * reaches {@code vm.max_map_count} (65,530 by default), and the JVM, whose own thread stacks and heap
 * commits then fail to map, aborts with a fatal error. So a group maps the region once per 1 GiB window,
 * lazily, into its arena (one {@code mmap} of address space, about 25 us, nothing committed), and a view is
 * a slice of its window: no VMA, and mapping plus closing a view costs 55 to 65 ns in all. A window is
 * 1 GiB, the largest fault size, so no folio straddles two. Revocation keeps its guarantee at group
 * granularity, which is the granularity it can be afforded at anyway: closing a shared arena costs a thread
 * handshake (about 84 us, DESIGN.md) however many views it revokes.
 *
 * <p>What closing a single view does: it drops the view's reference and mapcount, and the view object
 * refuses further use. A segment the caller took from it earlier stays readable until the group closes.
 * For device memory that is safe: a {@code MEMORY_DEVICE_GENERIC} folio whose last reference goes stays
 * with the device, is never freed or handed to anyone else, and the bytes that segment reaches are the same
 * device bytes any other view may map. A caller that needs one view revocable on its own gives it a group
 * of its own (one handshake per close).
 *
 * <h2>Closing, and in-flight I/O</h2>
 * The group's close first revokes (closes the arena, which also unmaps the windows), then drops the
 * reference and mapcount of every view still open: memory becomes unreachable before the counts say it is
 * unmapped, as the kernel zaps and flushes before it puts. While an I/O operation (a channel read or write
 * from a view's {@code ByteBuffer}) is using a view, the JDK refuses to close the arena; the close then
 * throws {@link IllegalStateException}, no more views can be made, the views stay valid, and closing again
 * once the I/O completes finishes the job. Like a pin, in-flight I/O is waited for, not revoked.
 *
 * <p>Built on {@link WindowGroup}: each view holds a {@link DeviceFolios#insertMapping} that its close, or the
 * group's, gives back with {@link DeviceFolios#removeMapping}, under the group's lock, so that when the group's
 * close returns no view is still dropping counts (the device may then free its page map). Every window is a
 * kernel mapping counted against the process-wide {@link KernelMappings} budget: a group per view spends one
 * per group, and past the budget {@link #map} throws that budget's exception rather than let the JVM abort.
 *
 * <p>Thread safety: all methods may be called from any thread. Making and closing views take the group's
 * lock for a few operations (linking the view, its counts, a slice); threads that map at a high rate in
 * parallel should use a group each.
 */
public final class ViewGroup implements AutoCloseable {

    /** Bytes of region mapped at once into a group's arena: the PUD size, the largest fault size. */
    public static final long WINDOW_SIZE = WindowGroup.DEFAULT_WINDOW_SIZE;

    private final DeviceDax device;
    private final PageMap map;
    private final WindowGroup windows;

    ViewGroup(DeviceDax device) {
        this.device = device;
        this.map = device.pageMap();
        this.windows = WindowGroup.create(device.region(), WINDOW_SIZE);
    }

    /**
     * Maps the folio at device byte {@code offset}, which must be aligned to the fault size (kernel: a
     * fault at an address the device's alignment does not allow gets {@code VM_FAULT_SIGBUS}).
     *
     * @param offset a device byte offset, a multiple of {@link DeviceDax#faultSize()}
     * @return the view, holding a reference and a mapcount on the folio
     * @throws IllegalArgumentException  if {@code offset} is not a multiple of the fault size
     * @throws IndexOutOfBoundsException if {@code offset} is outside the device
     * @throws IllegalStateException     if the group is closed or closing, its window would pass the
     *                                   {@link KernelMappings} budget, or the folio's counts would overflow
     */
    public DeviceView map(long offset) {
        device.checkOffset(offset);
        long faultSize = device.faultSize();
        if ((offset & (faultSize - 1)) != 0) {
            throw new IllegalArgumentException("device offset " + offset + " is not aligned to the fault size "
                    + faultSize + " (order " + device.order() + "); map " + (offset & -faultSize)
                    + ", or use mapContaining(" + offset + ")");
        }
        return attach(offset);
    }

    /**
     * Maps the whole folio that contains device byte {@code offset}, wherever in the folio it falls; the view
     * starts at the folio's first byte and references its head.
     *
     * @param offset any device byte offset in {@code [0, device().byteSize())}
     * @return the view, holding a reference and a mapcount on the folio
     * @throws IndexOutOfBoundsException if {@code offset} is outside the device
     * @throws IllegalStateException     if the group is closed or closing, its window would pass the
     *                                   {@link KernelMappings} budget, or the folio's counts would overflow
     */
    public DeviceView mapContaining(long offset) {
        device.checkOffset(offset);
        return attach(offset & -device.faultSize());
    }

    /**
     * Maps the whole folio that contains page {@code pfn}, a head or a tail page; the view references the head.
     *
     * @param pfn any page of the device, in {@code [0, device().pageMap().nrPages())}
     * @return the view, holding a reference and a mapcount on the folio
     * @throws IndexOutOfBoundsException if {@code pfn} is outside the device
     * @throws IllegalStateException     if the group is closed or closing, its window would pass the
     *                                   {@link KernelMappings} budget, or the folio's counts would overflow
     */
    public DeviceView mapPage(long pfn) {
        long pages = map.nrPages();
        if (pfn < 0 || pfn >= pages) {
            throw new IndexOutOfBoundsException("pfn " + pfn + " is outside the device of " + pages + " pages");
        }
        return mapContaining(pfn << map.pageShift());
    }

    /** The fault: a slice of the window, then the folio's reference and mapcount, under the group's lock. */
    private DeviceView attach(long offset) {
        long head = offset >>> map.pageShift();
        FolioMapping hold = new FolioMapping(map, head);
        WindowGroup.View view;
        try {
            view = windows.map(offset, device.faultSize(), hold);
        } catch (IllegalStateException e) {
            if (!windows.isOpen()) {
                throw new IllegalStateException(this + " is closed: it maps no more views (make a new group)", e);
            }
            throw e;
        }
        return new DeviceView(this, head, view);
    }

    /** What a device view holds: one reference and one mapcount on its folio. */
    private static final class FolioMapping implements WindowGroup.Hold {
        private final PageMap map;
        private final long head;

        FolioMapping(PageMap map, long head) {
            this.map = map;
            this.head = head;
        }

        @Override
        public void take() {
            DeviceFolios.insertMapping(map, head);
        }

        @Override
        public void release() {
            try {
                DeviceFolios.removeMapping(map, head);
            } catch (IllegalStateException e) {
                if (map.isOpen()) {
                    throw e;
                }
                // the page map was closed under the view (its region closed): the counts went with it
            }
        }
    }

    /** {@return the device these views map} */
    public DeviceDax device() {
        return device;
    }

    /** {@return the views made and not yet closed} */
    public long liveViews() {
        return windows.liveViews();
    }

    /** {@return whether the group still maps new views} */
    public boolean isOpen() {
        return windows.isOpen();
    }

    /**
     * Revokes every view of the group, then drops the reference and mapcount of each view still open.
     * Idempotent. When it returns, no view of the group is still dropping its counts. Costs one thread
     * handshake and one unmap per window, however many views the group holds, plus a few atomic operations
     * per open view ({@code DeviceBenchmark.mapEveryViewThenRevokeGroup} measures it).
     *
     * @throws IllegalStateException if an I/O operation is using a view's memory: nothing is revoked or
     *                               dropped, no new view can be made, and a later close completes the job
     */
    @Override
    public void close() {
        windows.close();
        device.groupClosed(this);
    }

    @Override
    public String toString() {
        String state = windows.isOpen() ? "open" : windows.isRevoked() ? "closed" : "revoking";
        return "ViewGroup[" + state + ", over " + device + "]";
    }
}
