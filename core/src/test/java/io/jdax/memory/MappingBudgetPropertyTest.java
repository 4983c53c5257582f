package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A bad {@code -Djdax.maxMappings} is reported by every region creation with an exception naming the value,
 * not once as a class-initialization error followed by {@code NoClassDefFoundError} for every later region.
 * The property is read once per JVM, so the check runs in a JVM of its own.
 */
class MappingBudgetPropertyTest {

    /** Run in the child JVM: two region creations, one line each with the exception's class and message. */
    public static void main(String[] args) {
        for (int i = 0; i < 2; i++) {
            try (Region r = Region.anonymous(1 << 20)) {
                System.out.println("created " + r);
            } catch (Throwable t) {
                System.out.println(t.getClass().getSimpleName() + ": " + t.getMessage());
            }
        }
    }

    @Test
    void aBadBudgetPropertyIsNamedByEveryRegionCreation() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the build's own output directories (surefire's class path may be a manifest jar or a module path)
        String classes = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "test-classes").toAbsolutePath();
        Process p = new ProcessBuilder(java, "-D" + KernelMappings.LIMIT_PROPERTY + "=lots", "-cp", classes,
                MappingBudgetPropertyTest.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(2, lines.size(), String.valueOf(lines));
        for (String line : lines) {
            assertTrue(line.startsWith("IllegalArgumentException: -Djdax.maxMappings=lots is not a positive count"),
                    line);
        }
    }
}
