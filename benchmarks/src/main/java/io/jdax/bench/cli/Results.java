package io.jdax.bench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The results of a JMH JSON file, found by benchmark name and parameters, never by position: a result that
 * is not in the file is absent, never another one's number.
 */
public final class Results {

    /**
     * One benchmark at one set of parameters.
     *
     * @param benchmark  {@code Class.method}, without the package
     * @param params     its JMH parameters
     * @param mode       JMH mode ({@code avgt}, {@code thrpt}, {@code sample}, ...)
     * @param unit       the primary score's unit
     * @param iterations every measurement iteration of every fork
     * @param percentiles the primary metric's percentiles by JMH's keys ("50.0", "99.0", ...)
     * @param secondary  each secondary metric's iterations (from {@code @AuxCounters})
     */
    public record Entry(String benchmark, Map<String, String> params, String mode, String unit,
                        List<Double> iterations, Map<String, Double> percentiles, Map<String, List<Double>> secondary) {

        /** Median of every measurement iteration of every fork: robust against one noisy iteration. */
        public double median() {
            return Results.median(iterations);
        }

        /** Median of a secondary metric's iterations. */
        public Optional<Double> secondaryMedian(String name) {
            List<Double> v = secondary.get(name);
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(Results.median(v));
        }
    }

    private final List<Entry> entries;

    private Results(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static Results read(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Results parse(String json) {
        Object root = Json.parse(json);
        if (!(root instanceof List<?> list)) {
            throw new IllegalArgumentException("not a JMH result file: the top level is not an array");
        }
        List<Entry> entries = new ArrayList<>();
        for (Object o : list) {
            Map<String, Object> m = (Map<String, Object>) o;
            String full = (String) m.get("benchmark");
            String[] parts = full.split("\\.");
            String name = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : full;
            Map<String, String> params = new LinkedHashMap<>();
            Object p = m.get("params");
            if (p instanceof Map<?, ?> pm) {
                pm.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            }
            Map<String, Object> primary = (Map<String, Object>) m.get("primaryMetric");
            Map<String, Double> percentiles = new LinkedHashMap<>();
            if (primary.get("scorePercentiles") instanceof Map<?, ?> pc) {
                pc.forEach((k, v) -> {
                    if (v instanceof Double d) {
                        percentiles.put((String) k, d);
                    }
                });
            }
            Map<String, List<Double>> secondary = new LinkedHashMap<>();
            if (m.get("secondaryMetrics") instanceof Map<?, ?> sm) {
                sm.forEach((k, v) -> secondary.put((String) k, flatten(((Map<String, Object>) v).get("rawData"))));
            }
            entries.add(new Entry(name, Map.copyOf(params), (String) m.get("mode"), (String) primary.get("scoreUnit"),
                    flatten(primary.get("rawData")), percentiles, secondary));
        }
        return new Results(entries);
    }

    private static List<Double> flatten(Object rawData) {
        List<Double> out = new ArrayList<>();
        if (rawData instanceof List<?> forks) {
            for (Object fork : forks) {
                if (fork instanceof List<?> its) {
                    for (Object v : its) {
                        if (v instanceof Double d) {
                            out.add(d);
                        }
                    }
                }
            }
        }
        return out;
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * The one entry of {@code benchmark} ({@code Class.method}) whose parameters include every given pair.
     *
     * @param params name, value, name, value...
     * @throws IllegalStateException if more than one entry matches: the lookup must say which
     */
    public Optional<Entry> find(String benchmark, Map<String, String> params) {
        Entry found = null;
        for (Entry e : entries) {
            if (!e.benchmark().equals(benchmark) || !e.params().entrySet().containsAll(params.entrySet())) {
                continue;
            }
            if (found != null) {
                throw new IllegalStateException(benchmark + " " + params + " matches more than one result: "
                        + found.params() + " and " + e.params());
            }
            found = e;
        }
        return Optional.ofNullable(found);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> s = new ArrayList<>(values);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
