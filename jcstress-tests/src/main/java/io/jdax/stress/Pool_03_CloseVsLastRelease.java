package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;
import io.jdax.pool.PooledBuffer;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code BufferPool.close()} races the last {@code release()} of a buffer. Two clean outcomes only: the
 * release came first (it returns true and close reports nothing), or close came first (it reports the buffer
 * as a leak, and the release is refused saying so, its count left at 1). A release that fails or is refused
 * while close reports nothing, or one that succeeds although close reported it, is forbidden; so is a second
 * release that answers differently from the first. Variants: FAST and CHECKED.
 *
 * <p>r1: the release returned true (1), was refused as reported (0), or failed otherwise (-1); r2: leaks
 * close reported; r3: a second release, after both, was refused as reported (1) or failed otherwise (0);
 * skipped (1) when the first release succeeded.
 */
public class Pool_03_CloseVsLastRelease {

    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "released first; close found nothing outstanding")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "closed first; close reported the buffer, the release was refused")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "a buffer both released and reported as a leak")
    @Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "a release refused as reported, but close reported nothing")
    @Outcome(expect = FORBIDDEN, desc = "an unexpected exception or state")
    @State
    public static class Fast extends Race {
        public Fast() {
            super(PoolMode.FAST);
        }

        @Actor
        public void release(III_Result r) {
            r.r1 = doRelease();
        }

        @Actor
        public void close() {
            doClose();
        }

        @Arbiter
        public void check(III_Result r) {
            r.r2 = leaks();
            r.r3 = secondRelease(r.r1);
        }
    }

    @JCStressTest
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "released first; close found nothing outstanding")
    @Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "closed first; close reported the buffer, the release was refused")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "a buffer both released and reported as a leak")
    @Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "a release refused as reported, but close reported nothing")
    @Outcome(expect = FORBIDDEN, desc = "an unexpected exception or state")
    @State
    public static class Checked extends Race {
        public Checked() {
            super(PoolMode.CHECKED);
        }

        @Actor
        public void release(III_Result r) {
            r.r1 = doRelease();
        }

        @Actor
        public void close() {
            doClose();
        }

        @Arbiter
        public void check(III_Result r) {
            r.r2 = leaks();
            r.r3 = secondRelease(r.r1);
        }
    }

    /** The shared body of both variants. */
    abstract static class Race {
        final BufferPool pool;
        final PooledBuffer buffer;
        boolean closeFailed;

        Race(PoolMode mode) {
            pool = StressPools.cached(mode, 4);
            buffer = pool.allocate(4096);
        }

        int doRelease() {
            try {
                return buffer.release() ? 1 : -1;
            } catch (IllegalStateException refused) {
                return refused.getMessage().contains("reported") ? 0 : -1;
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

        int secondRelease(int first) {
            if (first == 1) {
                return 1;
            }
            try {
                buffer.release();
                return 0;
            } catch (IllegalStateException refused) {
                return refused.getMessage().contains("reported") && buffer.refCnt() == 1 ? 1 : 0;
            }
        }
    }
}
