package io.jdax.bench.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The command line of {@code jdax}: one subcommand and its options, or a one-line usage error. */
public final class Args {

    /** A bad command line: the message is the one line {@code jdax} prints before exiting with status 2. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** A parsed command line. */
    public sealed interface Command permits Bench, Demo, Stress, Report, Help {
    }

    /** {@code jdax bench}: quick or full, all sections or one, into target/ or recorded into results/. */
    public record Bench(boolean quick, Optional<String> only, boolean record) implements Command {
    }

    public record Demo() implements Command {
    }

    /** {@code jdax stress}: a jcstress mode and a test filter (a regular expression, default every test). */
    public record Stress(String mode, String tests) implements Command {
    }

    /** {@code jdax report}: from the results file the README names, or from another one. */
    public record Report(Optional<Path> from) implements Command {
    }

    /** {@code --help}: the text to print. */
    public record Help(String text) implements Command {
    }

    static final List<String> STRESS_MODES = List.of("sanity", "quick", "default");

    static final String USAGE = """
            usage: jdax <command> [options]

            commands:
              bench    run the headline benchmarks and print medians and ratios, with a chart
              demo     a short narrated walk through the library
              stress   run the jcstress suite and print a summary
              report   regenerate the README's performance table and chart from benchmarks/results/

            'jdax <command> --help' tells more.""";

    static final String BENCH_USAGE = """
            usage: jdax bench [--quick | --full] [--only SECTION] [--record]

            Runs the headline comparisons (JMH, one forked JVM per configuration) on anonymous memory, with a
            progress bar, then prints tables of medians and ratios and writes the JMH JSON and an SVG chart of the
            ratios against their targets.

              --quick          the default: one fork per configuration, 1 x 200 ms warm-up (the burst's
                               3 x 1 s) and 3 x 200 ms measurement, only the configurations each section's
                               targets need (50: about 3 minutes on a quiet 2-core machine by the plan's
                               estimate, most of it starting forks; numbers are indicative)
              --full           two forks, 5 x 1 s warm-up and measurement, every size and variant (94
                               configurations: about 38 minutes)
              --only SECTION   one section: %s
              --record         write the JSON and chart to benchmarks/results/ (default benchmarks/target/bench/)

            The store's benchmarks keep their 1 GiB files in /dev/shm (else java.io.tmpdir; a direct java run
            takes -Djdax.bench.dir=DIR) and remove them afterwards."""
            .formatted(String.join(", ", Plan.ids()));

    static final String DEMO_USAGE = """
            usage: jdax demo

            A short narrated walk through what the library does today, on anonymous memory (nothing is left
            behind): a buffer pool at work (allocate, retain and slice, release, statistics, a leak report),
            device DAX (a compound pin, views, revoke), a file store (a file written, reflinked to a second
            name, mapped from both with the block's share count, truncated while a pin is held and seen
            waiting, fsynced with the bytes it flushed, statistics) and waiting for a dax folio to become idle.""";

    static final String STRESS_USAGE = """
            usage: jdax stress [--mode sanity|quick|default] [--tests REGEX]

            Runs the jcstress suite (building its jar if needed) and prints a summary per test: results,
            FORBIDDEN outcomes seen, errors. Exits non-zero if any test failed, erred or never ran.

              --mode MODE      sanity (the CI mode, about 80 s), quick (about 15 min) or default
              --tests REGEX    only the tests whose name matches (default: all)""";

    static final String REPORT_USAGE = """
            usage: jdax report [--from FILE]

            Rewrites the README's performance section (between its 'jdax report' markers) from the JMH JSON the
            begin marker names, or from FILE (which the marker then names), writes the chart beside that file,
            and copies the README's code examples from core's ReadmeExamplesTest.""";

    private Args() {
    }

    public static Command parse(String... args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no command given: bench, demo, stress or report");
        }
        String cmd = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        return switch (cmd) {
            case "-h", "--help", "help" -> new Help(USAGE);
            case "bench" -> bench(rest);
            case "demo" -> demo(rest);
            case "stress" -> stress(rest);
            case "report" -> report(rest);
            default -> throw new UsageException("unknown command '" + cmd + "': expected bench, demo, stress or report");
        };
    }

    private static boolean wantsHelp(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    private static String value(List<String> args, int i, String option) throws UsageException {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i + 1);
    }

    private static Command bench(List<String> args) throws UsageException {
        if (wantsHelp(args)) {
            return new Help(BENCH_USAGE);
        }
        Boolean quick = null;
        Optional<String> only = Optional.empty();
        boolean record = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--quick", "--full" -> {
                    boolean q = a.equals("--quick");
                    if (quick != null && quick != q) {
                        throw new UsageException("bench: --quick and --full exclude each other");
                    }
                    quick = q;
                }
                case "--only" -> {
                    String name = value(args, i++, "--only");
                    if (!Plan.ids().contains(name)) {
                        throw new UsageException("bench: unknown section '" + name + "': expected one of "
                                + String.join(", ", Plan.ids()));
                    }
                    only = Optional.of(name);
                }
                case "--record" -> record = true;
                default -> throw new UsageException("bench: unknown option '" + a + "'");
            }
        }
        return new Bench(quick == null || quick, only, record);
    }

    private static Command demo(List<String> args) throws UsageException {
        if (wantsHelp(args)) {
            return new Help(DEMO_USAGE);
        }
        if (!args.isEmpty()) {
            throw new UsageException("demo: takes no arguments, got '" + args.get(0) + "'");
        }
        return new Demo();
    }

    private static Command stress(List<String> args) throws UsageException {
        if (wantsHelp(args)) {
            return new Help(STRESS_USAGE);
        }
        String mode = "sanity";
        String tests = ".*";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--mode" -> {
                    mode = value(args, i++, "--mode");
                    if (!STRESS_MODES.contains(mode)) {
                        throw new UsageException("stress: unknown mode '" + mode + "': expected sanity, quick or default");
                    }
                }
                case "--tests" -> {
                    tests = value(args, i++, "--tests");
                    try {
                        java.util.regex.Pattern.compile(tests);
                    } catch (java.util.regex.PatternSyntaxException e) {
                        throw new UsageException("stress: --tests is not a regular expression: " + tests);
                    }
                }
                default -> throw new UsageException("stress: unknown option '" + a + "'");
            }
        }
        return new Stress(mode, tests);
    }

    private static Command report(List<String> args) throws UsageException {
        if (wantsHelp(args)) {
            return new Help(REPORT_USAGE);
        }
        Optional<Path> from = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--from")) {
                from = Optional.of(Path.of(value(args, i++, "--from")));
            } else {
                throw new UsageException("report: unknown option '" + a + "'");
            }
        }
        return new Report(from);
    }
}
