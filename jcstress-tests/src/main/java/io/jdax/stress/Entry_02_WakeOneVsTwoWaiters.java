package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.EntryLock;
import io.jdax.mapping.Mapping;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * An entry unlock (a WAKE_NEXT) races two threads that want the entry lock (kernel-semantics property 7):
 * never "unlocked, waiters queued, none runnable". The entry starts locked; the first actor unlocks it and then
 * takes it twice more, the second takes it twice, so at each unlock the other may be asleep on it. A stranded
 * waiter never returns (jcstress then reports the test as hung, an error the build fails on); a wake consumed
 * and lost with the entry unlocked and a waiter still queued shows in the arbiter.
 *
 * <p>r1, r2: times each actor held the lock; r3: the entry is left locked (1); r4: waiters left queued on it.
 */
@JCStressTest
@Outcome(id = "2, 2, 0, 0", expect = ACCEPTABLE, desc = "every lock was handed on; nobody left waiting")
@Outcome(expect = FORBIDDEN, desc = "a lock was lost, the entry left locked, or a waiter left queued")
@State
public class Entry_02_WakeOneVsTwoWaiters {

    final Mapping m = MappingStress.SPACE.open(MappingStress.HOLES, MappingStress.FILE, 0);
    final EntryLock held;

    public Entry_02_WakeOneVsTwoWaiters() {
        m.pin(3, false).close(); // a zero-page entry to lock
        held = m.lockEntry(3);
    }

    @Actor
    public void unlockThenTakeTwice(IIII_Result r) {
        held.close();
        for (int i = 0; i < 2; i++) {
            try (EntryLock l = m.lockEntry(3)) {
                r.r1++;
            }
        }
    }

    @Actor
    public void takeTwice(IIII_Result r) {
        for (int i = 0; i < 2; i++) {
            try (EntryLock l = m.lockEntry(3)) {
                r.r2++;
            }
        }
    }

    @Arbiter
    public void after(IIII_Result r) {
        r.r3 = m.entry(3).locked() ? 1 : 0;
        r.r4 = m.entryWaiters(3);
        m.close();
    }
}
