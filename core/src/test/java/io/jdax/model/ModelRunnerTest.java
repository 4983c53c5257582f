package io.jdax.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The runner itself: a planted bug is found, reported with its seed, and shrunk to the steps it needs. */
class ModelRunnerTest {

    /**
     * A counter that goes up (op 0) and down (op 1) on the "real" side, and a model of it; the real side has
     * a planted bug: going up from 3 skips to 5.
     */
    private static final class Counter implements World {
        private final boolean buggy;
        private final int finishLimit;
        private int real;
        private int model;

        Counter(boolean buggy, int finishLimit) {
            this.buggy = buggy;
            this.finishLimit = finishLimit;
        }

        /** A leak check at the end: fails once the counter ends at {@code finishLimit} or more. */
        @Override
        public void finish() {
            assertTrue(model < finishLimit, "counter left at " + model);
        }

        private String last = "";

        @Override
        public void apply(Step step) {
            last = step.op() == 0 ? "up" : "down";
            if (step.op() == 0) {
                real += buggy && real == 3 ? 2 : 1;
                model++;
            } else if (model > 0) {
                real--;
                model--;
            }
        }

        @Override
        public void check() {
            assertEquals(model, real, "counter");
        }

        @Override
        public String lastStep() {
            return last;
        }

        @Override
        public void close() {
        }
    }

    private static WorldKind counter(boolean buggy) {
        return new WorldKind("counter", new int[] {1, 1}, () -> new Counter(buggy, Integer.MAX_VALUE));
    }

    @Test
    void aCorrectWorldPasses() {
        ModelRunner.run(counter(false), 42, 10_000, 1_000);
    }

    @Test
    void sameSeedSameSteps() {
        assertEquals(ModelRunner.generate(counter(false), 7, 100), ModelRunner.generate(counter(false), 7, 100));
    }

    @Test
    void aPlantedBugIsReportedWithItsSeedAndShrunkToFourSteps() {
        AssertionError e = assertThrows(AssertionError.class, () -> ModelRunner.run(counter(true), 1234, 10_000, 1_000));
        String report = e.getMessage();
        assertTrue(report.contains("seed 1234") && report.contains("-Djdax.seed=1234"), report);
        // the shortest sequence that reaches the bug is four ups
        assertTrue(report.contains("shrunk to 4:\n  0: up\n  1: up\n  2: up\n  3: up\n"), report);
    }

    @Test
    void aFailureInFinishIsShrunkByTheLengthSearchAndTheDrops() {
        WorldKind leaky = new WorldKind("leaky", new int[] {3, 1}, () -> new Counter(false, 3));
        Step up = new Step(0, 0, 0, 0);
        assertNull(ModelRunner.execute(leaky, List.of(up, up)));
        assertEquals(3, ModelRunner.execute(leaky, List.of(up, up, up)).at(), "a finish failure is at the end");
        AssertionError e = assertThrows(AssertionError.class, () -> ModelRunner.run(leaky, 99, 1_000, 1_000));
        assertTrue(e.getMessage().contains("shrunk to 3:\n  0: up\n  1: up\n  2: up\n"), e.getMessage());
    }
}
