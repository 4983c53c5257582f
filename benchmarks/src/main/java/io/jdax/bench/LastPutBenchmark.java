package io.jdax.bench;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What idle waiting costs a put when nobody waits: each operation takes a folio out of idle and drops it
 * back ({@code incRef} 0 -> 1, {@code put} 1 -> 0), so every put is a last put. On a DAX map the last put
 * loads its wait bucket's waiter count (one volatile load, nobody there); on a DEVICE map waiting is off and
 * the last put does nothing. Target: DAX / DEVICE <= 1.10.
 */
@State(Scope.Benchmark)
public class LastPutBenchmark extends BenchmarkDefaults {

    @Param({"DAX", "DEVICE"})
    public PageMap.Kind kind;

    private Region region;
    private PageMap map;
    private final long pfn = 3;

    @Setup(Level.Trial)
    public void setUp() {
        region = Region.anonymous(64 * PageMap.DEFAULT_PAGE_SIZE);
        map = kind == PageMap.Kind.DAX ? PageMap.dax(region) : PageMap.device(region);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        region.close();
    }

    @Benchmark
    public boolean incRefThenLastPut() {
        map.incRef(pfn);
        return map.put(pfn);
    }
}
