package io.jdax.bench.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The {@code jdax} command (the {@code ./jdax} script at the repository root builds the jars and starts this
 * with {@code -Djdax.root=} the repository). Exit status: 0 done, 1 a failure (a failed benchmark, a failed
 * stress test), 2 a bad command line.
 */
public final class Jdax {

    private Jdax() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Args.Command cmd;
        try {
            cmd = Args.parse(args);
        } catch (Args.UsageException e) {
            err.println("jdax: " + e.getMessage() + " (jdax --help)");
            return 2;
        }
        Path root = Path.of(System.getProperty("jdax.root", "."));
        try {
            return switch (cmd) {
                case Args.Help h -> {
                    out.println(h.text());
                    yield 0;
                }
                case Args.Bench b -> BenchCommand.run(b, root, out, System.console() != null && System.console().isTerminal());
                case Args.Demo d -> DemoCommand.run(out);
                case Args.Stress s -> StressCommand.run(s, root, out);
                case Args.Report r -> ReportCommand.run(r, root, out);
            };
        } catch (Exception e) {
            err.println("jdax: " + e.getMessage());
            return 1;
        }
    }
}
