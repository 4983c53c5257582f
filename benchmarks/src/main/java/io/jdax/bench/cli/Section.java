package io.jdax.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One part of the headline run: the configurations it measures and how it shows them. Every number a section
 * shows is looked up in the results by benchmark name and parameters; a configuration that is missing shows as
 * "-" or drops its row, and a section whose benchmark classes are not in the jar runs nothing.
 */
public interface Section {

    /** The name {@code --only} takes. */
    String id();

    String title();

    /** What to run; empty when the section's benchmarks are not in this jar. */
    List<Key> keys(boolean quick, Catalog catalog);

    /** The section's table, or empty when the results hold none of its configurations. */
    Optional<Table> table(Results r);

    /** Its headline ratios, only those whose every term is in the results. */
    List<Ratio> ratios(Results r);

    static OptionalDouble median(Results r, Key k) {
        return k.in(r).map(e -> OptionalDouble.of(e.median())).orElse(OptionalDouble.empty());
    }

    static String cell(Results r, Key k) {
        OptionalDouble m = median(r, k);
        return m.isPresent() ? Table.number(m.getAsDouble()) : "-";
    }

    /** The unit of the first of these keys found in the results, for a table's title. */
    static String unit(Results r, List<Key> keys) {
        for (Key k : keys) {
            Optional<Results.Entry> e = k.in(r);
            if (e.isPresent()) {
                return e.get().unit();
            }
        }
        return "";
    }

    static boolean any(Results r, List<Key> keys) {
        return keys.stream().anyMatch(k -> k.in(r).isPresent());
    }

    /** The ratio of two medians, if both are in the results. */
    static OptionalDouble ratio(Results r, Key numerator, Key denominator) {
        OptionalDouble n = median(r, numerator);
        OptionalDouble d = median(r, denominator);
        return n.isPresent() && d.isPresent() ? OptionalDouble.of(n.getAsDouble() / d.getAsDouble()) : OptionalDouble.empty();
    }

    /** The smallest median among those keys that are in the results. */
    static OptionalDouble min(Results r, List<Key> keys) {
        List<Double> v = new ArrayList<>();
        for (Key k : keys) {
            median(r, k).ifPresent(v::add);
        }
        return v.stream().mapToDouble(Double::doubleValue).min();
    }

    static String ratioCell(OptionalDouble v) {
        return v.isPresent() ? Table.ratio(v.getAsDouble()) : "-";
    }
}
