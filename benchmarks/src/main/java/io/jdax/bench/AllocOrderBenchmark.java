package io.jdax.bench;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;
import io.jdax.slab.SlabAllocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Allocate, touch and free at every folio order up to the PMD order, single-threaded, with the large-folio
 * caches on and off in the same run: {@code largeCache=off} builds the allocator with
 * {@code largeFolioCacheBytes(0)}, so orders 4 to 9 split and prep on every allocation and split and merge on
 * every release (orders 0 to 3 are cached either way). Each operation writes one long into the folio's
 * first page, so none can skip the memory. {@code slab} does the same for slab objects of {@code size}
 * bytes.
 */
public class AllocOrderBenchmark extends BenchmarkDefaults {

    static final long REGION_BYTES = 256L << 20;

    @State(Scope.Benchmark)
    public static class Folios {
        @Param({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
        int order;

        @Param({"on", "off"})
        String largeCache;

        Region region;
        BuddyAllocator allocator;
        PageMap map;
        MemorySegment bytes;
        long value;

        @Setup(Level.Trial)
        public void setUp() {
            region = Region.anonymous(REGION_BYTES);
            BuddyAllocator.Builder b = BuddyAllocator.builder(region);
            switch (largeCache) {
                case "on" -> { } // the default budget
                case "off" -> b.largeFolioCacheBytes(0);
                default -> throw new IllegalArgumentException("largeCache must be on or off: " + largeCache);
            }
            allocator = b.build();
            map = allocator.pageMap();
            bytes = region.segment();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            allocator.close();
            region.close();
        }
    }

    @State(Scope.Benchmark)
    public static class SlabObjects {
        @Param({"64", "256", "1024"})
        int size;

        Region region;
        BuddyAllocator allocator;
        SlabAllocator slab;
        MemorySegment bytes;
        long value;

        @Setup(Level.Trial)
        public void setUp() {
            region = Region.anonymous(REGION_BYTES);
            allocator = BuddyAllocator.create(region);
            slab = SlabAllocator.create(allocator);
            bytes = region.segment();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (slab.stats().objectsInUse() != 0) {
                throw new IllegalStateException("benchmark leaked: " + slab.stats());
            }
            slab.close();
            allocator.close();
            region.close();
        }
    }

    @Benchmark
    public long folio(Folios s) {
        long pfn = s.allocator.allocate(s.order);
        s.bytes.set(ValueLayout.JAVA_LONG, pfn << s.map.pageShift(), ++s.value);
        s.map.put(pfn);
        return s.value;
    }

    @Benchmark
    public long slab(SlabObjects s) {
        long offset = s.slab.allocate(s.size);
        s.bytes.set(ValueLayout.JAVA_LONG, offset, ++s.value);
        s.slab.free(offset);
        return s.value;
    }
}
