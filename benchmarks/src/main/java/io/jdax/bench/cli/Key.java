package io.jdax.bench.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One configuration: a benchmark ({@code Class.method}, in {@code io.jdax.bench}) at a set of parameters.
 * What {@code jdax bench} runs, and what a table looks up in the results.
 */
public record Key(String benchmark, Map<String, String> params) {

    public Key {
        params = Map.copyOf(params);
    }

    /** @param params name, value, name, value... */
    public static Key of(String benchmark, String... params) {
        if (params.length % 2 != 0) {
            throw new IllegalArgumentException("parameters come in name, value pairs: " + String.join(",", params));
        }
        Map<String, String> p = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        return new Key(benchmark, p);
    }

    public String className() {
        return benchmark.substring(0, benchmark.indexOf('.'));
    }

    Optional<Results.Entry> in(Results r) {
        return r.find(benchmark, params);
    }

    @Override
    public String toString() {
        return params.isEmpty() ? benchmark : benchmark + " " + new java.util.TreeMap<>(params);
    }
}
