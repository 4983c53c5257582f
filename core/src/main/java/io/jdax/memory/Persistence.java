package io.jdax.memory;

/**
 * How the bytes of a {@link Region} reach durable media, and what {@link Region#flush} does.
 *
 * <p>{@link #AUTO} is only a request: a region reports the mode it actually chose.
 */
public enum Persistence {
    /**
     * The file is mapped with {@code MAP_SYNC} ({@code ExtendedMapMode.READ_WRITE_SYNC}): stores reach
     * persistent memory through the CPU caches only, with no page cache, and a flush writes the cache lines
     * back (the JDK issues cache-line writeback instructions and a fence). Needs a DAX mount; elsewhere the
     * mapping fails with a clear {@link java.io.IOException}.
     */
    SYNC,
    /** A plain shared file mapping: a flush is an {@code msync} of the range. Works on every filesystem. */
    MSYNC,
    /** Request only: {@link #SYNC} where the filesystem supports it, otherwise {@link #MSYNC}. */
    AUTO,
    /** Anonymous memory: nothing is durable and a flush only validates its range. */
    NONE
}
