package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.EntryLock;
import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingEntry;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * The downgrade of a zero PMD entry by a PTE fault races a PMD fault waiting on that entry's lock
 * (kernel-semantics property 9; kernel: {@code grab_mapping_entry} erasing the PMD entry with
 * {@code dax_wake_entry(..., WAKE_ALL)}): the waiter is always woken, and the page accounting never drifts. The
 * zero PMD entry starts locked; the first actor waits (a bounded spin) for the second to queue on it, unlocks
 * it and at once faults page 3 at order 0, which removes
 * the PMD entry if it gets there first; the second faults page 0 at the PMD order and so sleeps on the PMD
 * entry while it is locked. A downgrade that erased the entry without waking its waiters would strand the
 * second actor (it would never return: jcstress reports the test hung, an error the build fails on), or, woken
 * by the unlock just before the downgrade relocked the entry, leave it queued on a key nobody wakes again.
 *
 * <p>r1: waiters the first actor saw queued on the PMD entry right after its unlock; r2: PMD entries left;
 * r3: PTE entries left; r4: waiters left queued on page 0; r5: {@code verify()} passed and the mapping's pages
 * equal the sum over its entries (1) or not (0).
 */
@JCStressTest
@Outcome(id = "0, 0, [12], 0, 1", expect = ACCEPTABLE,
        desc = "no waiter queued when the first actor looked after its unlock: the PMD fault came before or after "
                + "the downgrade, and fell back to a PTE entry if after")
@Outcome(id = "1, 0, 1, 0, 1", expect = ACCEPTABLE,
        desc = "the PMD fault was queued, took the PMD entry on the unlock's wake, and the downgrade came after it")
@Outcome(id = "1, 0, 2, 0, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "the PMD fault was queued on the entry the downgrade erased, was woken, and fell back to a PTE entry")
@Outcome(id = "[01], 1, .*", expect = FORBIDDEN, desc = "a PMD entry survived the PTE fault inside its range")
@Outcome(expect = FORBIDDEN, desc = "a waiter left queued, an entry lost, or the page accounting drifted")
@State
public class Mapping_04_DowngradeVsPmdWaiter {

    final Mapping m = MappingStress.SPACE.open(MappingStress.HOLES, MappingStress.FILE);
    final EntryLock held;

    public Mapping_04_DowngradeVsPmdWaiter() {
        m.pin(0, false, Mapping.PMD_ORDER).close(); // a zero PMD entry
        held = m.lockEntry(0);
    }

    /** Spins bounding the first actor's wait for the second to queue, so that most samples race the waiter. */
    private static final int QUEUE_SPINS = 2_000;

    @Actor
    public void unlockThenDowngrade(IIIII_Result r) {
        for (int i = 0; i < QUEUE_SPINS && m.entryWaiters(0) == 0; i++) {
            Thread.onSpinWait(); // bounded: a sample where the PMD fault comes late is a sample, not a hang
        }
        held.close();
        r.r1 = m.entryWaiters(0);
        m.pin(3, false, 0).close();
    }

    @Actor
    public void pmdFault() {
        m.pin(0, false, Mapping.PMD_ORDER).close();
    }

    @Arbiter
    public void after(IIIII_Result r) {
        MappingEntry e = m.entry(0);
        r.r2 = e != null && e.order() == Mapping.PMD_ORDER ? 1 : 0;
        r.r3 = (int) m.entryCount() - r.r2;
        r.r4 = m.entryWaiters(0);
        long pages = ((long) r.r2 << Mapping.PMD_ORDER) + r.r3; // every other entry is a PTE entry
        try {
            m.verify();
            r.r5 = pages == m.nrPages() ? 1 : 0;
        } catch (IllegalStateException broken) {
            r.r5 = 0;
        }
        m.close();
    }
}
