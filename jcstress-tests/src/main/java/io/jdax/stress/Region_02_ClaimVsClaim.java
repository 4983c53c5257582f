package io.jdax.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.jdax.memory.Region;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two page maps claim one region at once: exactly one wins, the other is refused naming the winner, and the
 * region's claimant is the winner (a region has at most one page map over any byte of it).
 *
 * <p>r1, r2: each claim won (1), was refused naming the other (0), or failed otherwise (-1); arbiter r3: the
 * claimant is the one that won (1) or not (0).
 */
@JCStressTest
@Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "one claim won, the other was refused naming it")
@Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "both claims won: two page maps over one region")
@Outcome(expect = FORBIDDEN, desc = "no claim won, a refusal was unclear, or the claimant is wrong")
@State
public class Region_02_ClaimVsClaim {

    final Region region = Region.anonymous(4096);
    final AutoCloseable a = named("A");
    final AutoCloseable b = named("B");

    @Actor
    public void claimA(III_Result r) {
        r.r1 = claim(a, b);
    }

    @Actor
    public void claimB(III_Result r) {
        r.r2 = claim(b, a);
    }

    @Arbiter
    public void after(III_Result r) {
        AutoCloseable winner = r.r1 == 1 ? a : b;
        r.r3 = region.claimant().orElse(null) == winner ? 1 : 0;
        region.close();
    }

    private int claim(AutoCloseable mine, AutoCloseable other) {
        try {
            region.claim(mine);
            return 1;
        } catch (IllegalStateException e) {
            return e.getMessage().contains("already claimed by " + other) ? 0 : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static AutoCloseable named(String name) {
        return new AutoCloseable() {
            @Override
            public void close() {
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
