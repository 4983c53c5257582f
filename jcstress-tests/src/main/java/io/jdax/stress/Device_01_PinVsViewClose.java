package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.device.DeviceFolios;
import io.jdax.device.PinnedRange;
import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIIIII_Result;

/**
 * Pinning a range of a device races the close of a view of the same folio (kernel-semantics property 14,
 * and the device-dax half of property 13): the pin must succeed whether the view's reference is still there
 * (the gup_fast path) or already gone (the fault path: temporary reference, pin, put), {@code maybeDmaPinned}
 * must hold from the pin's return to its release, and when both are done every count must be back to 0,
 * none lost, none counted twice. The code under test is the device package's own: the view is made and closed
 * with {@link DeviceFolios#insertMapping} / {@link DeviceFolios#removeMapping}, exactly what a
 * {@code DeviceView} and its group run, and the pin is {@link PinnedRange#pin}, what {@code DeviceDax.pin}
 * runs. A full device per state would cost a region and an arena each; {@link StressMaps#DEVICE} gives each
 * state a slot of a device map instead.
 *
 * <p>A pin that did only what {@code FolioPins.pin} does (refuse an idle folio) fails when the close wins,
 * outcome -1; a fault path that forgot its temporary put leaves a reference behind; an unpin that skipped
 * the bias, or a close that ran twice, shows in the final counts.
 *
 * <p>r1: {@code maybeDmaPinned} of every folio of the range right after the pin (1 yes, 0 no, -1 the pin
 * threw); r2: refcount of the view's folio while pinned; r3: {@code maybeDmaPinned} again, just before the
 * unpin; r4: the view's close dropped the folio's last reference (1), or not (0), or threw (-1); arbiter:
 * r5 the refcounts of the range's folios, summed; r6 the view's folio's mapcount; r7 the pin counts of the
 * range's folios. An order-0 pin adds {@link PageMap#PIN_BIAS} (1024) to the refcount, so there r2 is 1025
 * with the view's reference and 1024 without; a large folio's pin adds 1, so 2 and 1.
 */
public class Device_01_PinVsViewClose {

    @JCStressTest
    @Outcome(id = "1, 1025, 1, 1, 0, 0, 0", expect = ACCEPTABLE,
            desc = "pinned while the view held its reference; the view closed after the unpin, its put the last")
    @Outcome(id = "1, 1025, 1, 0, 0, 0, 0", expect = ACCEPTABLE,
            desc = "pinned while the view held its reference; the view closed while the pin was held")
    @Outcome(id = "1, 1024, 1, 0, 0, 0, 0", expect = ACCEPTABLE,
            desc = "the view closed before the pin was read: the pin alone held the folio, the unpin was the last put")
    @Outcome(id = "1, 1024, 1, 1, 0, 0, 0", expect = ACCEPTABLE,
            desc = "the view closed first (its put the last); the pin faulted the idle folio in")
    @Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "the pin failed: the close took the count to 0 under it")
    @Outcome(id = "0, .*", expect = FORBIDDEN, desc = "maybeDmaPinned was false right after the pin returned")
    @Outcome(id = "1, \\d+, 0, .*", expect = FORBIDDEN, desc = "maybeDmaPinned turned false while the pin was held")
    @Outcome(expect = FORBIDDEN, desc = "a reference, mapcount or pin was lost or counted twice")
    @State
    public static class OrderZero {
        final PageMap map = StressMaps.DEVICE;
        final long head = StressMaps.slot(map); // order-0 folios: head, which the view maps, and head + 1, idle
        final long offset = map.offsetOf(head);

        public OrderZero() {
            DeviceFolios.insertMapping(map, head);
        }

        @Actor
        public void pinRange(IIIIIII_Result r) {
            PinnedRange pins;
            try {
                pins = PinnedRange.pin(map, offset, 2 * map.pageSize(), false);
            } catch (RuntimeException e) {
                r.r1 = -1;
                return;
            }
            r.r1 = pinned();
            r.r2 = map.refCount(head);
            r.r3 = pinned();
            pins.close();
        }

        @Actor
        public void closeView(IIIIIII_Result r) {
            r.r4 = closeTheView(map, head);
        }

        @Arbiter
        public void counts(IIIIIII_Result r) {
            r.r5 = map.refCount(head) + map.refCount(head + 1);
            r.r6 = map.mapCount(head);
            r.r7 = map.pins().pinCount(head) + map.pins().pinCount(head + 1);
        }

        private int pinned() {
            return map.pins().maybeDmaPinned(head) && map.pins().maybeDmaPinned(head + 1) ? 1 : 0;
        }
    }

    /** An order-2 folio (one refcount, pins in page[1]), pinned through its tail pages 1 and 2. */
    @JCStressTest
    @Outcome(id = "1, 2, 1, 1, 0, 0, 0", expect = ACCEPTABLE,
            desc = "pinned while the view held its reference; the view closed after the unpin, its put the last")
    @Outcome(id = "1, 2, 1, 0, 0, 0, 0", expect = ACCEPTABLE,
            desc = "pinned while the view held its reference; the view closed while the pin was held")
    @Outcome(id = "1, 1, 1, 0, 0, 0, 0", expect = ACCEPTABLE,
            desc = "the view closed before the pin was read: the pin alone held the folio, the unpin was the last put")
    @Outcome(id = "1, 1, 1, 1, 0, 0, 0", expect = ACCEPTABLE,
            desc = "the view closed first (its put the last); the pin faulted the idle folio in")
    @Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "the pin failed: the close took the count to 0 under it")
    @Outcome(id = "0, .*", expect = FORBIDDEN, desc = "maybeDmaPinned was false right after the pin returned")
    @Outcome(id = "1, \\d+, 0, .*", expect = FORBIDDEN, desc = "maybeDmaPinned turned false while the pin was held")
    @Outcome(expect = FORBIDDEN, desc = "a reference, mapcount or pin was lost or counted twice")
    @State
    public static class Order2Folio {
        final PageMap map = StressMaps.DEVICE;
        final long head = StressMaps.folio(map, 2, 0);
        final long offset = map.offsetOf(head + 1);

        public Order2Folio() {
            DeviceFolios.insertMapping(map, head);
        }

        @Actor
        public void pinRange(IIIIIII_Result r) {
            PinnedRange pins;
            try {
                pins = PinnedRange.pin(map, offset, 2 * map.pageSize(), false);
            } catch (RuntimeException e) {
                r.r1 = -1;
                return;
            }
            r.r1 = map.pins().maybeDmaPinned(head) ? 1 : 0;
            r.r2 = map.refCount(head);
            r.r3 = map.pins().maybeDmaPinned(head) ? 1 : 0;
            pins.close();
        }

        @Actor
        public void closeView(IIIIIII_Result r) {
            r.r4 = closeTheView(map, head);
        }

        @Arbiter
        public void counts(IIIIIII_Result r) {
            r.r5 = map.refCount(head);
            r.r6 = map.mapCount(head);
            r.r7 = map.pins().pinCount(head);
        }
    }

    /** What a view's close runs; -1 if it threw (it never should: the view holds a reference and a mapcount). */
    static int closeTheView(PageMap map, long head) {
        try {
            return DeviceFolios.removeMapping(map, head) ? 1 : 0;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
