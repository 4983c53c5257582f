package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.device.DeviceDax;
import io.jdax.device.DeviceView;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A view's close races the close of its device. The device closes its view groups, then its page map; a view
 * whose close claimed it just before must finish dropping its reference and mapcount before the map goes
 * (a check "is the map open?" followed by the drop threw once the device closed the map in between). Both
 * closes must return normally, and the device must end closed.
 *
 * <p>r1: the view's close returned (0) or threw (1); r2: the device's close returned (0) or threw (1);
 * arbiter r3: the device is closed (0) or still open (1).
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "both closes returned, in either order; the device is closed")
@Outcome(id = "1, .*", expect = FORBIDDEN, desc = "the view's close threw: the device closed the map under it")
@Outcome(id = "0, 1, .*", expect = FORBIDDEN, desc = "the device's close threw because a view was closing")
@Outcome(expect = FORBIDDEN, desc = "the device was left open")
@State
public class Device_02_ViewCloseVsDeviceClose {

    final Region region = Region.anonymous(2 * PageMap.DEFAULT_PAGE_SIZE);
    final DeviceDax device = DeviceDax.create(region, 0);
    final DeviceView view = device.newViewGroup().map(0);

    @Actor
    public void closeView(III_Result r) {
        try {
            view.close();
        } catch (RuntimeException e) {
            r.r1 = 1;
        }
    }

    @Actor
    public void closeDevice(III_Result r) {
        try {
            device.close();
        } catch (RuntimeException e) {
            r.r2 = 1;
        }
    }

    @Arbiter
    public void after(III_Result r) {
        r.r3 = device.isOpen() ? 1 : 0;
        region.close();
    }
}
