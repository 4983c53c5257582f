package io.jdax.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void outsideATerminalEachFinishedConfigurationIsOnePlainLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
                new double[] {60, 60, 120})) {
            p.start(0, "first");
            p.done("first   1.00 ns/op");
            p.start(1, "second");
            p.done("second  2.00 ns/op");
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("[ 1/3 0:00] first   1.00 ns/op"), lines.get(0));
        assertTrue(lines.get(1).startsWith("[ 2/3 0:00] second  2.00 ns/op"), lines.get(1));
        // the plan said 120 s were left, but the first two took ~0 s of their 120: the estimate scales down
        assertTrue(lines.get(1).endsWith("~0:00 left"), lines.get(1));
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\r"), "no carriage returns in a log");
    }

    @Test
    void clock() {
        assertEquals("0:00", Progress.clock(0.2));
        assertEquals("1:05", Progress.clock(65));
        assertEquals("61:40", Progress.clock(3700));
    }
}
