package io.jdax.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code jdax bench}: runs each configuration of the plan in its own JMH fork(s), then reads the JSON it wrote
 * back and prints the tables from it, so what is printed is what the file holds.
 */
final class BenchCommand {

    /**
     * Quick mode: one fork, 1 x 200 ms warm-up (the burst: see {@link #QUICK_BURST_WARMUPS}), 3 x 200 ms
     * measurement. The fork's start (a JVM, JMH, a
     * pre-touched 1 GiB heap) costs more than that, so quick mode also runs fewer configurations (each section's
     * {@code keys(true, ...)}), never fewer sections or targets.
     */
    static final int QUICK_WARMUPS = 1;
    static final int QUICK_MEASUREMENTS = 3;
    static final int QUICK_MILLIS = 200;
    /**
     * The burst's quick warm-up: 3 x 1 s. A burst invocation (100,000 buffers) runs in the interpreter for
     * most of a second at first, so one 200 ms warm-up ends after one invocation and the measurement then
     * times code C2 has not finished with: measured side by side at 00:40 UTC 2026-11-24, jdax 2,408 against
     * 598 ns per buffer, Netty adaptive 916 against 312, the ratio 2.6x against 1.9x.
     */
    static final int QUICK_BURST_WARMUPS = 3;
    static final int QUICK_BURST_WARMUP_MILLIS = 1000;
    /** What starting a fork costs here (a JVM, JMH, a pre-touched 1 GiB heap), for the first estimate. */
    static final double FORK_SECONDS = 1.7;

    private BenchCommand() {
    }

    static int run(Args.Bench cmd, Path root, PrintStream out, boolean terminal) throws IOException {
        Catalog catalog = Catalog.ofJar();
        List<Key> keys = Plan.keys(cmd.quick(), cmd.only(), catalog);
        if (keys.isEmpty()) {
            out.println("jdax bench: nothing to run: the benchmarks of " + cmd.only().orElse("the plan")
                    + " are not in this jar");
            return 1;
        }
        Path dir = root.resolve(cmd.record() ? "benchmarks/results" : "benchmarks/target/bench");
        Files.createDirectories(dir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern(cmd.record() ? "yyyy-MM-dd" : "yyyy-MM-dd-HHmmss"));
        String name = (cmd.quick() ? "quick-" : "full-") + stamp + cmd.only().map(o -> "-" + o).orElse("");
        Path json = dir.resolve(name + ".json");
        Path chart = dir.resolve(name + ".svg");

        Path files = fileDirectory();
        out.printf("jdax bench, %s mode: %d configurations, one forked JVM each%s (JDK %s, %d CPUs%s)%n",
                cmd.quick() ? "quick" : "full", keys.size(), cmd.quick() ? "" : " twice",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), loadAverage());
        out.println("the store's benchmarks keep their 1 GiB files in " + files + " and remove them afterwards");
        if (cmd.quick()) {
            out.println("quick numbers are indicative: one short fork per configuration; --full for recorded runs");
        }
        out.println();

        double[] planned = new double[keys.size()];
        for (int i = 0; i < planned.length; i++) {
            planned[i] = plannedSeconds(keys.get(i), cmd.quick());
        }
        List<RunResult> all = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        try (Progress progress = new Progress(out, terminal, planned)) {
            for (int i = 0; i < keys.size(); i++) {
                Key k = keys.get(i);
                progress.start(i, k.toString());
                try {
                    RunResult r = measureWhenFree(k, cmd.quick(), files, progress);
                    all.add(r);
                    progress.done(String.format("%-70s %12s %s", k, Table.number(Results.median(iterations(r))),
                            r.getPrimaryResult().getScoreUnit()));
                } catch (RunnerException | RuntimeException e) {
                    failures.add(k + ": " + rootMessage(e));
                    progress.done(String.format("%-70s FAILED: %s", k, rootMessage(e)));
                }
            }
        }
        ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
        out.printf("%n%d configurations in %s; JMH JSON: %s%n%n", keys.size(),
                Progress.clock((System.nanoTime() - start) / 1e9), json);

        Results results = Results.read(json);
        out.print(Plan.text(results));
        Files.writeString(chart, Chart.svg("jdax bench, " + name, Plan.ratios(results)));
        out.printf("%nchart: %s%n", chart);
        if (!failures.isEmpty()) {
            out.println("\nfailed configurations (their rows show '-'):");
            failures.forEach(f -> out.println("  " + f));
            return 1;
        }
        return 0;
    }

    /** The machine's load when the run starts: on a shared machine, part of what the numbers mean. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return ", load average " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** What a store benchmark's trial set-up costs (a 1 GiB file written, fsynced, and one for FileChannel). */
    static final double STORE_SETUP_SECONDS = 3.0;

    static double plannedSeconds(Key k, boolean quick) {
        // a burst invocation takes about a second, so each of its iterations does
        double iteration = isBurst(k) ? 1.0 : quick ? QUICK_MILLIS / 1000.0 : 1.0;
        double fork = FORK_SECONDS + (k.className().equals(StoreSection.CLASS) ? STORE_SETUP_SECONDS : 0);
        return quick ? fork + quickWarmups(k) * Math.max(iteration, quickWarmupMillis(k) / 1000.0)
                + QUICK_MEASUREMENTS * iteration : 2 * (fork + 10 * iteration);
    }

    private static boolean isBurst(Key k) {
        return k.className().equals("BurstBenchmark");
    }

    static int quickWarmups(Key k) {
        return isBurst(k) ? QUICK_BURST_WARMUPS : QUICK_WARMUPS;
    }

    static int quickWarmupMillis(Key k) {
        return isBurst(k) ? QUICK_BURST_WARMUP_MILLIS : QUICK_MILLIS;
    }

    /** How long a configuration waits for another JMH run on the machine (JMH allows one at a time). */
    static final long LOCK_WAIT_MILLIS = 15 * 60_000;

    /**
     * JMH takes a machine-wide lock ({@code /tmp/jmh.lock}) so that two runs do not skew each other, and fails
     * at once if another run holds it: wait for that run instead of losing the configuration.
     */
    private static RunResult measureWhenFree(Key k, boolean quick, Path files, Progress progress)
            throws RunnerException {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MILLIS;
        boolean told = false;
        while (true) {
            try {
                return measure(k, quick, files);
            } catch (RunnerException e) {
                if (!String.valueOf(e.getMessage()).contains("JMH lock") || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                if (!told) {
                    progress.note("another JMH run holds /tmp/jmh.lock: waiting for it to finish (up to "
                            + LOCK_WAIT_MILLIS / 60_000 + " minutes)");
                    progress.retitle("waiting for another JMH run, then " + k);
                    told = true;
                }
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Where benchmarks that need files keep them (the {@code jdax.bench.dir} property they read): the one this
     * JVM was given, else {@code /dev/shm} where it is a writable directory (memory, as the rest of the run; on
     * a disk every page the store allocates is zeroed durably, an msync each), else {@code java.io.tmpdir}.
     */
    static Path fileDirectory() {
        String given = System.getProperty(FILE_DIR_PROPERTY);
        if (given != null) {
            return Path.of(given);
        }
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    static final String FILE_DIR_PROPERTY = "jdax.bench.dir";

    /** This JVM's own flags (which a fork inherits when none are given) and the file directory. */
    static List<String> forkJvmArgs(Path files) {
        List<String> args = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-D" + FILE_DIR_PROPERTY + "=")) {
                args.add(a);
            }
        }
        args.add("-D" + FILE_DIR_PROPERTY + "=" + files);
        return args;
    }

    private static RunResult measure(Key k, boolean quick, Path files) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + Catalog.PACKAGE.replace(".", "\\.") + k.benchmark().replace(".", "\\.") + "$")
                .jvmArgs(forkJvmArgs(files).toArray(String[]::new))
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
        k.params().forEach(o::param);
        if (quick) {
            o.forks(1)
                    .warmupIterations(quickWarmups(k)).warmupTime(TimeValue.milliseconds(quickWarmupMillis(k)))
                    .measurementIterations(QUICK_MEASUREMENTS).measurementTime(TimeValue.milliseconds(QUICK_MILLIS));
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        if (results.size() != 1) {
            throw new IllegalStateException(k + " gave " + results.size() + " results, expected 1: a parameter is missing");
        }
        return results.iterator().next();
    }

    private static List<Double> iterations(RunResult r) {
        List<Double> v = new ArrayList<>();
        r.getBenchmarkResults().forEach(b -> b.getIterationResults().forEach(i -> v.add(i.getPrimaryResult().getScore())));
        return v;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
