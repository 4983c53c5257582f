package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.page.FolioOwners;
import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * Two files that share a reflinked folio change its owner word under two different locks (kernel-semantics
 * invariant 7 and property 18): an owned-to-shared conversion by one must not lose a share change by the
 * other, and the folio is never left shared with a count of 0.
 *
 * <p>r1: owning mapping id afterwards (0 if unowned or shared); r2: share count afterwards.
 */
public class Owner_01_SharedAssociateVsOthers {

    /** Mapping 1 owns the folio; mappings 2 and 3 map the same shared extent at once. */
    @JCStressTest
    @Outcome(id = "0, 3", expect = ACCEPTABLE, desc = "owned -> shared 2 -> 3, in either order")
    @Outcome(expect = FORBIDDEN, desc = "a share update was lost, or a sharer took the folio exclusively")
    @State
    public static class ConversionVsShareIncrement {
        final PageMap map = StressMaps.DAX;
        final FolioOwners owners = map.owners();
        final long head = owned(map, 2);

        @Actor
        public void second(JJ_Result r) {
            owners.associate(head, 2, 7, true);
        }

        @Actor
        public void third(JJ_Result r) {
            owners.associate(head, 3, 9, true);
        }

        @Arbiter
        public void word(JJ_Result r) {
            r.r1 = owners.mapping(head);
            r.r2 = r.r1 == 0 ? owners.share(head) : 0;
        }
    }

    /** Mapping 1 owns the folio; mapping 2 maps the shared extent while mapping 1 lets go of it. */
    @JCStressTest
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "converted to shared 2, then one sharer left")
    @Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the owner let go first; mapping 2 then owns it alone")
    @Outcome(expect = FORBIDDEN, desc = "the conversion or the release was lost, or shared with count 0")
    @State
    public static class ConversionVsDisassociate {
        final PageMap map = StressMaps.DAX;
        final FolioOwners owners = map.owners();
        final long head = owned(map, 0);

        @Actor
        public void newSharer(JJ_Result r) {
            owners.associate(head, 2, 7, true);
        }

        @Actor
        public void ownerLeaves(JJ_Result r) {
            owners.disassociate(head);
        }

        @Arbiter
        public void word(JJ_Result r) {
            r.r1 = owners.mapping(head);
            r.r2 = r.r1 == 0 ? owners.share(head) : 0;
        }
    }

    /** Shared by mappings 1 and 2: mapping 3 joins while mapping 2 leaves. */
    @JCStressTest
    @Outcome(id = "0, 2", expect = ACCEPTABLE, desc = "2 + 1 - 1, in either order")
    @Outcome(expect = FORBIDDEN, desc = "a share update was lost")
    @State
    public static class ShareIncrementVsDecrement {
        final PageMap map = StressMaps.DAX;
        final FolioOwners owners = map.owners();
        final long head = shared(map);

        @Actor
        public void joins(JJ_Result r) {
            owners.associate(head, 3, 9, true);
        }

        @Actor
        public void leaves(JJ_Result r) {
            owners.disassociate(head);
        }

        @Arbiter
        public void word(JJ_Result r) {
            r.r1 = owners.mapping(head);
            r.r2 = r.r1 == 0 ? owners.share(head) : 0;
        }
    }

    /** An order-2 folio owned by mapping 1 at index 40; {@code order} 0 keeps it order-0. */
    static long owned(PageMap map, int order) {
        long head = StressMaps.folio(map, order, 0);
        map.owners().associate(head, 1, 40, true);
        return head;
    }

    static long shared(PageMap map) {
        long head = owned(map, 2);
        map.owners().associate(head, 2, 40, true);
        return head;
    }
}
