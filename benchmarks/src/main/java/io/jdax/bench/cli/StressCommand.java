package io.jdax.bench.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jdax stress}: the jcstress suite in its own JVM, through its summary main, which prints one line per
 * test and fails on a FORBIDDEN outcome, an error or a test that never ran.
 */
final class StressCommand {

    static final String JAR = "jcstress-tests/target/jcstress.jar";

    private StressCommand() {
    }

    static int run(Args.Stress cmd, Path root, PrintStream out) throws IOException, InterruptedException {
        Path jar = root.resolve(JAR);
        if (!Files.isRegularFile(jar)) {
            out.println("jdax stress: " + jar + " is missing; './jdax stress' builds it");
            return 1;
        }
        Path results = root.resolve("jcstress-tests/target/jcstress-results");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-cp", jar.toString(), "io.jdax.stress.StressSummary", "-m", cmd.mode(),
                "-t", cmd.tests(), "-r", results.toString());
        out.println("jdax stress, " + cmd.mode() + " mode, tests matching " + cmd.tests() + "; HTML report in " + results);
        Process p = new ProcessBuilder(command).directory(root.resolve("jcstress-tests/target").toFile())
                .inheritIO().start();
        return p.waitFor();
    }
}
