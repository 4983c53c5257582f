package io.jdax.bench.cli;

import java.io.PrintStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The benchmarks this jar holds (its JMH {@code META-INF/BenchmarkList}), by {@code Class.method}, with the
 * values each {@code @Param} declares. A section whose benchmark class is not in the jar is left out of a run,
 * never shown with made-up numbers.
 */
public record Catalog(Map<String, Map<String, List<String>>> benchmarks) {

    static final String PACKAGE = "io.jdax.bench.";

    public Catalog {
        benchmarks = Map.copyOf(benchmarks);
    }

    /** The catalog of the jar on the class path. */
    public static Catalog ofJar() {
        var silent = OutputFormatFactory.createFormatInstance(new PrintStream(OutputStream.nullOutputStream()),
                VerboseMode.SILENT);
        Map<String, Map<String, List<String>>> m = new TreeMap<>();
        for (BenchmarkListEntry e : BenchmarkList.defaultList().find(silent, List.of(".*"), List.of())) {
            String name = e.getUsername();
            if (!name.startsWith(PACKAGE)) {
                continue;
            }
            Map<String, List<String>> params = new LinkedHashMap<>();
            if (e.getParams().hasValue()) {
                e.getParams().get().forEach((k, v) -> params.put(k, Arrays.asList(v)));
            }
            m.put(name.substring(PACKAGE.length()), params);
        }
        return new Catalog(m);
    }

    public boolean has(String benchmark) {
        return benchmarks.containsKey(benchmark);
    }

    public boolean hasClass(String className) {
        return benchmarks.keySet().stream().anyMatch(b -> b.startsWith(className + "."));
    }

    /** The benchmarks of one class, by {@code Class.method}. */
    public Map<String, Map<String, List<String>>> ofClass(String className) {
        Map<String, Map<String, List<String>>> m = new TreeMap<>();
        benchmarks.forEach((b, p) -> {
            if (b.startsWith(className + ".")) {
                m.put(b, p);
            }
        });
        return m;
    }
}
