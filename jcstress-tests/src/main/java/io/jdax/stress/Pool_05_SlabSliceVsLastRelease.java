package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;
import io.jdax.pool.PooledBuffer;

import java.lang.foreign.ValueLayout;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@code slice()} of a slab-backed buffer races the buffer's last release, and the releasing thread at once
 * allocates again. The pool is one page: one slab of two 2048-byte objects, both taken and the slab retired
 * as full, so the released object is the only free one and the next allocation gets exactly it. A slab
 * object has no count of its own: a slice made after the buffer's count reached 0 would share the object
 * with the next buffer. The arbiter writes through the next buffer and reads through the slice. Variants:
 * FAST and CHECKED.
 *
 * <p>r1: the slice was made (1) or refused (0); r2: the slice sees the next buffer's bytes (1) or not (0).
 */
public class Pool_05_SlabSliceVsLastRelease {

    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the slice came first and kept the object; the next allocation found no room")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the parent was released first; the slice was refused, the next buffer reuses the object")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "the slice aliases a slab object re-allocated to another buffer")
    @Outcome(expect = FORBIDDEN, desc = "an unexpected exception or state")
    @State
    public static class Fast extends Race {
        public Fast() {
            super(PoolMode.FAST);
        }

        @Actor
        public void releaseAndReallocate() {
            doReleaseAndReallocate();
        }

        @Actor
        public void slice(II_Result r) {
            r.r1 = doSlice();
        }

        @Arbiter
        public void check(II_Result r) {
            r.r2 = aliasedAndClose();
        }
    }

    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the slice came first and kept the object; the next allocation found no room")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the parent was released first; the slice was refused, the next buffer reuses the object")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "the slice aliases a slab object re-allocated to another buffer")
    @Outcome(expect = FORBIDDEN, desc = "an unexpected exception or state")
    @State
    public static class Checked extends Race {
        public Checked() {
            super(PoolMode.CHECKED);
        }

        @Actor
        public void releaseAndReallocate() {
            doReleaseAndReallocate();
        }

        @Actor
        public void slice(II_Result r) {
            r.r1 = doSlice();
        }

        @Arbiter
        public void check(II_Result r) {
            r.r2 = aliasedAndClose();
        }
    }

    /** The shared body of both variants. */
    abstract static class Race {
        final BufferPool pool;
        final PooledBuffer parent;
        final PooledBuffer filler;
        PooledBuffer next;
        PooledBuffer slice;
        boolean failed;

        Race(PoolMode mode) {
            pool = StressPools.tiny(mode, 1);
            parent = pool.allocate(2048);
            filler = pool.allocate(2048);
            // finds the slab exhausted and no page for another: retires the slab as full, off every stripe
            if (pool.tryAllocate(2048).isPresent()) {
                throw new IllegalStateException("the pool should hold one slab of two objects");
            }
        }

        void doReleaseAndReallocate() {
            try {
                parent.release();
                next = pool.tryAllocate(2048).orElse(null);
            } catch (RuntimeException e) {
                failed = true;
            }
        }

        int doSlice() {
            try {
                slice = parent.slice(0, 8);
                return 1;
            } catch (IllegalStateException refused) {
                return 0;
            } catch (RuntimeException e) {
                return -1;
            }
        }

        int aliasedAndClose() {
            try {
                if (failed || next == null && slice == null) {
                    return -1; // with no slice holding the object, the next allocation must get it back
                }
                int aliased = 0;
                if (slice != null && next != null) {
                    slice.segment().set(ValueLayout.JAVA_INT, 0, 1);
                    next.segment().set(ValueLayout.JAVA_INT, 0, 2);
                    aliased = slice.segment().get(ValueLayout.JAVA_INT, 0) == 2 ? 1 : 0;
                }
                if (slice != null) {
                    slice.release();
                }
                if (next != null) {
                    next.release();
                }
                filler.release();
                return aliased;
            } catch (RuntimeException e) {
                return -1;
            } finally {
                pool.close();
            }
        }
    }
}
