package io.jdax.memory;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process-wide budget of kernel mappings (VMAs) that jdax may create. Every path of the library that
 * maps memory counts here first: a {@link Region} (one mapping), a {@link Region#mapView} (one per call,
 * which is how a CHECKED pool maps each buffer) and a {@link WindowGroup} window (one per window it maps).
 *
 * <p>Why: a Linux process holds at most {@code vm.max_map_count} mappings (65,530 by default). Past that,
 * {@code mmap} fails, and the JVM, whose own thread stacks, heap commits and code cache need mappings too,
 * aborts with a fatal error instead of throwing. So jdax refuses, with an {@link IllegalStateException}
 * naming the limit, well before the kernel would: by default it takes at most half of
 * {@code /proc/sys/vm/max_map_count} (read once; 65,530 when it cannot be read), leaving the other half to
 * the JVM and the rest of the process. The system property {@value #LIMIT_PROPERTY}, read once when this
 * class initialises, sets another budget (a positive count).
 *
 * <p>A mapping is counted from just before it is made until the arena it was mapped into is closed (or,
 * for an automatic arena, collected). The library does not learn of an arena's close as it happens: a
 * mapping whose arena has closed is forgotten the next time {@link #inUse()} is read or a new mapping would
 * pass the budget, so the count never refuses a mapping that closed arenas have given back.
 *
 * <p>Thread safety: all methods may be called from any thread; a mapping is a microseconds-long system
 * call, so the counting takes one lock.
 */
public final class KernelMappings {

    /** System property with the budget, a positive count of mappings; read once. */
    public static final String LIMIT_PROPERTY = "jdax.maxMappings";

    /** {@code vm.max_map_count} assumed when {@code /proc/sys/vm/max_map_count} cannot be read: the kernel's default. */
    public static final long DEFAULT_MAX_MAP_COUNT = 65_530;

    private static final Object LOCK = new Object();
    private static final List<WeakReference<MemorySegment.Scope>> LIVE = new ArrayList<>(); // guarded by LOCK
    private static long counted;                                                           // guarded by LOCK
    private static long limit;      // guarded by LOCK; 0 until first needed (see budget())

    private KernelMappings() {
    }

    /** {@return the budget: how many mappings jdax may hold at once} */
    public static long limit() {
        synchronized (LOCK) {
            return budget();
        }
    }

    /**
     * The budget, read from the property or the kernel the first time it is needed. Not in the class's
     * initializer: a bad {@code -Djdax.maxMappings} would then fail the class for good, and every later region
     * would throw {@code NoClassDefFoundError} instead of the exception that names the value.
     */
    private static long budget() {
        if (limit == 0) {
            limit = initialLimit();
        }
        return limit;
    }

    /** {@return the mappings jdax holds now} Those whose arena is closed are forgotten first. */
    public static long inUse() {
        synchronized (LOCK) {
            forgetClosed();
            return counted;
        }
    }

    /** Sets the budget; for tests, which cannot afford thousands of mappings to reach the real one. */
    static void limit(long mappings) {
        if (mappings <= 0) {
            throw new IllegalArgumentException("mapping budget must be positive: " + mappings);
        }
        synchronized (LOCK) {
            limit = mappings;
        }
    }

    /**
     * Counts one mapping about to be made for {@code what}; follow with {@link #track} once it is made, or
     * {@link #cancel} if it was not.
     *
     * @throws IllegalStateException    if the budget is spent: the message names it and what to do
     * @throws IllegalArgumentException if {@code -Djdax.maxMappings} is not a positive count (naming it)
     */
    static void reserve(Object what) {
        synchronized (LOCK) {
            long budget = budget();
            if (counted >= budget) {
                forgetClosed();
            }
            if (counted >= budget) {
                throw new IllegalStateException("cannot map " + what + ": jdax already holds " + counted
                        + " kernel mappings, its budget (" + budget + "; the process may hold vm.max_map_count = "
                        + maxMapCount() + " in all, and the JVM aborts past that). Close regions, view groups or"
                        + " CHECKED buffers you no longer need, share view groups instead of making one per view,"
                        + " or set -D" + LIMIT_PROPERTY + "=N (after raising vm.max_map_count)");
            }
            counted++;
        }
    }

    /** The reserved mapping was made into {@code scope}: it stays counted until that scope closes. */
    static void track(MemorySegment.Scope scope) {
        synchronized (LOCK) {
            LIVE.add(new WeakReference<>(scope));
        }
    }

    /** The reserved mapping was not made. */
    static void cancel() {
        synchronized (LOCK) {
            counted--;
        }
    }

    /** Drops the mappings whose arena has closed or been collected: swap-remove, order does not matter. */
    private static void forgetClosed() {
        for (int i = LIVE.size() - 1; i >= 0; i--) {
            MemorySegment.Scope scope = LIVE.get(i).get();
            if (scope == null || !scope.isAlive()) {
                int last = LIVE.size() - 1;
                LIVE.set(i, LIVE.get(last));
                LIVE.remove(last);
                counted--;
            }
        }
    }

    private static long initialLimit() {
        String property = System.getProperty(LIMIT_PROPERTY);
        if (property != null) {
            try {
                long value = Long.parseLong(property.trim());
                if (value > 0) {
                    return value;
                }
            } catch (NumberFormatException ignored) {
                // reported just below, with the value
            }
            throw new IllegalArgumentException("-D" + LIMIT_PROPERTY + "=" + property + " is not a positive count");
        }
        return maxMapCount() / 2;
    }

    private static long maxMapCount() {
        // read a line: Files.readString of this /proc file returns its first byte only on JDK 25 (measured here)
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/vm/max_map_count"))) {
            long value = Long.parseLong(in.readLine().trim());
            return value > 0 ? value : DEFAULT_MAX_MAP_COUNT;
        } catch (IOException | RuntimeException unreadable) {
            return DEFAULT_MAX_MAP_COUNT;
        }
    }
}
