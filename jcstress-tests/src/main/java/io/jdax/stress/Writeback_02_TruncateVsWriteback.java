package io.jdax.stress;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingView;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Truncation, followed by reuse of the freed page by another file, races the writeback of the truncated
 * file's dirty entry: truncation never deletes the entry while the writeback holds it locked, so the
 * writeback flushes the old file's bytes or nothing, never the page after its reuse (which holds 9).
 *
 * <p>r1: bytes the writeback flushed; r2: the value the flush wrote (-1 if none); r3: 1 if the old file's
 * entry map checks out and holds no entry.
 */
@JCStressTest
@Outcome(id = "4096, 7, 1", expect = ACCEPTABLE, desc = "writeback first: the old file's bytes flushed, then truncated")
@Outcome(id = "0, -1, 1", expect = ACCEPTABLE, desc = "truncation first: nothing left to flush")
@Outcome(id = "4096, 9, 1", expect = FORBIDDEN, desc = "the page was flushed for the old file after its reuse")
@Outcome(expect = FORBIDDEN, desc = "anything else: an entry deleted while locked, or left behind")
@State
public class Writeback_02_TruncateVsWriteback {

    final MappingStress.Lease lease = MappingStress.lease(this);
    final long block = lease.block();
    final Mapping old = lease.open(MappingStress.extents(block, false), MappingStress.FILE, 0);
    final Mapping reuse = lease.open(MappingStress.extents(block, false), MappingStress.FILE, 0);
    long flushed;

    public Writeback_02_TruncateVsWriteback() {
        FlushRecords.take(block);
        try (MappingView w = old.map(0, true)) {
            w.segment().set(JAVA_LONG, 0, 7);
        }
    }

    @Actor
    public void truncateAndReuse() {
        try {
            old.truncate(0);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        try (MappingView w = reuse.map(0, true)) {
            w.segment().set(JAVA_LONG, 0, 9);
        }
    }

    @Actor
    public void writeback() {
        flushed = old.sync();
    }

    @Arbiter
    public void after(III_Result r) {
        r.r1 = (int) flushed;
        r.r2 = (int) FlushRecords.take(block);
        boolean clean;
        try {
            old.verify();
            clean = old.entryCount() == 0;
        } catch (IllegalStateException e) {
            clean = false;
        }
        r.r3 = clean ? 1 : 0;
        lease.release(); // closes old and reuse
    }
}
