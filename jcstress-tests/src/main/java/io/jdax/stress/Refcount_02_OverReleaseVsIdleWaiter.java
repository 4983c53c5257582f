package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.page.PageMap;
import io.jdax.page.RefcountException;

import java.util.concurrent.TimeUnit;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * A put at 0 (another caller's bug) races a correct idle waiter on the same idle dax folio. The put shows the
 * count -1 for the instant before it undoes itself; a waiter that tests the count in that instant goes to
 * sleep, and must be woken when the count is back at 0. Another caller's bug may fail that caller, never
 * strand a correct waiter. A stranded waiter is seen as a wait that ran to its deadline: the wait re-tests the
 * count at the deadline and would return true, only late, so the elapsed time is what tells.
 *
 * <p>r1: the waiter returned idle before its deadline; r2: the bad put was refused; r3: refcount afterwards.
 */
@JCStressTest
@Outcome(id = "true, true, 0", expect = ACCEPTABLE, desc = "the waiter saw 0 at once, or was woken by the undo")
@Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "the waiter slept through to its deadline: a lost wake-up")
@Outcome(expect = FORBIDDEN, desc = "the bad put was accepted or changed the count")
@State
public class Refcount_02_OverReleaseVsIdleWaiter {

    static final long DEADLINE_MS = 200;

    final PageMap map = StressMaps.DAX;
    final long head = StressMaps.folio(map, 0, 0);

    @Actor
    public void overRelease(ZZI_Result r) {
        try {
            map.put(head);
        } catch (RefcountException expected) {
            r.r2 = true;
        }
    }

    @Actor
    public void waiter(ZZI_Result r) {
        long start = System.nanoTime();
        try {
            boolean idle = map.awaitIdle(head, DEADLINE_MS, TimeUnit.MILLISECONDS, null);
            r.r1 = idle && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Arbiter
    public void count(ZZI_Result r) {
        r.r3 = map.refCount(head);
    }
}
