package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.page.FolioPins;
import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZI_Result;

/**
 * Two threads pin, check and unpin one mapped folio at once (kernel-semantics property 14):
 * {@code maybeDmaPinned} must never be false while the checking thread holds its own pin, whatever the other
 * thread's pin and unpin do to the same counters, and no count may be lost or doubled. Variants: an order-0
 * folio (the pin is a bias of 1024 on the refcount) and an order-2 folio (refcount + pin count in page[1]).
 *
 * <p>r1, r2: each thread's {@code maybeDmaPinned} while pinned; r3: refcount * 10 + pin count afterwards
 * (the mapping's one reference and no pin: 10).
 */
public class Pin_01_PinVsMaybeDmaPinned {

    static boolean pinCheckUnpin(PageMap map, long pfn) {
        FolioPins pins = map.pins();
        long head = pins.pin(pfn, false);
        boolean pinned = pins.maybeDmaPinned(head);
        pins.unpin(head);
        return pinned;
    }

    @JCStressTest
    @Outcome(id = "true, true, 10", expect = ACCEPTABLE, desc = "each thread saw its pin; counts back to the mapping's reference")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "reported not pinned while a pin was held")
    @Outcome(id = ".*, false, .*", expect = FORBIDDEN, desc = "reported not pinned while a pin was held")
    @Outcome(expect = FORBIDDEN, desc = "a reference or pin was lost or doubled")
    @State
    public static class OrderZero {
        final PageMap map = StressMaps.DEVICE;
        final long head = StressMaps.folio(map, 0, 1);

        @Actor
        public void first(ZZI_Result r) {
            r.r1 = pinCheckUnpin(map, head);
        }

        @Actor
        public void second(ZZI_Result r) {
            r.r2 = pinCheckUnpin(map, head);
        }

        @Arbiter
        public void counts(ZZI_Result r) {
            r.r3 = map.refCount(head) * 10 + map.pins().pinCount(head);
        }
    }

    @JCStressTest
    @Outcome(id = "true, true, 10", expect = ACCEPTABLE, desc = "each thread saw its pin; counts back to the mapping's reference")
    @Outcome(id = "false, .*, .*", expect = FORBIDDEN, desc = "reported not pinned while a pin was held")
    @Outcome(id = ".*, false, .*", expect = FORBIDDEN, desc = "reported not pinned while a pin was held")
    @Outcome(expect = FORBIDDEN, desc = "a reference or pin was lost or doubled")
    @State
    public static class Order2Folio {
        final PageMap map = StressMaps.DEVICE;
        final long head = StressMaps.folio(map, 2, 1);

        @Actor
        public void first(ZZI_Result r) {
            r.r1 = pinCheckUnpin(map, head + 1); // through a tail page: pins the head
        }

        @Actor
        public void second(ZZI_Result r) {
            r.r2 = pinCheckUnpin(map, head + 3);
        }

        @Arbiter
        public void counts(ZZI_Result r) {
            r.r3 = map.refCount(head) * 10 + map.pins().pinCount(head);
        }
    }
}
