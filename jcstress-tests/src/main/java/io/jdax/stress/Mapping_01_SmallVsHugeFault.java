package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingEntry;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A PTE fault and a PMD fault over one PMD range race (kernel-semantics property 8): never a PMD entry and a PTE
 * entry coexisting, and the page accounting never drifts. Both read a hole: the PMD fault maps a zero PMD
 * entry, which the PTE fault downgrades if it comes second; if the PTE fault comes first, the PMD fault falls
 * back to a PTE entry of its own.
 *
 * <p>r1: PMD entries left; r2: PTE entries left; r3: {@code verify()} passed (1) or not (0).
 */
@JCStressTest
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "PMD first, then downgraded by the PTE fault")
@Outcome(id = "0, 2, 1", expect = ACCEPTABLE, desc = "PTE first; the PMD fault fell back to a PTE entry")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "a PMD entry survived a PTE fault inside its range")
@Outcome(expect = FORBIDDEN, desc = "an entry was lost, or the accounting drifted")
@State
public class Mapping_01_SmallVsHugeFault {

    final Mapping m = MappingStress.SPACE.open(MappingStress.HOLES, MappingStress.FILE);

    @Actor
    public void small() {
        m.pin(3, false, 0).close();
    }

    @Actor
    public void huge() {
        m.pin(0, false, Mapping.PMD_ORDER).close();
    }

    @Arbiter
    public void after(III_Result r) {
        MappingEntry e = m.entry(0);
        r.r1 = e != null && e.order() == Mapping.PMD_ORDER ? 1 : 0;
        r.r2 = (int) m.entryCount() - r.r1;
        try {
            m.verify();
            r.r3 = 1;
        } catch (IllegalStateException broken) {
            r.r3 = 0;
        }
        m.close();
    }
}
