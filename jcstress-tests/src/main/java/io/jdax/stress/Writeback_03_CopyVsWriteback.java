package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.mapping.Mapping;

import java.lang.foreign.MemorySegment;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A copy into the file ({@link Mapping#write}, no view: what {@code DaxFile.write} does) races the writeback of
 * its entry. The copy marks DIRTY and writes its bytes under the entry lock; the writeback flushes under it and
 * clears DIRTY after. The writeback must never clear DIRTY while bytes it did not flush are in the page.
 *
 * <p>r1: the first long of the page at its flush (the entry was DIRTY from the start, so there is one); r2: 1
 * if the entry is still DIRTY after both.
 */
@JCStressTest
@Outcome(id = "2, 0", expect = ACCEPTABLE, desc = "the copy went in first, the writeback flushed it")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the writeback flushed the old bytes, the copy dirtied the entry again")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "the copy's bytes are in the page, not flushed, and DIRTY is clear")
@Outcome(expect = FORBIDDEN, desc = "anything else: a lost or torn flush, or a mark left behind")
@State
public class Writeback_03_CopyVsWriteback {

    final long page = MappingStress.page();
    final Mapping m = MappingStress.SPACE.open(MappingStress.onePage(page), 8, 0);
    final MemorySegment two = MemorySegment.ofArray(new long[] {2});

    public Writeback_03_CopyVsWriteback() {
        FlushRecords.take(page);
        m.write(0, MemorySegment.ofArray(new long[] {1})); // DIRTY, not flushed
    }

    @Actor
    public void copy() {
        m.write(0, two);
    }

    @Actor
    public void writeback() {
        m.sync();
    }

    @Arbiter
    public void after(II_Result r) {
        r.r1 = (int) FlushRecords.take(page);
        r.r2 = m.entry(0).dirty() ? 1 : 0;
        m.close();
        MappingStress.givePageBack(page);
    }
}
