package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.store.DaxFile;
import io.jdax.store.DaxStore;
import io.jdax.store.FileView;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A memory failure of file A's page races A's truncation followed by file B's first write, which would
 * reuse the freed page: the poison goes to whoever owns the page when the failure checks under the entry lock,
 * and never to A once B owns the page; nor does B get a page already poisoned without being told.
 *
 * <p>r1: A poisoned; r2: B poisoned; r3: B's block is the failed page.
 */
@JCStressTest
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "failure first: A poisoned, its truncate refused, B gets another page")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "truncate and reuse first: the failure hits B, the owner now")
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "failure between truncate and reuse: nobody owns it, B avoids it")
@Outcome(id = "1, 0, 1", expect = FORBIDDEN, desc = "poison landed on A after its page was reused by B")
@Outcome(id = "0, 0, 1", expect = FORBIDDEN, desc = "B uses a poisoned page without being told")
@Outcome(expect = FORBIDDEN, desc = "anything else")
@State
public class MemoryFailure_01_FailureVsTruncateAndReuse {

    static final AtomicInteger NAMES = new AtomicInteger();

    /**
     * A store and the states using it. Every sample quarantines its failed page for good (a block freed with a
     * poisoned page never returns, {@code unpoison} or not), so a long run would use every page up: states take
     * a fresh store when fewer than {@link #LOW} pages are free, and the last state of a retired one closes it.
     */
    static final class Generation {
        final DaxStore store = DaxStore.anonymous(64L << 20);
        final AtomicInteger live = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();
        volatile boolean retired;

        void release() {
            if (live.decrementAndGet() == 0 && retired) {
                closeOnce();
            }
        }

        void closeOnce() {
            if (closed.compareAndSet(false, true)) {
                store.close();
            }
        }
    }

    static final long LOW = 1024;
    static Generation current = new Generation(); // guarded by the class

    static synchronized Generation take() {
        Generation g = current;
        if (g.store.stats().freePages() < LOW) {
            g.retired = true;
            if (g.live.get() == 0) {
                g.closeOnce();
            }
            g = current = new Generation();
        }
        g.live.incrementAndGet();
        return g;
    }

    final Generation gen = take();
    final DaxStore store = gen.store;
    final DaxFile a;
    final DaxFile b;
    final long pfn;

    public MemoryFailure_01_FailureVsTruncateAndReuse() {
        a = store.create("a" + NAMES.incrementAndGet());
        b = store.create("b" + NAMES.incrementAndGet());
        writeThroughStrayInterrupts(a);
        pfn = pfnOf(a);
    }

    static long pfnOf(DaxFile f) {
        try (FileView v = f.map(0, 8, false)) {
            return v.pfn();
        }
    }

    @Actor
    public void fail() {
        store.memoryFailure(pfn, 1);
    }

    /**
     * States are made, and actors run, on threads whose interrupt status a view revocation elsewhere sometimes
     * leaves set (closing a shared arena, JDK 25.0.x; see {@link StressPools}). Nothing here interrupts on
     * purpose, so an interrupt is stray: an interrupted truncate or grow changes nothing, and is run again.
     * Without this, one stray interrupt made every later truncate of that thread's iteration return at once:
     * A kept its page, the failure poisoned it, and B was never written, the FORBIDDEN {@code 1, 0, -1}.
     */
    @Actor
    public void truncateAndReuse() {
        for (;;) {
            Thread.interrupted();
            try {
                a.truncate(0);
                break;
            } catch (IllegalStateException poisoned) {
                break; // the failure came first
            } catch (InterruptedException stray) {
                // nothing changed: truncate again
            }
        }
        try {
            writeThroughStrayInterrupts(b);
        } catch (IllegalStateException poisoned) {
            // the failure hit b first, between its allocation and its write
        }
    }

    /** Writes 8 bytes at 0, again after an interrupted grow (which changed nothing); poison still throws. */
    static void writeThroughStrayInterrupts(DaxFile f) {
        for (;;) {
            Thread.interrupted();
            try {
                f.write(0, new byte[8], 0, 8);
                return;
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof InterruptedException)) {
                    throw e;
                }
            }
        }
    }

    @Arbiter
    public void after(III_Result r) {
        r.r1 = a.isPoisoned() ? 1 : 0;
        r.r2 = b.isPoisoned() ? 1 : 0;
        long bp;
        if (b.isPoisoned()) {
            bp = pfn; // only the failed page's owner is poisoned
        } else if (b.isDeleted() || b.size() == 0) {
            bp = -2; // a state the harness ran twice: its files are gone
        } else {
            bp = pfnOf(b);
        }
        r.r3 = bp == pfn ? 1 : bp == -2 ? -1 : 0;
        for (DaxFile f : new DaxFile[] {a, b}) {
            if (!f.isDeleted()) {
                store.delete(f.name());
            }
        }
        store.unpoison(pfn); // the page is free again: let later states use it
        gen.release();
    }
}
