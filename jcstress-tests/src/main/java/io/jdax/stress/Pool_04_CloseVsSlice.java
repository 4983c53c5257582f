package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;
import io.jdax.pool.PooledBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code BufferPool.close()} races {@code slice()} of a buffer still outstanding. Two clean outcomes only:
 * the slice came first, and close reports it (a FAST slice shares its parent's folio, reported once; a
 * CHECKED slice is a buffer of its own, reported on its own) and revokes it; or close came first and the
 * slice is refused with an {@link IllegalStateException} saying the pool was closed. The JDK's bare
 * "Already closed" from memory unmapped under the slice, a slice close did not account for, or one still
 * readable after close is forbidden. Variants: FAST and CHECKED.
 *
 * <p>r1: the slice was made (1), refused naming the closed pool (0), or failed otherwise (-1); r2: leaks
 * close reported; r3: the slice's memory is still readable after close (1) or not (0).
 */
public class Pool_04_CloseVsSlice {

    @JCStressTest
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "sliced first; close reported the shared folio and revoked it")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "closed first; the slice was refused")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a slice still readable after its pool closed")
    @Outcome(expect = FORBIDDEN, desc = "an unclear failure, or a leak count that does not match")
    @State
    public static class Fast extends Race {
        public Fast() {
            super(PoolMode.FAST);
        }

        @Actor
        public void slice(III_Result r) {
            r.r1 = doSlice();
        }

        @Actor
        public void close() {
            doClose();
        }

        @Arbiter
        public void check(III_Result r) {
            r.r2 = leaks();
            r.r3 = readable();
        }
    }

    @JCStressTest
    @Outcome(id = "1, 2, 0", expect = ACCEPTABLE, desc = "sliced first; close reported the parent and the slice")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "closed first; the slice was refused, the parent reported")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a slice still readable after its pool closed")
    @Outcome(expect = FORBIDDEN, desc = "an unclear failure, or a leak count that does not match")
    @State
    public static class Checked extends Race {
        public Checked() {
            super(PoolMode.CHECKED);
        }

        @Actor
        public void slice(III_Result r) {
            r.r1 = doSlice();
        }

        @Actor
        public void close() {
            doClose();
        }

        @Arbiter
        public void check(III_Result r) {
            r.r2 = leaks();
            r.r3 = readable();
        }
    }

    /** The shared body of both variants. */
    abstract static class Race {
        final BufferPool pool;
        final PooledBuffer parent;
        MemorySegment segment;
        boolean closeFailed;

        Race(PoolMode mode) {
            pool = StressPools.cached(mode, 4);
            parent = pool.allocate(4096);
        }

        int doSlice() {
            try {
                segment = parent.slice(0, 8).segment();
                return 1;
            } catch (IllegalStateException refused) {
                return refused.getMessage().contains("pool was closed") ? 0 : -1;
            } catch (RuntimeException e) {
                return -1;
            }
        }

        void doClose() {
            try {
                pool.close();
            } catch (RuntimeException e) {
                closeFailed = true;
            }
        }

        int leaks() {
            return closeFailed ? -1 : (int) pool.stats().leaks();
        }

        int readable() {
            if (segment == null) {
                return 0;
            }
            try {
                segment.get(ValueLayout.JAVA_BYTE, 0);
                return 1;
            } catch (IllegalStateException revoked) {
                return 0;
            }
        }
    }
}
