package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.device.DeviceDax;
import io.jdax.device.PinnedRange;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Unpinning a range of a device races the close of the device's region. The region closes the device (which
 * refuses while the range is pinned: the region reports that and unmaps regardless) and the page map, taking
 * every pin with it. The unpin must return normally whether it ran before, during or after the map's close
 * (a check "is the map open?" followed by the unpins threw when the map closed in between), and the region
 * must end closed.
 *
 * <p>r1: the unpin returned (0) or threw (1); r2: the region's close returned (0), reported the device's
 * refusal because the range was still pinned (1), or threw anything else (2); arbiter r3: the region is
 * closed (0) or open (1). Eight order-0 folios make the unpin a walk the close can land in the middle of.
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "the unpin finished first; the region closed cleanly")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE,
        desc = "the region closed while the range was pinned: it reported the device's refusal and unmapped; "
                + "the unpin found nothing left")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "the unpin threw: the map was closed under it")
@Outcome(expect = FORBIDDEN, desc = "the region's close failed otherwise, or left it open")
@State
public class Device_03_PinCloseVsRegionClose {

    static final int PAGES = 8;

    final Region region = Region.anonymous(PAGES * PageMap.DEFAULT_PAGE_SIZE);
    final DeviceDax device = DeviceDax.create(region, 0);
    final PinnedRange pins = device.pin(0, PAGES * PageMap.DEFAULT_PAGE_SIZE, false);

    @Actor
    public void unpin(III_Result r) {
        try {
            pins.close();
        } catch (RuntimeException e) {
            r.r1 = 1;
        }
    }

    @Actor
    public void closeRegion(III_Result r) {
        try {
            region.close();
        } catch (IllegalStateException e) {
            r.r2 = String.valueOf(e.getCause()).contains("pinned ranges") ? 1 : 2;
        } catch (RuntimeException e) {
            r.r2 = 2;
        }
    }

    @Arbiter
    public void after(III_Result r) {
        r.r3 = region.isOpen() ? 1 : 0;
    }
}
