package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.memory.Region;
import io.jdax.memory.WindowGroup;

import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * A view's close races its group's close: exactly one of them releases the view's hold, neither throws, and
 * once the group's close has returned no release is still running (the group's close waits for a view's
 * release already under way: without that, a layer that frees what holds refer to right after closing its
 * groups would free it under a running release).
 *
 * <p>r1: the view's close returned (0) or threw (1); r2: the group's close returned (0) or threw (1); r3:
 * releases still running when the group's close returned (the hold counts itself in and out); arbiter r4:
 * releases in all.
 */
@JCStressTest
@Outcome(id = "0, 0, 0, 1", expect = ACCEPTABLE, desc = "one release, by whichever close claimed the view; none "
        + "running once the group's close returned")
@Outcome(id = "0, 0, 0, 2", expect = FORBIDDEN, desc = "the hold was released twice")
@Outcome(id = "0, 0, 0, 0", expect = FORBIDDEN, desc = "the hold was never released")
@Outcome(id = "0, 0, 1, .*", expect = FORBIDDEN, desc = "the group's close returned while the view's release ran")
@Outcome(expect = FORBIDDEN, desc = "a close threw")
@State
public class Window_01_ViewCloseVsGroupClose {

    static final Region REGION = Region.anonymous(4096);

    final AtomicInteger releases = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final WindowGroup group = WindowGroup.create(REGION, 4096);
    final WindowGroup.View view = group.map(0, 4096, new WindowGroup.Hold() {
        @Override
        public void take() {
        }

        @Override
        public void release() {
            running.incrementAndGet();
            releases.incrementAndGet();
            Thread.onSpinWait(); // widen the window in which a release is running
            running.decrementAndGet();
        }
    });

    @Actor
    public void closeView(IIII_Result r) {
        try {
            view.close();
        } catch (RuntimeException e) {
            r.r1 = 1;
        }
    }

    @Actor
    public void closeGroup(IIII_Result r) {
        try {
            group.close();
            r.r3 = running.get();
        } catch (RuntimeException e) {
            r.r2 = 1;
        }
    }

    @Arbiter
    public void after(IIII_Result r) {
        r.r4 = releases.get();
    }
}
