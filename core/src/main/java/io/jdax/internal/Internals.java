package io.jdax.internal;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Module-private bridges between layers (the JDK's "shared secrets" pattern): what one package of jdax
 * must reach in another without making it public API. This package is not exported.
 */
public final class Internals {

    private static volatile Function<PageMap, MemorySegment> memmapAccess;
    private static volatile BiConsumer<Region, FlushListener> flushListenerAccess;

    /** Sees every range a region flushes, after the flush, in the flushing thread (tests only). */
    @FunctionalInterface
    public interface FlushListener {
        /**
         * Called after the range was flushed.
         *
         * @param offset first byte flushed, page aligned
         * @param length bytes flushed, whole pages
         */
        void flushed(long offset, long length);
    }

    private Internals() {
    }

    /** Called once by {@link PageMap}'s static initialiser. */
    public static void registerMemmapAccess(Function<PageMap, MemorySegment> access) {
        memmapAccess = Objects.requireNonNull(access);
    }

    /** The descriptor array of {@code map}, laid out as {@link PageDescriptor} says. */
    public static MemorySegment memmap(PageMap map) {
        return memmapAccess.apply(map); // a PageMap instance exists, so its class has registered
    }

    /** Called once by {@link Region}'s static initialiser. */
    public static void registerFlushListenerAccess(BiConsumer<Region, FlushListener> access) {
        flushListenerAccess = Objects.requireNonNull(access);
    }

    /**
     * Sets (or, with null, clears) the listener that sees every flush of {@code region}: the crash simulation's
     * durable image and the stress tests' flush records hang on it.
     */
    public static void flushListener(Region region, FlushListener listener) {
        flushListenerAccess.accept(Objects.requireNonNull(region, "region"), listener);
    }
}
