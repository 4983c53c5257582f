package io.jdax.bench;

import io.jdax.mapping.InMemoryExtentSource;
import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingSpace;
import io.jdax.mapping.MappingView;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What PMD entries buy a file mapping, and what a fault costs.
 *
 * <ul>
 *   <li>{@code mapAndCloseEveryView}: one read view of every entry of a 1 GiB file whose entries are all
 *       present, all held at once, then each closed: 262,144 faults at order 0, 512 at order 9, so the ratio
 *       is at most 512x.</li>
 *   <li>{@code faultPresent} / {@code faultInsert}: one fault, per operation, that finds its entry present or
 *       inserts it (entry lock, extent lookup, association, which preps a compound folio at order 9, and a
 *       reference), at order 0 and 9. Measured with a pin and its release, which is the fault without a view
 *       window; the insert variant deletes the 512 entries of the batch between invocations, unmeasured.</li>
 * </ul>
 */
public class MappingBenchmark extends BenchmarkDefaults {

    static final long FILE_SIZE = 1L << 30;
    static final int BATCH = 512;

    /** A 1 GiB file over a 1 GiB anonymous region, every block allocated and every entry present. */
    @State(Scope.Benchmark)
    public static class File {
        /** Entry order: 4 KiB or 2 MiB. */
        @Param({"0", "9"})
        public int order;

        Region region;
        Mapping mapping;
        MappingView[] views;

        @Setup(Level.Trial)
        public void setUp() {
            region = Region.anonymous(FILE_SIZE);
            PageMap map = PageMap.dax(region);
            mapping = new MappingSpace(map).open(new InMemoryExtentSource(map), FILE_SIZE, order);
            long entries = FILE_SIZE / map.pageSize() >>> order;
            views = new MappingView[Math.toIntExact(entries)];
            for (long i = 0; i < entries; i++) {
                mapping.pin(i << order, true).close();
            }
            if (mapping.entryCount() != entries) {
                throw new IllegalStateException(mapping.entryCount() + " entries, expected " + entries);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            mapping.close();
            region.close();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long mapAndCloseEveryView(File f) {
        MappingView[] views = f.views;
        int order = f.order;
        for (int i = 0; i < views.length; i++) {
            views[i] = f.mapping.map((long) i << order, false);
        }
        long sum = 0;
        for (MappingView v : views) {
            sum += v.pfn();
            v.close();
        }
        return sum;
    }

    /** The first {@link #BATCH} entries of a 1 GiB file, present. */
    @State(Scope.Benchmark)
    public static class Present {
        @Param({"0", "9"})
        public int order;

        Region region;
        Mapping mapping;

        @Setup(Level.Trial)
        public void setUp() {
            region = Region.anonymous(FILE_SIZE);
            PageMap map = PageMap.dax(region);
            mapping = new MappingSpace(map).open(new InMemoryExtentSource(map), FILE_SIZE, order);
            for (long i = 0; i < BATCH; i++) {
                mapping.pin(i << order, true).close();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            mapping.close();
            region.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long faultPresent(Present p) {
        long sum = 0;
        for (long i = 0; i < BATCH; i++) {
            var pin = p.mapping.pin(i << p.order, false);
            sum += pin.pfn();
            pin.close();
        }
        return sum;
    }

    /** Blocks allocated for the first {@link #BATCH} entries, whose entries are deleted before each invocation. */
    @State(Scope.Benchmark)
    public static class Absent {
        @Param({"0", "9"})
        public int order;

        Region region;
        Mapping mapping;

        @Setup(Level.Trial)
        public void setUp() {
            region = Region.anonymous(FILE_SIZE);
            PageMap map = PageMap.dax(region);
            mapping = new MappingSpace(map).open(new InMemoryExtentSource(map), FILE_SIZE, order);
            for (long i = 0; i < BATCH; i++) {
                mapping.pin(i << order, true).close();
            }
        }

        @Setup(Level.Invocation)
        public void deleteEntries() throws InterruptedException {
            mapping.breakLayouts(0, FILE_SIZE, null);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            mapping.close();
            region.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long faultInsert(Absent a) {
        long sum = 0;
        for (long i = 0; i < BATCH; i++) {
            var pin = a.mapping.pin(i << a.order, false);
            sum += pin.pfn();
            pin.close();
        }
        return sum;
    }
}
