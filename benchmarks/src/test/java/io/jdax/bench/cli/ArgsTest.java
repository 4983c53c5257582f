package io.jdax.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ArgsTest {

    @Test
    void benchDefaultsToQuickEverySectionNotRecorded() throws Exception {
        assertEquals(new Args.Bench(true, Optional.empty(), false), Args.parse("bench"));
    }

    @Test
    void benchOptions() throws Exception {
        assertEquals(new Args.Bench(false, Optional.of("sizes"), true), Args.parse("bench", "--full", "--only", "sizes", "--record"));
        assertEquals(new Args.Bench(true, Optional.of("device"), false), Args.parse("bench", "--only", "device", "--quick"));
        assertEquals(new Args.Bench(true, Optional.empty(), false), Args.parse("bench", "--quick", "--quick"));
    }

    @Test
    void benchRejectsWhatItDoesNotKnow() {
        assertEquals("bench: --quick and --full exclude each other",
                assertThrows(Args.UsageException.class, () -> Args.parse("bench", "--quick", "--full")).getMessage());
        assertTrue(assertThrows(Args.UsageException.class, () -> Args.parse("bench", "--only", "nope")).getMessage()
                .startsWith("bench: unknown section 'nope': expected one of device,"));
        assertEquals("--only needs a value",
                assertThrows(Args.UsageException.class, () -> Args.parse("bench", "--only")).getMessage());
        assertEquals("--only needs a value",
                assertThrows(Args.UsageException.class, () -> Args.parse("bench", "--only", "--full")).getMessage());
        assertEquals("bench: unknown option '-q'",
                assertThrows(Args.UsageException.class, () -> Args.parse("bench", "-q")).getMessage());
    }

    @Test
    void everyPlanSectionIsAnOnlyChoice() throws Exception {
        for (String id : Plan.ids()) {
            assertEquals(Optional.of(id), ((Args.Bench) Args.parse("bench", "--only", id)).only());
        }
    }

    @Test
    void stressModesAndFilter() throws Exception {
        assertEquals(new Args.Stress("sanity", ".*"), Args.parse("stress"));
        assertEquals(new Args.Stress("quick", "Pool_0[1-3]"), Args.parse("stress", "--mode", "quick", "--tests", "Pool_0[1-3]"));
        assertEquals("stress: unknown mode 'tough': expected sanity, quick or default",
                assertThrows(Args.UsageException.class, () -> Args.parse("stress", "--mode", "tough")).getMessage());
        assertEquals("stress: --tests is not a regular expression: Pool_[",
                assertThrows(Args.UsageException.class, () -> Args.parse("stress", "--tests", "Pool_[")).getMessage());
    }

    @Test
    void demoAndReport() throws Exception {
        assertEquals(new Args.Demo(), Args.parse("demo"));
        assertThrows(Args.UsageException.class, () -> Args.parse("demo", "now"));
        assertEquals(new Args.Report(Optional.empty()), Args.parse("report"));
        assertEquals(new Args.Report(Optional.of(Path.of("x.json"))), Args.parse("report", "--from", "x.json"));
        assertThrows(Args.UsageException.class, () -> Args.parse("report", "x.json"));
    }

    @Test
    void helpOnEveryCommandWinsOverOtherArguments() throws Exception {
        assertEquals(Args.USAGE, ((Args.Help) Args.parse("--help")).text());
        assertEquals(Args.BENCH_USAGE, ((Args.Help) Args.parse("bench", "--bogus", "--help")).text());
        assertEquals(Args.DEMO_USAGE, ((Args.Help) Args.parse("demo", "-h")).text());
        assertEquals(Args.STRESS_USAGE, ((Args.Help) Args.parse("stress", "--help")).text());
        assertEquals(Args.REPORT_USAGE, ((Args.Help) Args.parse("report", "--help")).text());
    }

    @Test
    void unknownOrMissingCommand() {
        assertEquals("unknown command 'benchmark': expected bench, demo, stress or report",
                assertThrows(Args.UsageException.class, () -> Args.parse("benchmark")).getMessage());
        assertThrows(Args.UsageException.class, Args::parse);
    }

    @Test
    void aBadCommandLineIsOneLineOnStderrAndStatusTwo() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Jdax.run(new String[] {"bench", "--fast"}, new PrintStream(out), new PrintStream(err));
        assertEquals(2, status);
        assertEquals(0, out.size());
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("jdax: bench: unknown option '--fast'"), e);
    }

    @Test
    void helpPrintsAndSucceeds() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Jdax.run(new String[] {"stress", "--help"}, new PrintStream(out), System.err));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: jdax stress"));
        assertInstanceOf(Args.Help.class, assertDoesNotThrow());
        assertFalse(Args.BENCH_USAGE.isBlank());
    }

    private static Args.Command assertDoesNotThrow() {
        try {
            return Args.parse("-h");
        } catch (Args.UsageException e) {
            throw new AssertionError(e);
        }
    }
}
