package io.jdax.device;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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

    private static final VarHandle OPEN;

    static {
        try {
            OPEN = MethodHandles.lookup().findVarHandle(DeviceView.class, "open", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ViewGroup group;
    private final long head;
    private final long offset;
    private final MemorySegment segment;
    @SuppressWarnings("unused") // through OPEN
    private volatile boolean open = true;

    /** Neighbours in the group's list of live views; guarded by the group's lock. */
    DeviceView prev;
    DeviceView next;

    DeviceView(ViewGroup group, long head, long offset, MemorySegment segment) {
        this.group = group;
        this.head = head;
        this.offset = offset;
        this.segment = segment;
    }

    /**
     * The folio's bytes, {@link #byteSize()} long, in the group's arena.
     *
     * @throws IllegalStateException if the view (or its group) is closed
     */
    public MemorySegment segment() {
        if (!isOpen()) {
            throw new IllegalStateException("view of device offset " + offset + " (folio " + head
                    + ") is closed");
        }
        return segment;
    }

    /** Device byte offset of the folio's first byte: a multiple of the fault size. */
    public long offset() {
        return offset;
    }

    /** Bytes mapped: the device's fault size. */
    public long byteSize() {
        return segment.byteSize();
    }

    /** Head pfn of the folio this view references. */
    public long head() {
        return head;
    }

    /** The group whose close revokes this view. */
    public ViewGroup group() {
        return group;
    }

    /** Whether the view still holds its reference and mapcount. */
    public boolean isOpen() {
        return (boolean) OPEN.getVolatile(this);
    }

    /**
     * Drops the view's reference and mapcount (kernel: the zap of its entry). Idempotent, and safe against a
     * concurrent close of the group: exactly one of them drops.
     */
    @Override
    public void close() {
        if (claim()) {
            group.release(this);
        }
    }

    /** Marks the view closed; true for the one caller that then owes the folio its reference and mapcount. */
    boolean claim() {
        return OPEN.compareAndSet(this, true, false);
    }

    @Override
    public String toString() {
        return "DeviceView[offset " + offset + ", " + segment.byteSize() + " bytes, folio " + head
                + (isOpen() ? "" : ", closed") + "]";
    }
}
