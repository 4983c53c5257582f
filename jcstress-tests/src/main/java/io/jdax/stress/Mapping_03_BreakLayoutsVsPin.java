package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingEntry;
import io.jdax.mapping.MappingPin;
import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Layout breaking races a pin and its release (kernel-semantics property 13): the break must never delete the
 * entry, nor disassociate its folio, while a pin holds it. If the pin comes first, the break waits for the
 * unpin and then deletes; if the break comes first, the pin faults the entry in again afterwards.
 *
 * <p>r1: the break returned (0) or was interrupted (-1); r2: while pinned, the entry was there and its folio
 * owned by the file (1) or not (0); r3: the pinned folio's refcount was above 0 (1); r4: entries left.
 */
@JCStressTest
@Outcome(id = "0, 1, 1, 0", expect = ACCEPTABLE, desc = "pinned first: the break waited for the unpin, then deleted")
@Outcome(id = "0, 1, 1, 1", expect = ACCEPTABLE, desc = "the break first: the pin faulted the entry in again")
@Outcome(id = "0, 0, .*", expect = FORBIDDEN, desc = "the entry was deleted or disassociated while pinned")
@Outcome(expect = FORBIDDEN, desc = "a reference was lost, or the break failed")
@State
public class Mapping_03_BreakLayoutsVsPin {

    final PageMap map = MappingStress.MAP;
    final MappingStress.Lease lease = MappingStress.lease(this);
    final long block = lease.block();
    final Mapping m = lease.open(MappingStress.extents(block, false), MappingStress.FILE);

    public Mapping_03_BreakLayoutsVsPin() {
        m.pin(0, false).close(); // the entry is there, its folio owned, idle
    }

    @Actor
    public void breakLayouts(IIII_Result r) {
        try {
            m.breakLayouts(0, MappingStress.FILE, null);
        } catch (InterruptedException e) {
            r.r1 = -1;
        }
    }

    @Actor
    public void pinAndUnpin(IIII_Result r) {
        try (MappingPin pin = m.pin(3, false)) {
            MappingEntry e = m.entry(3);
            r.r2 = e != null && e.pfn() == block && map.owners().mapping(block) == m.id() ? 1 : 0;
            r.r3 = map.refCount(pin.pfn()) > 0 ? 1 : 0;
        }
    }

    @Arbiter
    public void after(IIII_Result r) {
        r.r4 = (int) m.entryCount();
        lease.release(); // closes m
    }
}
