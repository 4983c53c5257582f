package io.jdax.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs seeded random sequences against a {@link World} and, on a failure, shrinks the sequence: first the
 * shortest failing prefix (binary search on its length), then, while the time allows, drops single steps
 * that the failure does not need. The failure report names the seed, the replay property and the steps.
 */
final class ModelRunner {

    /** The property that replays a run: {@code -Djdax.seed=...}. */
    static final String SEED_PROPERTY = "jdax.seed";
    /** Wall time the shrinking may take after a failure. */
    private static final long SHRINK_NANOS = 30_000_000_000L;

    /** Set while a failure is shrunk: worlds then run their costliest checks after every step. */
    private static volatile boolean thorough;

    private ModelRunner() {
    }

    static boolean thorough() {
        return thorough;
    }

    /** The seed of this run: the property if given, else a fresh one. Printed by the caller. */
    static long baseSeed() {
        Long given = Long.getLong(SEED_PROPERTY);
        return given != null ? given : new SplittableRandom().nextLong();
    }

    /** A sequence of {@code length} steps, entirely decided by {@code seed}. */
    static List<Step> generate(WorldKind kind, long seed, int length) {
        SplittableRandom r = new SplittableRandom(seed);
        int total = kind.totalWeight();
        List<Step> steps = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            steps.add(Step.random(r, kind.weights(), total));
        }
        return steps;
    }

    /** A failed run: the step it failed at ({@code steps.size()} for {@link World#finish}) and why. */
    record Failure(int at, Throwable cause) {
    }

    /**
     * Runs the sequence in sequences of {@code chunk} steps, each on a fresh world (so that a failure needs
     * at most one chunk to be replayed and shrunk), and throws an {@link AssertionError} with the shrunk
     * report on the first failure.
     */
    static void run(WorldKind kind, long baseSeed, int totalSteps, int chunk) {
        for (int done = 0, n = 0; done < totalSteps; done += chunk, n++) {
            long seed = baseSeed + 0x9E3779B97F4A7C15L * (n + 1) + kind.name().hashCode();
            List<Step> steps = generate(kind, seed, Math.min(chunk, totalSteps - done));
            Failure f = execute(kind, steps);
            if (f != null) {
                throw report(kind, baseSeed, n, steps, f);
            }
        }
    }

    /** Applies every step to a fresh world, checking after each, then finishes it. */
    static Failure execute(WorldKind kind, List<Step> steps) {
        return execute(kind, steps, null);
    }

    /** The same, adding to {@code log} (if not null) each step as performed. */
    static Failure execute(WorldKind kind, List<Step> steps, List<String> log) {
        int at = -1;
        try (World world = kind.factory().get()) {
            world.check();
            for (at = 0; at < steps.size(); at++) {
                try {
                    world.apply(steps.get(at));
                } finally {
                    if (log != null) {
                        log.add(world.lastStep());
                    }
                }
                world.check();
            }
            world.finish();
            return null;
        } catch (Throwable t) {
            return new Failure(Math.max(at, 0), t);
        }
    }

    private static AssertionError report(WorldKind kind, long baseSeed, int chunkNo, List<Step> steps, Failure first) {
        thorough = true;
        try {
            return shrink(kind, baseSeed, chunkNo, steps, first);
        } finally {
            thorough = false;
        }
    }

    private static AssertionError shrink(WorldKind kind, long baseSeed, int chunkNo, List<Step> steps, Failure first) {
        long deadline = System.nanoTime() + SHRINK_NANOS;
        // the shortest failing prefix: a step-by-step failure at step k fails every prefix longer than k, so
        // the search only matters for failures that finish() finds
        int lo = 1;
        int hi = Math.min(steps.size(), first.at() + 1);
        Failure best = first;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Failure f = execute(kind, steps.subList(0, mid));
            if (f != null && sameKind(f, first)) {
                hi = mid;
                best = f;
            } else {
                lo = mid + 1;
            }
        }
        List<Step> shortest = new ArrayList<>(steps.subList(0, hi));
        int prefix = shortest.size();
        // then drop runs of steps the failure does not need, halving the run length down to single steps; the
        // last step stays (it is where the failure shows)
        for (int run = Math.max(1, (shortest.size() - 1) / 2); run >= 1; run /= 2) {
            for (int from = shortest.size() - 1 - run; from >= 0 && System.nanoTime() < deadline; from -= run) {
                List<Step> candidate = new ArrayList<>(shortest.subList(0, from));
                candidate.addAll(shortest.subList(from + run, shortest.size()));
                Failure f = execute(kind, candidate);
                if (f != null && sameKind(f, first)) {
                    shortest = candidate;
                    best = f;
                }
            }
        }
        StringBuilder s = new StringBuilder();
        s.append("model ").append(kind.name()).append(" failed: seed ").append(baseSeed)
                .append(" (replay with -D").append(SEED_PROPERTY).append('=').append(baseSeed).append("), sequence ")
                .append(chunkNo).append(", at step ").append(first.at()).append(" of ").append(steps.size())
                .append("; shortest failing prefix ").append(prefix).append(" steps, shrunk to ")
                .append(shortest.size()).append(":\n");
        List<String> log = new ArrayList<>();
        execute(kind, shortest, log);
        for (int i = 0; i < log.size(); i++) {
            s.append("  ").append(i).append(": ").append(log.get(i)).append('\n');
        }
        s.append("failure: ").append(best.cause());
        AssertionError e = new AssertionError(s.toString(), best.cause());
        if (best != first) {
            e.addSuppressed(first.cause());
        }
        return e;
    }

    private static boolean sameKind(Failure a, Failure b) {
        return a.cause().getClass() == b.cause().getClass();
    }
}
