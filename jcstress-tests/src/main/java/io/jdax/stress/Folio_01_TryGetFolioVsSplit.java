package io.jdax.stress;

import static io.jdax.page.PageMap.NO_FOLIO;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JII_Result;

/**
 * tryGetFolio races a split and re-prep of the folio it looks up (kernel-semantics property 1): it must
 * never return with a reference on a folio that no longer contains the page, and a retry must not leak the
 * reference it dropped. The old head stays a head (of an order-0 or order-1 folio) and gets referenced by the
 * splitter, so a lookup that read the old link and added to the old head succeeds: only the recheck of the
 * page's link saves it. Remove the recheck and the forbidden outcome appears.
 *
 * <p>r1: head returned, relative to the slot (-1 = no folio); r2: refcount of the old head; r3: refcount of
 * the looked-up page's new folio.
 */
public class Folio_01_TryGetFolioVsSplit {

    /** An order-1 folio at base is split into two order-0 folios, each then referenced. Lookup of base+1. */
    @JCStressTest
    @Outcome(id = "-1, 1, 1", expect = ACCEPTABLE, desc = "lookup saw the idle order-1 folio, or page base+1 still idle")
    @Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "lookup referenced base+1's own new folio")
    @Outcome(id = "0, .*, .*", expect = FORBIDDEN, desc = "reference on the old head, which no longer contains the page")
    @Outcome(expect = FORBIDDEN, desc = "a reference leaked or was lost on a retry")
    @State
    public static class SplitToOrderZero {
        final PageMap map = StressMaps.DEVICE;
        final long base = StressMaps.folio(map, 1, 0);

        @Actor
        public void splitAndReuse() {
            map.split(base);
            map.incRef(base);
            map.incRef(base + 1);
        }

        @Actor
        public void lookup(JII_Result r) {
            long head = map.tryGetFolio(base + 1);
            r.r1 = head == NO_FOLIO ? -1 : head - base;
        }

        @Arbiter
        public void counts(JII_Result r) {
            r.r2 = map.refCount(base);
            r.r3 = map.refCount(base + 1);
        }
    }

    /**
     * An order-2 folio at base is split and base re-prepped as an order-1 folio, referenced; base+3 becomes
     * an order-0 folio, referenced. Lookup of base+3.
     */
    @JCStressTest
    @Outcome(id = "-1, 1, 1", expect = ACCEPTABLE, desc = "lookup saw the idle order-2 folio, or base+3 still idle")
    @Outcome(id = "3, 1, 2", expect = ACCEPTABLE, desc = "lookup referenced base+3's own new folio")
    @Outcome(id = "0, .*, .*", expect = FORBIDDEN, desc = "reference on the re-prepped head, whose folio no longer contains the page")
    @Outcome(expect = FORBIDDEN, desc = "a reference leaked or was lost on a retry")
    @State
    public static class SplitAndReprep {
        final PageMap map = StressMaps.DEVICE;
        final long base = StressMaps.folio(map, 2, 0);

        @Actor
        public void splitAndReprep() {
            map.split(base);
            map.prepCompound(base, 1);
            map.incRef(base);
            map.incRef(base + 3);
        }

        @Actor
        public void lookup(JII_Result r) {
            long head = map.tryGetFolio(base + 3);
            r.r1 = head == NO_FOLIO ? -1 : head - base;
        }

        @Arbiter
        public void counts(JII_Result r) {
            r.r2 = map.refCount(base);
            r.r3 = map.refCount(base + 3);
        }
    }
}
