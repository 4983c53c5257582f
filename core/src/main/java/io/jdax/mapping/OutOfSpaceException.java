package io.jdax.mapping;

/**
 * A write needed a block and the extent source had none left (kernel: {@code -ENOSPC} from the filesystem's
 * block allocator). What the failing call had done by then is in {@link #written()}: a write copies entry by
 * entry, so the bytes before the entry that found no block are written and the rest are not.
 */
public class OutOfSpaceException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** Bytes of the failing call written before it failed. */
    private final long written;

    /**
     * An exception for a call that ran out of space after writing {@code written} of its bytes.
     *
     * @param message what failed, naming the page, the file and the space
     * @param written bytes of the failing call written before it failed, at least 0
     * @param cause   the failure underneath, or null
     */
    public OutOfSpaceException(String message, long written, Throwable cause) {
        super(message, cause);
        if (written < 0) {
            throw new IllegalArgumentException("written " + written + " is negative");
        }
        this.written = written;
    }

    /**
     * Bytes the failing call wrote before it ran out of space, counted from its first byte (0 for a fault or a
     * pin, which write nothing).
     *
     * @return the bytes written
     */
    public long written() {
        return written;
    }
}
