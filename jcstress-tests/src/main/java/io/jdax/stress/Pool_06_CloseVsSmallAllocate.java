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
 * {@code BufferPool.close()} races {@code allocate()} of a slab-backed buffer (256 bytes). Two clean outcomes
 * only: the allocation came first, so close reports its slab object as a leak and revokes its memory (a later
 * access throws); or close came first and the allocation is refused with an {@link IllegalStateException}. A buffer that close neither refused nor
 * reported, or one that stays readable after close, is forbidden. Variants: FAST and CHECKED.
 *
 * <p>r1: allocate returned a buffer (1), was refused (0), or failed otherwise (-1); r2: leaks close
 * reported; r3: the buffer's memory is still readable after close (1) or not (0).
 */
public class Pool_06_CloseVsSmallAllocate {

    @JCStressTest
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "allocated first; close reported the buffer and revoked it")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "closed first; the allocation was refused")
    @Outcome(id = "1, 0, .*", expect = FORBIDDEN, desc = "a buffer close neither refused nor reported")
    @Outcome(id = "0, 1, .*", expect = FORBIDDEN, desc = "a leak reported for an allocation that was refused")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a buffer still readable after its pool closed")
    @Outcome(expect = FORBIDDEN, desc = "an unexpected exception or state")
    @State
    public static class Fast extends Race {
        public Fast() {
            super(PoolMode.FAST);
        }

        @Actor
        public void allocate(III_Result r) {
            r.r1 = doAllocate();
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
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "allocated first; close reported the buffer and revoked it")
    @Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "closed first; the allocation was refused")
    @Outcome(id = "1, 0, .*", expect = FORBIDDEN, desc = "a buffer close neither refused nor reported")
    @Outcome(id = "0, 1, .*", expect = FORBIDDEN, desc = "a leak reported for an allocation that was refused")
    @Outcome(id = ".*, .*, 1", expect = FORBIDDEN, desc = "a buffer still readable after its pool closed")
    @Outcome(expect = FORBIDDEN, desc = "an unexpected exception or state")
    @State
    public static class Checked extends Race {
        public Checked() {
            super(PoolMode.CHECKED);
        }

        @Actor
        public void allocate(III_Result r) {
            r.r1 = doAllocate();
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
        MemorySegment segment;
        boolean closeFailed;

        Race(PoolMode mode) {
            pool = StressPools.cached(mode, 4);
        }

        int doAllocate() {
            try {
                PooledBuffer b = pool.allocate(256);
                segment = b.segment();
                return 1;
            } catch (IllegalStateException refused) {
                return refused.getMessage().contains("pool is closed") ? 0 : -1;
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
