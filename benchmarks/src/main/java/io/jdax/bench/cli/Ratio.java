package io.jdax.bench.cli;

import java.util.Locale;
import java.util.Optional;

/**
 * A headline ratio and the target it is held to: what the chart draws and the tables print.
 *
 * @param label  what is compared, numerator first
 * @param value  the measured ratio
 * @param target the goal, or empty where the ratio is reported only
 */
public record Ratio(String label, double value, Optional<Target> target) {

    /** A goal for a ratio: {@code >= 100}, {@code < 1.0}, {@code <= 1.10}. */
    public record Target(String op, double threshold) {
        public Target {
            if (!op.equals(">=") && !op.equals("<=") && !op.equals("<") && !op.equals(">")) {
                throw new IllegalArgumentException("unknown comparison: " + op);
            }
        }

        public boolean meets(double v) {
            return switch (op) {
                case ">=" -> v >= threshold;
                case "<=" -> v <= threshold;
                case "<" -> v < threshold;
                default -> v > threshold;
            };
        }

        @Override
        public String toString() {
            return op + " " + Table.ratio(threshold);
        }
    }

    static Ratio reported(String label, double value) {
        return new Ratio(label, value, Optional.empty());
    }

    static Ratio of(String label, double value, String op, double threshold) {
        return new Ratio(label, value, Optional.of(new Target(op, threshold)));
    }

    /** "met", "missed" or "reported". */
    public String verdict() {
        return target.map(t -> t.meets(value) ? "met" : "missed").orElse("reported");
    }

    public String targetText() {
        return target.map(Target::toString).orElse("(reported)");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %s %s", label, Table.ratio(value), targetText());
    }
}
