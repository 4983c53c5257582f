package io.jdax.bench;

import io.jdax.internal.Internals;
import io.jdax.internal.PageDescriptor;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the checked refcount costs: {@code get} + {@code put} on a live folio (a compare-and-set with the
 * zero and overflow checks, then a getAndAdd with the underflow check) against a bare pair of
 * {@code VarHandle.getAndAdd} on the very same descriptor word. Same memory, same cache line: the difference
 * is the checks and the CAS.
 */
@State(Scope.Benchmark)
public class RefcountBenchmark extends BenchmarkDefaults {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    /** DEVICE: the last put does nothing, so only the counting is measured (the count never reaches 0 here). */
    @Param({"DEVICE", "DAX"})
    public PageMap.Kind kind;

    private Region region;
    private PageMap map;
    private MemorySegment memmap;
    private long pfn;
    private long refcountOffset;

    @Setup(Level.Trial)
    public void setUp() {
        region = Region.anonymous(64 * PageMap.DEFAULT_PAGE_SIZE);
        map = kind == PageMap.Kind.DAX ? PageMap.dax(region) : PageMap.device(region);
        pfn = 7;
        map.incRef(pfn); // held for the whole trial: get/put below never hit 0
        memmap = Internals.memmap(map);
        refcountOffset = PageDescriptor.offset(pfn) + PageDescriptor.REFCOUNT_OFFSET;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        region.close();
    }

    @Benchmark
    public boolean getPut() {
        map.get(pfn);
        return map.put(pfn);
    }

    @Benchmark
    public int bareGetAndAddPair() {
        INT.getAndAdd(memmap, refcountOffset, 1);
        return (int) INT.getAndAdd(memmap, refcountOffset, -1);
    }
}
