package io.jdax.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The count a slab-backed buffer and its slices share on their object. A slab object has no count of its
 * own (kernel: a {@code kmalloc} object is freed once, by whoever owns it), so the last of the buffer and its
 * slices to let go frees it. A FAST buffer makes it at its first slice, with the buffer's own hold as 1; a
 * CHECKED buffer at allocation (its view needs it to give the object back).
 */
final class SlabShare {

    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(SlabShare.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through COUNT
    private volatile int count = 1;

    /** One more holder; the caller is a holder, so the count is above 0. */
    void get() {
        COUNT.getAndAdd(this, 1);
    }

    /** Drops a hold; true if it was the last, and the object is then the caller's to free. */
    boolean put() {
        return (int) COUNT.getAndAdd(this, -1) == 1;
    }

    int count() {
        return (int) COUNT.getVolatile(this);
    }
}
