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
 * Making a view races the group's close: either the view is made before the close (and the close revokes it
 * and releases its hold) or it is refused with the group's "closed" exception having taken nothing. Never a
 * view whose hold the close missed, never a view still readable after the close.
 *
 * <p>r1: the map returned a view (1) or was refused as closed (0), or failed otherwise (-1); r2: a view made
 * is still readable after the group's close (1) or not (0); arbiter r3: holds taken, r4: holds released.
 */
@JCStressTest
@Outcome(id = "1, 0, 1, 1", expect = ACCEPTABLE, desc = "made before the close: revoked and released by it")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "refused as closed, having taken nothing")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "a view made was still readable after the group closed")
@Outcome(id = "1, 0, 1, 0", expect = FORBIDDEN, desc = "the close missed the new view's hold: a leak")
@Outcome(expect = FORBIDDEN, desc = "the map failed otherwise, or the counts are off")
@State
public class Window_02_MapVsGroupClose {

    static final Region REGION = Region.anonymous(8192);

    final AtomicInteger taken = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();
    final WindowGroup group = WindowGroup.create(REGION, 8192);
    final WindowGroup.Hold hold = new WindowGroup.Hold() {
        @Override
        public void take() {
            taken.incrementAndGet();
        }

        @Override
        public void release() {
            released.incrementAndGet();
        }
    };
    volatile WindowGroup.View view;

    public Window_02_MapVsGroupClose() {
        group.map(4096, 4096, new WindowGroup.Hold() { // the window is mapped already: the race is the map's checks
            @Override
            public void take() {
            }

            @Override
            public void release() {
            }
        });
    }

    @Actor
    public void map(IIII_Result r) {
        try {
            view = group.map(0, 4096, hold);
            r.r1 = 1;
        } catch (IllegalStateException e) {
            r.r1 = e.getMessage().contains("closed") ? 0 : -1;
        } catch (RuntimeException e) {
            r.r1 = -1;
        }
    }

    @Actor
    public void close() {
        group.close();
    }

    @Arbiter
    public void after(IIII_Result r) {
        WindowGroup.View v = view;
        if (v != null) {
            try {
                v.segment();
                r.r2 = 1;
            } catch (IllegalStateException revoked) {
                r.r2 = 0;
            }
        }
        r.r3 = taken.get();
        r.r4 = released.get();
    }
}
