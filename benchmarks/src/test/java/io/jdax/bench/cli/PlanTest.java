package io.jdax.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PlanTest {

    private static Catalog today() {
        return new Catalog(Map.of(
                "DeviceBenchmark.pinUnpinWholeRange", Map.of("order", List.of("0", "9", "18")),
                "DeviceBenchmark.mapAndCloseEveryView", Map.of("order", List.of("0", "9", "18")),
                "PoolSizesBenchmark.allocateWriteRelease", Map.of("size", List.of("64"), "allocator", List.of("jdax"))));
    }

    @Test
    void extensionSectionsRunNothingWhileTheirClassesAreMissing() {
        assertEquals(List.of(), Plan.keys(true, Optional.of("mapping"), today()));
        assertEquals(List.of(), Plan.keys(true, Optional.of("fsync"), today()));
        assertEquals(4, Plan.keys(true, Optional.of("device"), today()).size(), "quick: orders 0 and 9");
        assertEquals(6, Plan.keys(false, Optional.of("device"), today()).size());
    }

    @Test
    void aMappingBenchmarkWithAnOrderParameterJoinsAtOrdersZeroAndNine() {
        Catalog c = new Catalog(Map.of(
                "MappingBenchmark.mapAndCloseEveryView", Map.of("order", List.of("0", "9"), "file", List.of("tmp", "pmem")),
                "MappingBenchmark.faultPresent", Map.of("size", List.of("4096")),
                "StoreBenchmark.sparseFsync", Map.of(),
                "StoreBenchmark.wholeRangeForce", Map.of()));
        assertEquals(List.of(Key.of("MappingBenchmark.mapAndCloseEveryView", "order", "0", "file", "tmp"),
                Key.of("MappingBenchmark.mapAndCloseEveryView", "order", "9", "file", "tmp")),
                Plan.keys(true, Optional.of("mapping"), c));
        assertEquals(List.of(Key.of("StoreBenchmark.sparseFsync"), Key.of("StoreBenchmark.wholeRangeForce")),
                Plan.keys(true, Optional.of("fsync"), c));
    }

    @Test
    void everyConfigurationIsDistinctAndNamesEveryParameterItsBenchmarkHas() {
        Catalog jar = Catalog.ofJar();
        for (boolean quick : new boolean[] {true, false}) {
            List<Key> keys = Plan.keys(quick, Optional.empty(), jar);
            assertEquals(keys.size(), new HashSet<>(keys).size());
            for (Key k : keys) {
                assertTrue(jar.has(k.benchmark()), k.toString());
                // a parameter left out would make JMH run every value of it: one configuration must be one result
                assertEquals(jar.benchmarks().get(k.benchmark()).keySet(), k.params().keySet(), k.toString());
                jar.benchmarks().get(k.benchmark()).forEach((name, values) ->
                        assertTrue(values.contains(k.params().get(name)), k + ": " + name + " not declared"));
            }
        }
    }

    @Test
    void quickModeIsASubsetOfFull() {
        Catalog jar = Catalog.ofJar();
        assertTrue(new HashSet<>(Plan.keys(false, Optional.empty(), jar))
                .containsAll(Plan.keys(true, Optional.empty(), jar)));
        assertFalse(Plan.keys(true, Optional.empty(), jar).isEmpty());
    }

    /** A results file with one entry for each of these configurations. */
    private static Results resultsOf(List<Key> keys) {
        List<String> entries = new java.util.ArrayList<>();
        for (Key k : keys) {
            String params = String.join(", ", k.params().entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\": \"" + e.getValue() + "\"").toList());
            entries.add(ResultsTest.entry(k.benchmark(), params, "ns/op",
                    "\"heldMiB\": {\"score\": 1.0, \"scoreUnit\": \"#\", \"rawData\": [[1.0]]}", 1.0));
        }
        return Results.parse("[" + String.join(",\n", entries) + "]");
    }

    private static java.util.Set<String> targets(Section s, Results r) {
        return s.ratios(r).stream().filter(x -> x.target().isPresent()).map(Ratio::label)
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void quickModeKeepsEverySectionAndEveryTarget() {
        Catalog jar = Catalog.ofJar();
        Results quick = resultsOf(Plan.keys(true, Optional.empty(), jar));
        Results full = resultsOf(Plan.keys(false, Optional.empty(), jar));
        for (Section s : Plan.SECTIONS) {
            assertEquals(s.table(full).isPresent(), s.table(quick).isPresent(), s.id());
            if (s.id().equals("sizes")) {
                // one target per size: quick measures three of the sizes, each against every Netty variant
                assertEquals(PoolSections.Sizes.QUICK_SIZES.size(), targets(s, quick).size());
            } else {
                assertEquals(targets(s, full), targets(s, quick), s.id());
            }
        }
        assertTrue(Plan.ratios(quick).size() >= 20, Plan.ratios(quick).toString());
    }

    @Test
    void theBenchHelpStatesThePlansSizeAndEstimate() {
        Catalog jar = Catalog.ofJar();
        List<Key> quick = Plan.keys(true, Optional.empty(), jar);
        List<Key> full = Plan.keys(false, Optional.empty(), jar);
        assertTrue(Args.BENCH_USAGE.contains("(" + quick.size() + ": about"), Args.BENCH_USAGE);
        assertTrue(Args.BENCH_USAGE.contains("(" + full.size() + "\n"), Args.BENCH_USAGE);
        double q = quick.stream().mapToDouble(k -> BenchCommand.plannedSeconds(k, true)).sum();
        assertTrue(q >= 165 && q < 195, "the help says about 3 minutes; the plan estimates " + q + " s");
        double f = full.stream().mapToDouble(k -> BenchCommand.plannedSeconds(k, false)).sum();
        assertTrue(Args.BENCH_USAGE.contains("about " + Math.round(f / 60) + " minutes"), f + " s: " + Args.BENCH_USAGE);
    }

    @Test
    void chartDrawsEveryRatioOnALogScale() {
        String svg = Chart.svg("t", List.of(Ratio.of("a", 473, ">=", 100), Ratio.of("b", 0.6, "<", 1.0),
                Ratio.reported("c", 1.8)));
        assertTrue(svg.startsWith("<svg"));
        assertTrue(svg.contains(">a<") && svg.contains(">b<") && svg.contains(">c<"));
        // decades from 0.1x to 1,000x
        assertTrue(svg.contains(">0.1x<") && svg.contains(">1,000x<"), svg);
        assertEquals(2, svg.split("fill=\"#2e8b57\"", -1).length - 1); // two targets met: two green bars
    }
}
