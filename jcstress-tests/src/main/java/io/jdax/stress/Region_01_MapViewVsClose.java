package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.memory.Region;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@code Region.mapView} races {@code Region.close}: the view is either made (it belongs to the caller's arena
 * and stays valid until that closes: a second mapping of the file outlives the region's own) or refused with
 * an exception that names the closed region, never the JDK's bare channel exceptions; and the close always
 * completes.
 *
 * <p>r1: the view was made and reads the byte written through it (1), refused naming the closed region (0),
 * or failed otherwise (-1); r2: the region's close returned (0) or threw (1); arbiter r3: the region is
 * closed (0) or open (1).
 */
@JCStressTest
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "mapped before the close; the view outlives the region")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "refused: the message names the closed region")
@Outcome(id = "-1, .*", expect = FORBIDDEN, desc = "the map failed with an unclear exception")
@Outcome(expect = FORBIDDEN, desc = "the close threw or left the region open")
@State
public class Region_01_MapViewVsClose {

    final Region region = Region.anonymous(4096);
    final Arena views = Arena.ofShared();

    @Actor
    public void mapView(III_Result r) {
        try {
            var view = region.mapView(0, 4096, views);
            view.set(ValueLayout.JAVA_BYTE, 7, (byte) 7);
            r.r1 = view.get(ValueLayout.JAVA_BYTE, 7) == 7 ? 1 : -1;
        } catch (IllegalStateException e) {
            r.r1 = e.getMessage().contains("Region[") && e.getMessage().contains("closed") ? 0 : -1;
        } catch (RuntimeException e) {
            r.r1 = -1;
        }
    }

    @Actor
    public void close(III_Result r) {
        try {
            region.close();
        } catch (RuntimeException e) {
            r.r2 = 1;
        }
    }

    @Arbiter
    public void after(III_Result r) {
        r.r3 = region.isOpen() ? 1 : 0;
        views.close();
    }
}
