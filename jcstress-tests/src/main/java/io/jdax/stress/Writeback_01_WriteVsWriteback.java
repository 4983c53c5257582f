package io.jdax.stress;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingView;

import java.lang.foreign.MemorySegment;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A write through a writable view made before the writeback races the writeback of its entry: the writeback
 * must never clear DIRTY while a write it did not flush can still land (the kernel write-protects the page
 * tables; here the writable view is revoked under the entry lock before the flush).
 *
 * <p>r1: 1 if the write landed, 0 if the revoked view refused it; r2: 1 if the entry is still DIRTY after
 * both; r3: the value the flush wrote (-1 if none).
 */
@JCStressTest
@Outcome(id = "1, 0, 2", expect = ACCEPTABLE, desc = "the write landed before the write protection: flushed")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "the write came after the write protection: refused")
@Outcome(id = "1, 0, 1", expect = FORBIDDEN, desc = "the write landed but the flush missed it and DIRTY is clear")
@Outcome(expect = FORBIDDEN, desc = "anything else: a lost flush, a double flush or a mark left behind")
@State
public class Writeback_01_WriteVsWriteback {

    final MappingStress.Lease lease = MappingStress.lease(this);
    final long block = lease.block();
    final Mapping m = lease.open(MappingStress.extents(block, false), MappingStress.FILE, 0);
    final MemorySegment bytes;
    int wrote;

    public Writeback_01_WriteVsWriteback() {
        FlushRecords.take(block);
        MappingView w = m.map(0, true); // DIRTY
        bytes = w.segment();
        bytes.set(JAVA_LONG, 0, 1);
    }

    @Actor
    public void write() {
        try {
            bytes.set(JAVA_LONG, 0, 2);
            wrote = 1;
        } catch (IllegalStateException revoked) {
            wrote = 0;
        }
    }

    @Actor
    public void writeback() {
        m.sync();
    }

    @Arbiter
    public void after(III_Result r) {
        r.r1 = wrote;
        r.r2 = m.entry(0).dirty() ? 1 : 0;
        r.r3 = (int) FlushRecords.take(block);
        lease.release(); // closes m
    }
}
