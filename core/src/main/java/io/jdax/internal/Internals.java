package io.jdax.internal;

import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Function;

/**
 * Module-private bridges between layers (the JDK's "shared secrets" pattern): what one package of jdax
 * must reach in another without making it public API. This package is not exported.
 */
public final class Internals {

    private static volatile Function<PageMap, MemorySegment> memmapAccess;

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
}
