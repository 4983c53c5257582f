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
 * {@code slice()} races the parent's last release, and the releasing thread at once allocates again (the
 * pool's single free page comes straight back, so the freed folio is re-allocated). A slice must be refused
 * once the parent's count has reached 0: a slice that takes its folio reference after the re-allocation
 * holds memory that now belongs to the next buffer, and the counts stay balanced, so nothing else notices.
 * The arbiter writes through the next buffer and reads through the slice. Variants: FAST and CHECKED.
 *
 * <p>r1: the slice was made (1) or refused (0); r2: the slice sees the next buffer's bytes (1) or not (0).
 */
public class Pool_01_SliceVsLastRelease {

    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the slice came first and kept the folio; the next buffer got another")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the parent was released first; the slice was refused")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "the slice aliases memory re-allocated to another buffer")
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
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "the slice came first and kept the folio; the next buffer got another")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the parent was released first; the slice was refused")
    @Outcome(id = "1, 1", expect = FORBIDDEN, desc = "the slice aliases memory re-allocated to another buffer")
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
        PooledBuffer next;
        PooledBuffer slice;
        boolean failed;

        Race(PoolMode mode) {
            pool = StressPools.tiny(mode, 2);
            parent = pool.allocate(4096);
        }

        void doReleaseAndReallocate() {
            try {
                parent.release();
                next = pool.allocate(4096);
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
                if (failed || next == null) {
                    return -1;
                }
                int aliased = 0;
                if (slice != null) {
                    slice.segment().set(ValueLayout.JAVA_INT, 0, 1);
                    next.segment().set(ValueLayout.JAVA_INT, 0, 2);
                    aliased = slice.segment().get(ValueLayout.JAVA_INT, 0) == 2 ? 1 : 0;
                    slice.release();
                }
                next.release();
                return aliased;
            } catch (RuntimeException e) {
                return -1;
            } finally {
                pool.close();
            }
        }
    }
}
