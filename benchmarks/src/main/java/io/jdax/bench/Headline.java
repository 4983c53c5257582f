package io.jdax.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
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
 * The main job: jdax's headline comparisons in one run, with progress, ending in a table of medians and
 * ratios measured side by side.
 *
 * <ul>
 *   <li>compound vs order-0 device mappings: pin + unpin, and map + close of every view, of a 1 GiB range
 *       at orders 0, 9 and 18;</li>
 *   <li>4 KiB buffers: jdax's pool against Netty's pooled allocator, direct ByteBuffers and confined arenas,
 *       and jdax's folio level underneath;</li>
 *   <li>two threads against one, for jdax and Netty;</li>
 *   <li>what the checks of a refcount and of idle waiting cost, and the latency from a last put to the
 *       return of a thread waiting for the folio to become idle.</li>
 * </ul>
 *
 * <p>Quick mode (the default) runs one short fork per configuration, about two minutes here, and writes the
 * JMH JSON to {@code target/headline.json}. {@code full} runs every configuration with the defaults of
 * {@link BenchmarkDefaults} (two forks, 5 x 1 s warm-up and measurement) and writes to
 * {@code results/full-<date>.json}, the recorded runs the README summarises. Run from the benchmarks
 * directory (the Maven profile does).
 */
public final class Headline {

    private record Config(String title, String benchmark, Map<String, String> params) {
    }

    private final boolean full;
    private final PrintStream out = System.out;
    private final List<RunResult> all = new ArrayList<>();
    private final Map<Config, Double> medians = new LinkedHashMap<>();
    private final Map<Config, RunResult> results = new LinkedHashMap<>();
    private final Map<Config, String> units = new LinkedHashMap<>();

    private Headline(boolean full) {
        this.full = full;
    }

    /** @param args {@code quick} (the default) or {@code full} */
    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "quick" : args[0];
        if (!mode.equals("quick") && !mode.equals("full")) {
            throw new IllegalArgumentException("mode must be quick or full: " + mode);
        }
        new Headline(mode.equals("full")).run();
    }

    private static Config config(String title, String benchmark, String... params) {
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        return new Config(title, benchmark, p);
    }

    private void run() throws RunnerException, IOException {
        List<Config> configs = new ArrayList<>();
        for (String order : new String[] {"0", "9", "18"}) {
            configs.add(config("device pin + unpin of 1 GiB, order " + order, "DeviceBenchmark.pinUnpinWholeRange",
                    "order", order));
        }
        for (String order : new String[] {"0", "9", "18"}) {
            configs.add(config("device map + close of every view of 1 GiB, order " + order,
                    "DeviceBenchmark.mapAndCloseEveryView", "order", order));
        }
        for (String b : new String[] {"jdaxPool", "nettyPooled", "allocateDirect", "arenaConfined", "jdaxFolio"}) {
            configs.add(config("4 KiB allocate + release: " + b, "PoolBenchmark." + b));
        }
        for (String pool : new String[] {"jdax", "netty"}) {
            configs.add(config(pool + " pool, one thread", "PoolScalingBenchmark.oneThread", "pool", pool));
            configs.add(config(pool + " pool, two threads", "PoolScalingBenchmark.twoThreads", "pool", pool));
        }
        configs.add(config("get + put", "RefcountBenchmark.getPut", "kind", "DEVICE"));
        configs.add(config("bare getAndAdd pair", "RefcountBenchmark.bareGetAndAddPair", "kind", "DEVICE"));
        configs.add(config("last put, dax map (waiter check)", "LastPutBenchmark.incRefThenLastPut", "kind", "DAX"));
        configs.add(config("last put, device map (no waiting)", "LastPutBenchmark.incRefThenLastPut", "kind", "DEVICE"));
        configs.add(config("last put to idle-waiter's return (mean)", "WakeLatencyBenchmark.lastPutToWaiterReturn"));

        out.printf("jdax headline benchmarks, %s mode: %d configurations, one forked JVM each (JDK %s)%n%n",
                full ? "full" : "quick", configs.size(), Runtime.version());
        long start = System.nanoTime();
        int i = 0;
        for (Config c : configs) {
            i++;
            out.printf("[%2d/%d] %-58s ", i, configs.size(), c.title());
            out.flush();
            long t0 = System.nanoTime();
            RunResult r = measure(c);
            results.put(c, r);
            double median = median(r);
            medians.put(c, median);
            units.put(c, r.getPrimaryResult().getScoreUnit());
            out.printf("%12s %-6s (%.0f s)%n", format(median), r.getPrimaryResult().getScoreUnit(),
                    (System.nanoTime() - t0) / 1e9);
        }
        Path json = full ? Path.of("results", "full-" + LocalDate.now() + ".json") : Path.of("target", "headline.json");
        Files.createDirectories(json.toAbsolutePath().getParent());
        ResultFormatFactory.getInstance(ResultFormatType.JSON, json.toString()).writeOut(all);
        out.printf("%nall configurations measured in %.0f s; JMH JSON: %s%n%n", (System.nanoTime() - start) / 1e9,
                json.toAbsolutePath());
        table(configs);
    }

    private RunResult measure(Config c) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + Headline.class.getPackageName().replace(".", "\\.") + "\\." + c.benchmark() + "$")
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
        c.params().forEach(o::param);
        if (!full) {
            o.forks(1).warmupIterations(3).warmupTime(TimeValue.milliseconds(400))
                    .measurementIterations(5).measurementTime(TimeValue.milliseconds(400));
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        if (results.size() != 1) {
            throw new IllegalStateException(c.benchmark() + " " + c.params() + " gave " + results.size()
                    + " results, expected 1");
        }
        all.addAll(results);
        return results.iterator().next();
    }

    /** Median of every measurement iteration of every fork: robust against one noisy iteration. */
    private static double median(RunResult r) {
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult fork : r.getBenchmarkResults()) {
            for (IterationResult it : fork.getIterationResults()) {
                scores.add(it.getPrimaryResult().getScore());
            }
        }
        scores.sort(Double::compare);
        int n = scores.size();
        return n % 2 == 1 ? scores.get(n / 2) : (scores.get(n / 2 - 1) + scores.get(n / 2)) / 2;
    }

    private double m(List<Config> configs, int index) {
        return medians.get(configs.get(index));
    }

    private void table(List<Config> c) {
        out.println("Compound vs order-0 (device DAX, whole 1 GiB range; medians, us/op)");
        out.printf("  %-26s %12s %12s %12s %10s %10s%n", "", "order 0", "order 9", "order 18", "0 / 9", "0 / 18");
        for (int row = 0; row < 2; row++) {
            double o0 = m(c, row * 3);
            double o9 = m(c, row * 3 + 1);
            double o18 = m(c, row * 3 + 2);
            out.printf("  %-26s %12s %12s %12s %9.0fx %9.0fx%n", row == 0 ? "pin + unpin" : "map + close every view",
                    format(o0), format(o9), format(o18), o0 / o9, o0 / o18);
        }
        out.println();
        out.println("4 KiB buffer: allocate, write 8 bytes, release (medians, ns/op)");
        double jdax = m(c, 6);
        String[] names = {"jdax BufferPool", "Netty PooledByteBufAllocator", "ByteBuffer.allocateDirect",
                "Arena.ofConfined().allocate", "jdax folio level (pfn)"};
        for (int k = 0; k < names.length; k++) {
            double v = m(c, 6 + k);
            out.printf("  %-30s %10s   jdax pool / this %6.2f%n", names[k], format(v), jdax / v);
        }
        out.println();
        out.println("Two threads sharing one pool (medians, ops/us)");
        for (int k = 0; k < 2; k++) {
            double one = m(c, 11 + 2 * k);
            double two = m(c, 12 + 2 * k);
            out.printf("  %-8s one thread %8s   two threads %8s   ratio %5.2fx%n", k == 0 ? "jdax" : "Netty",
                    format(one), format(two), two / one);
        }
        out.println();
        out.println("What the checks cost (medians, ns/op)");
        out.printf("  get + put %s vs bare getAndAdd pair %s: ratio %.2f%n", format(m(c, 15)), format(m(c, 16)),
                m(c, 15) / m(c, 16));
        out.printf("  last put, dax map %s vs device map %s: ratio %.2f (target <= 1.10)%n", format(m(c, 17)),
                format(m(c, 18)), m(c, 17) / m(c, 18));
        out.println();
        RunResult wake = results.get(c.get(19));
        var stats = wake.getPrimaryResult().getStatistics();
        out.printf("Idle wait, last put to the waiter's return, 2 platform threads (%s, %d samples)%n",
                wake.getPrimaryResult().getScoreUnit(), stats.getN());
        out.printf("  p50 %s   p90 %s   p99 %s   max %s%n", format(stats.getPercentile(50)),
                format(stats.getPercentile(90)), format(stats.getPercentile(99)), format(stats.getMax()));
    }

    private static String format(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
