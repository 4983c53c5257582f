package io.jdax.model;

import io.jdax.page.PageMap;
import io.jdax.pool.PoolMode;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded random sequences against the pool (both modes), the dax and device page maps and the store, checked
 * after every step against reference models. The seed changes each run and is printed; {@code -Djdax.seed=...}
 * replays it, and {@code -Djdax.model.steps=...} scales the total (default 1,000,000 steps per run over the pool
 * and page maps, plus 1/50 of it, {@code -Djdax.model.storeSteps=...}, over the store).
 */
class ModelBasedTest {

    private static final long SEED = ModelRunner.baseSeed();
    private static final int TOTAL = Integer.getInteger("jdax.model.steps", 1_000_000);

    @BeforeAll
    static void printSeed() {
        System.out.println("model-based tests: seed " + SEED + " (replay with -D" + ModelRunner.SEED_PROPERTY + "="
                + SEED + "), " + TOTAL + " steps");
    }

    private static void run(WorldKind kind, double share, int chunk) {
        int steps = (int) (TOTAL * share);
        long start = System.nanoTime();
        Duration cpu = processCpu();
        ModelRunner.run(kind, SEED, steps, chunk);
        // CPU time too: on a shared machine the wall time says more about the neighbours than about the run
        System.out.printf("model %s: %d steps in %d ms (%d ms of process CPU)%n", kind.name(), steps,
                (System.nanoTime() - start) / 1_000_000, processCpu().minus(cpu).toMillis());
    }

    private static Duration processCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    @Test
    void fastPool() {
        run(PoolWorld.kind(PoolMode.FAST), 0.3, 20_000);
    }

    @Test
    void checkedPool() {
        run(PoolWorld.kind(PoolMode.CHECKED), 0.1, 5_000);
    }

    @Test
    void daxPageMap() {
        run(PageMapWorld.kind(PageMap.Kind.DAX), 0.35, 20_000);
    }

    /** On top of the million: a store step costs far more than a page map step (copies, reads back). */
    @Test
    void store() {
        int steps = Integer.getInteger("jdax.model.storeSteps", TOTAL / 50);
        long start = System.nanoTime();
        Duration cpu = processCpu();
        ModelRunner.run(StoreWorld.kind(), SEED, steps, 2_000);
        System.out.printf("model store: %d steps in %d ms (%d ms of process CPU)%n", steps,
                (System.nanoTime() - start) / 1_000_000, processCpu().minus(cpu).toMillis());
    }

    @Test
    void devicePageMap() {
        run(PageMapWorld.kind(PageMap.Kind.DEVICE), 0.25, 20_000);
    }
}
