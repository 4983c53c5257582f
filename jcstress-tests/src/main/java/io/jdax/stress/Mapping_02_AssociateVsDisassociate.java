package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.ExtentSource;
import io.jdax.mapping.Mapping;
import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * File C associates a reflinked PMD folio while file B, which shares it with A, lets go of it (kernel-semantics
 * property 12): no lost share update, and no split while the share count is above 0. The two run under
 * different mapping locks; the folio's owner word and layout change together under its association stripe.
 *
 * <p>Arbiter, after both: r1 owning mapping (0: shared), r2 share count, r3 folio order; then A and C close too:
 * r4 the folio's order, r5 its refcount.
 */
@JCStressTest
@Outcome(id = "0, 2, 9, 0, 0", expect = ACCEPTABLE,
        desc = "shared by A and B, then +C and -B in either order: 2 sharers, still compound; split at the end")
@Outcome(expect = FORBIDDEN, desc = "a share update was lost, or the folio was split while shared")
@State
public class Mapping_02_AssociateVsDisassociate {

    final PageMap map = MappingStress.MAP;
    final MappingStress.Lease lease = MappingStress.lease(this);
    final long block = lease.block();
    final ExtentSource source = MappingStress.extents(block, true);
    final Mapping a = lease.open(source, MappingStress.FILE);
    final Mapping b = lease.open(source, MappingStress.FILE);
    final Mapping c = lease.open(source, MappingStress.FILE);

    public Mapping_02_AssociateVsDisassociate() {
        a.pin(0, false).close(); // owned by A
        b.pin(0, false).close(); // shared by A and B
    }

    @Actor
    public void associateOnC() {
        c.pin(7, false).close();
    }

    @Actor
    public void disassociateOnB() {
        b.close();
    }

    @Arbiter
    public void after(IIIII_Result r) {
        r.r1 = (int) map.owners().mapping(block);
        r.r2 = r.r1 == 0 ? (int) map.owners().share(block) : -1;
        r.r3 = map.order(block);
        a.close();
        c.close();
        r.r4 = map.order(block);
        r.r5 = map.refCount(block);
        lease.release();
    }
}
