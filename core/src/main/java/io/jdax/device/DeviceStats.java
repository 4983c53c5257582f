package io.jdax.device;

/**
 * Folio counts of a {@link DeviceDax} at one moment, from {@link DeviceDax#stats()}. A folio may be both
 * mapped and pinned; an idle folio is neither.
 *
 * @param folios every folio of the device
 * @param mapped folios with a mapcount above 0: some view maps them
 * @param pinned folios that {@code maybeDmaPinned} reports (exact for large folios; for order-0 folios, 1024
 *               or more plain references also count)
 * @param idle   folios with refcount 0: neither mapped nor pinned nor otherwise referenced
 */
public record DeviceStats(long folios, long mapped, long pinned, long idle) {

    /**
     * Checks the counts against each other, so that a snapshot never reports more mapped folios than exist.
     *
     * @throws IllegalArgumentException if a count is negative or exceeds {@code folios}
     */
    public DeviceStats {
        if (folios < 0 || mapped < 0 || mapped > folios || pinned < 0 || pinned > folios || idle < 0 || idle > folios) {
            throw new IllegalArgumentException("inconsistent counts: folios " + folios + ", mapped " + mapped
                    + ", pinned " + pinned + ", idle " + idle);
        }
    }

    /** {@return the folios referenced by something: {@code folios - idle}} */
    public long busy() {
        return folios - idle;
    }
}
