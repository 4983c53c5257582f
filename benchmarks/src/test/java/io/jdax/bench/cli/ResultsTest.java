package io.jdax.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ResultsTest {

    /** A JMH-shaped file whose entries are in no useful order: every lookup must go by name and parameters. */
    static String entry(String benchmark, String params, String unit, double... iterations) {
        return entry(benchmark, params, unit, "", iterations);
    }

    static String entry(String benchmark, String params, String unit, String secondary, double... iterations) {
        StringBuilder raw = new StringBuilder("[");
        for (int i = 0; i < iterations.length; i++) {
            raw.append(i == 0 ? "" : ", ").append(iterations[i]);
        }
        raw.append("]");
        return """
                {"jmhVersion": "1.37", "benchmark": "io.jdax.bench.%s", "mode": "avgt", "threads": 1, "forks": 1,
                 "params": {%s},
                 "primaryMetric": {"score": 1.0, "scoreError": "NaN", "scoreConfidence": [1.0, 1.0],
                   "scorePercentiles": {"50.0": 1.0, "99.0": 2.5}, "scoreUnit": "%s", "rawData": [%s]},
                 "secondaryMetrics": {%s}}""".formatted(benchmark, params, unit, raw, secondary);
    }

    static final String FILE = "[" + String.join(",\n",
            entry("DeviceBenchmark.pinUnpinWholeRange", "\"order\": \"18\"", "us/op", 0.09, 0.08, 0.07),
            entry("PoolSizesBenchmark.allocateWriteRelease", "\"size\": \"4096\", \"allocator\": \"nettyAdaptive\"", "ns/op", 50, 52),
            entry("DeviceBenchmark.pinUnpinWholeRange", "\"order\": \"0\"", "us/op", 13000, 12000, 12500, 90000),
            entry("PoolSizesBenchmark.allocateWriteRelease", "\"size\": \"4096\", \"allocator\": \"jdax\"", "ns/op", 40, 41, 39),
            entry("DeviceBenchmark.pinUnpinWholeRange", "\"order\": \"9\"", "us/op", 25, 27),
            entry("PoolSizesBenchmark.allocateWriteRelease", "\"size\": \"4096\", \"allocator\": \"nettyPooled\"", "ns/op", 75),
            entry("BurstBenchmark.allocateAllReleaseShuffled", "\"allocator\": \"jdax\"", "ns/op",
                    "\"heldMiB\": {\"score\": 2.0, \"scoreUnit\": \"#\", \"rawData\": [[692.0, 700.0, 690.0]]}", 90, 100, 95),
            entry("BurstBenchmark.allocateAllReleaseShuffled", "\"allocator\": \"nettyAdaptive\"", "ns/op",
                    "\"heldMiB\": {\"score\": 2.0, \"scoreUnit\": \"#\", \"rawData\": [[436.0, 436.0]]}", 60, 62)) + "]";

    @Test
    void findsByNameAndParametersWhateverTheOrder() {
        Results r = Results.parse(FILE);
        assertEquals(12_750, r.find("DeviceBenchmark.pinUnpinWholeRange", Map.of("order", "0")).orElseThrow().median());
        assertEquals(26, r.find("DeviceBenchmark.pinUnpinWholeRange", Map.of("order", "9")).orElseThrow().median());
        assertEquals(0.08, r.find("DeviceBenchmark.pinUnpinWholeRange", Map.of("order", "18")).orElseThrow().median());
        assertEquals(40, r.find("PoolSizesBenchmark.allocateWriteRelease",
                Map.of("allocator", "jdax", "size", "4096")).orElseThrow().median());
        assertEquals("us/op", r.find("DeviceBenchmark.pinUnpinWholeRange", Map.of("order", "9")).orElseThrow().unit());
    }

    @Test
    void aMissingResultIsAbsentNotAnotherOnes() {
        Results r = Results.parse(FILE);
        assertEquals(Optional.empty(), r.find("DeviceBenchmark.pinUnpinWholeRange", Map.of("order", "1")));
        assertEquals(Optional.empty(), r.find("DeviceBenchmark.mapAndCloseEveryView", Map.of("order", "0")));
        assertEquals(Optional.empty(), r.find("PoolSizesBenchmark.allocateWriteRelease",
                Map.of("allocator", "jdax", "size", "64")));
    }

    @Test
    void anAmbiguousLookupThrowsInsteadOfPickingOne() {
        Results r = Results.parse(FILE);
        assertThrows(IllegalStateException.class, () -> r.find("DeviceBenchmark.pinUnpinWholeRange", Map.of()));
    }

    @Test
    void secondaryMetricsAndPercentiles() {
        Results.Entry e = Results.parse(FILE).find("BurstBenchmark.allocateAllReleaseShuffled",
                Map.of("allocator", "jdax")).orElseThrow();
        assertEquals(Optional.of(692.0), e.secondaryMedian("heldMiB"));
        assertEquals(Optional.empty(), e.secondaryMedian("requestedMiB"));
        assertEquals(2.5, e.percentiles().get("99.0"));
    }

    @Test
    void tablesAndRatiosComeFromTheLookedUpNumbers() {
        Results r = Results.parse(FILE);
        List<Ratio> ratios = Plan.ratios(r);
        Ratio pin = ratios.stream().filter(x -> x.label().startsWith("device pin")).findFirst().orElseThrow();
        assertEquals(12_750 / 26.0, pin.value(), 1e-9);
        assertEquals("met", pin.verdict());
        Ratio size = ratios.stream().filter(x -> x.label().startsWith("4 KiB")).findFirst().orElseThrow();
        assertEquals(40 / 51.0, size.value(), 1e-9); // against the faster of the two Netty variants present
        Ratio held = ratios.stream().filter(x -> x.label().contains("memory held")).findFirst().orElseThrow();
        assertEquals(692 / 436.0, held.value(), 1e-9);
        assertEquals("missed", held.verdict());
        // map + close was not measured: no row, no ratio, no made-up number
        assertFalse(ratios.stream().anyMatch(x -> x.label().contains("map + close")));
        String text = Plan.text(r);
        assertTrue(text.contains("12,750"), text);
        assertTrue(text.contains("490x"), text);
    }

    @Test
    void jsonReaderHandlesWhatJmhWrites() {
        assertEquals(List.of(1.0, "NaN", Map.of("a", "b\"c"), true), Json.parse(" [1e0, \"NaN\", {\"a\": \"b\\\"c\"}, true] "));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Results.parse("{}"));
    }
}
