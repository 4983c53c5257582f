package io.jdax.bench.cli;

import static io.jdax.bench.cli.ResultsTest.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The store's rows and ratios are looked up by name; a results file without them shows neither. */
class StoreSectionTest {

    static final String STORE = "[" + String.join(",\n",
            entry("StoreBenchmark.channelWrite", "", "ns/op", 4000, 4100, 3900),
            entry("StoreBenchmark.viewRead", "", "ns/op", 700),
            entry("StoreBenchmark.storeRead", "", "ns/op", 500, 520),
            entry("StoreBenchmark.sparseFsync", "", "us/op", 100),
            entry("StoreBenchmark.channelRead", "", "ns/op", 3000),
            entry("StoreBenchmark.storeWrite", "", "ns/op", 1000),
            entry("StoreBenchmark.mappedRead", "", "ns/op", 400),
            entry("StoreBenchmark.wholeRangeForce", "", "us/op", 2000)) + "]";

    @Test
    void everyJdaxPathIsHeldToFiveTimesFileChannel() {
        Results r = Results.parse(STORE);
        List<Ratio> ratios = new StoreSection().ratios(r);
        assertEquals(List.of("random 4 KiB read, FileChannel / DaxFile.read", "random 4 KiB read, FileChannel / FileView read",
                "random 4 KiB read, FileChannel / FileView mapped once, read",
                "random 4 KiB write, FileChannel / DaxFile.write"), ratios.stream().map(Ratio::label).toList(),
                "viewWrite and mappedWrite did not run: no ratio for them");
        assertEquals(3000 / 510.0, ratios.get(0).value(), 1e-9);
        assertEquals("met", ratios.get(0).verdict());
        assertEquals(3000 / 700.0, ratios.get(1).value(), 1e-9);
        assertEquals("missed", ratios.get(1).verdict());
        assertEquals(3000 / 400.0, ratios.get(2).value(), 1e-9);
        assertEquals("met", ratios.get(2).verdict());
        assertEquals(4000 / 1000.0, ratios.get(3).value(), 1e-9);
        String table = new StoreSection().table(r).orElseThrow().text();
        assertTrue(table.contains("5.88x") && table.contains("7.50x") && table.contains("4.00x") && table.contains(" - "),
                table);
        Ratio fsync = Plan.ratios(r).stream().filter(x -> x.label().equals("whole-range force / sparse fsync"))
                .findFirst().orElseThrow();
        assertEquals(20, fsync.value(), 1e-9);
    }

    @Test
    void aResultsFileWithoutTheStoreRowsLeavesThemOut() {
        Results r = Results.parse(ResultsTest.FILE);
        assertEquals(Optional.empty(), new StoreSection().table(r));
        assertEquals(List.of(), new StoreSection().ratios(r));
        assertFalse(Plan.markdown(r).contains("FileChannel"));
    }

    @Test
    void theStoreRowsRunAtTheFirstValueOfAnyParameter() {
        Catalog c = new Catalog(Map.of(
                "StoreBenchmark.storeRead", Map.of("dir", List.of("shm", "tmp")),
                "StoreBenchmark.channelRead", Map.of()));
        assertEquals(List.of(Key.of("StoreBenchmark.storeRead", "dir", "shm"), Key.of("StoreBenchmark.channelRead")),
                Plan.keys(true, Optional.of("store"), c));
    }
}
