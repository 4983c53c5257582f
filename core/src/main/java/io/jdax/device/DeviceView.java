package io.jdax.device;

import io.jdax.memory.WindowGroup;

import java.lang.foreign.MemorySegment;

/**
 * One folio of a {@link DeviceDax} mapped at the device's fault size (kernel: the PTE, PMD or PUD entry that
 * {@code __dev_dax_pte_fault}, {@code _pmd_fault} or {@code _pud_fault} installs). Made by a {@link ViewGroup};
 * holds one reference and one mapcount on the folio's head until it is closed, by itself or with its group.
 *
 * <p>{@link #close()} drops the reference and the mapcount once, whichever of the view and its group gets
 * there first, and from then on {@link #segment()} throws {@link IllegalStateException}. The memory behind a
 * segment obtained earlier is revoked by the group's close, not the view's: see {@link ViewGroup} for why, and
 * why that is safe for device memory.
 */
public final class DeviceView implements AutoCloseable {

    private final ViewGroup group;
    private final long head;
    private final WindowGroup.View view;

    DeviceView(ViewGroup group, long head, WindowGroup.View view) {
        this.group = group;
        this.head = head;
        this.view = view;
    }

    /**
     * {@return the folio's bytes, {@link #byteSize()} long, in the group's arena}
     *
     * @throws IllegalStateException if the view (or its group) is closed
     */
    public MemorySegment segment() {
        if (!isOpen()) {
            throw new IllegalStateException(this + " is closed: map the folio again from an open view group");
        }
        return view.segment();
    }

    /** {@return the device byte offset of the folio's first byte: a multiple of the fault size} */
    public long offset() {
        return view.offset();
    }

    /** {@return the bytes mapped: the device's fault size} */
    public long byteSize() {
        return view.byteSize();
    }

    /** {@return the head pfn of the folio this view references} */
    public long head() {
        return head;
    }

    /** {@return the group whose close revokes this view} */
    public ViewGroup group() {
        return group;
    }

    /** {@return whether the view still holds its reference and mapcount} */
    public boolean isOpen() {
        return view.isOpen();
    }

    /**
     * Drops the view's reference and mapcount (kernel: the zap of its entry). Idempotent, and safe against a
     * concurrent close of the group or of the device: exactly one of them drops, and neither throws for the
     * other.
     */
    @Override
    public void close() {
        view.close();
    }

    @Override
    public String toString() {
        return "DeviceView[offset " + view.offset() + ", " + view.byteSize() + " bytes, folio " + head
                + (isOpen() ? "" : ", closed") + "]";
    }
}
