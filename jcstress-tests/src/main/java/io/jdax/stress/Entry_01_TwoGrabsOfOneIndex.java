package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.Extent;
import io.jdax.mapping.ExtentSource;
import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingEntry;
import io.jdax.page.PageMap;

import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two faults of one index race for its entry lock (kernel-semantics property 6): {@code grab_mapping_entry} must
 * never let both hold it. A fault asks its extent source with the entry locked, so the source here counts the
 * callers inside it: two at once means two holders.
 *
 * <p>r1: most callers seen inside the source at once; r2: the entry is left locked (1) or not (0); r3: entries
 * left (the first fault inserts a zero-page entry, the second finds it).
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "each fault held the entry lock alone, one after the other")
@Outcome(id = "2, .*", expect = FORBIDDEN, desc = "both faults held the entry lock of one index at once")
@Outcome(expect = FORBIDDEN, desc = "the entry was left locked, lost, or doubled")
@State
public class Entry_01_TwoGrabsOfOneIndex {

    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final ExtentSource counting = new ExtentSource() {
        @Override
        public PageMap pageMap() {
            return MappingStress.MAP;
        }

        @Override
        public Extent extent(Mapping mapping, long index, int order, boolean write) {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            for (int i = 0; i < 16; i++) {
                Thread.onSpinWait(); // a window for the other fault to get in, if the lock let it
            }
            inside.decrementAndGet();
            return Extent.hole(order);
        }

        @Override
        public void release(Mapping mapping, long start, long end) {
        }
    };
    final Mapping m = MappingStress.SPACE.open(counting, MappingStress.FILE, 0);

    @Actor
    public void first() {
        m.pin(5, false).close();
    }

    @Actor
    public void second() {
        m.pin(5, false).close();
    }

    @Arbiter
    public void after(III_Result r) {
        r.r1 = most.get();
        MappingEntry e = m.entry(5);
        r.r2 = e != null && e.locked() ? 1 : 0;
        r.r3 = (int) m.entryCount();
        m.close();
    }
}
