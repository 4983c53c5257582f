package io.jdax.bench;

import io.jdax.device.DeviceDax;
import io.jdax.device.DeviceStats;
import io.jdax.device.DeviceView;
import io.jdax.device.PinnedRange;
import io.jdax.device.ViewGroup;
import io.jdax.memory.Region;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What compound device folios buy: every operation below covers a whole 1 GiB device, which is 262,144
 * folios at order 0, 512 at the PMD order 9 and a single folio at the PUD order 18, so the work per
 * operation falls with the folio count (at most 512x from order 0 to 9) and is constant at order 18.
 *
 * <ul>
 *   <li>{@code pinUnpinWholeRange}: {@code DeviceDax.pin} of the whole device, then its close (every folio
 *       idle, so each pin goes through the fault path).</li>
 *   <li>{@code mapAndCloseEveryView}: one view of every folio, all held at once in one group, then each
 *       closed on its own.</li>
 *   <li>{@code mapEveryViewThenRevokeGroup}: a new group, one view of every folio, then one group close that
 *       revokes them all (one thread handshake) and drops their counts.</li>
 *   <li>{@code stats}: the scan behind {@code DeviceDax.stats()}.</li>
 * </ul>
 *
 * <p>{@code perViewFileMappings} and {@code slicesOfOneMapping} are the measurement behind {@link ViewGroup}'s
 * design: {@value Mapping#VIEWS} 4 KiB views made as one {@code FileChannel.map} each, against slices of one
 * mapping, both revoked by one arena close. 262,144 per-view mappings cannot be benchmarked at all: past
 * {@code vm.max_map_count} (65,530) the JVM aborts.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DeviceBenchmark extends BenchmarkDefaults {

    static final long DEVICE_SIZE = 1L << 30;

    /** A 1 GiB anonymous device (sparse: no byte is touched) at the order of the parameter. */
    @State(Scope.Benchmark)
    public static class Device {
        /** Folio order: 4 KiB, 2 MiB or 1 GiB faults. */
        @Param({"0", "9", "18"})
        public int order;

        Region region;
        DeviceDax device;
        ViewGroup group;
        DeviceView[] views;

        @Setup(Level.Trial)
        public void setUp() {
            region = Region.anonymous(DEVICE_SIZE);
            device = DeviceDax.create(region, order);
            group = device.newViewGroup();
            views = new DeviceView[Math.toIntExact(device.folioCount())];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            DeviceStats left = device.stats();
            region.close();
            if (left.busy() != 0) {
                throw new IllegalStateException("a benchmark leaked references: " + left);
            }
        }
    }

    @Benchmark
    public long pinUnpinWholeRange(Device d) {
        try (PinnedRange pins = d.device.pin(0, DEVICE_SIZE, false)) {
            return pins.folioCount();
        }
    }

    @Benchmark
    public long mapAndCloseEveryView(Device d) {
        DeviceView[] views = d.views;
        long faultSize = d.device.faultSize();
        for (int i = 0; i < views.length; i++) {
            views[i] = d.group.map(i * faultSize);
        }
        long heads = 0;
        for (DeviceView v : views) {
            heads += v.head();
            v.close();
        }
        return heads;
    }

    @Benchmark
    public long mapEveryViewThenRevokeGroup(Device d) {
        long faultSize = d.device.faultSize();
        long heads = 0;
        try (ViewGroup group = d.device.newViewGroup()) {
            for (long offset = 0; offset < DEVICE_SIZE; offset += faultSize) {
                heads += group.map(offset).head();
            }
        }
        return heads;
    }

    @Benchmark
    public DeviceStats stats(Device d) {
        return d.device.stats();
    }

    /** A region for the view-mapping comparison. */
    @State(Scope.Benchmark)
    public static class Mapping {
        /** Views per operation: far enough below vm.max_map_count to leave the JVM its own mappings. */
        public static final int VIEWS = 4096;
        static final long VIEW_SIZE = 4096;

        Region region;

        @Setup(Level.Trial)
        public void setUp() {
            region = Region.anonymous(VIEWS * VIEW_SIZE);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            region.close();
        }
    }

    @Benchmark
    public long perViewFileMappings(Mapping m) {
        long bytes = 0;
        try (Arena arena = Arena.ofShared()) {
            for (int i = 0; i < Mapping.VIEWS; i++) {
                bytes += m.region.mapView(i * Mapping.VIEW_SIZE, Mapping.VIEW_SIZE, arena).byteSize();
            }
        }
        return bytes;
    }

    @Benchmark
    public long slicesOfOneMapping(Mapping m, Blackhole bh) {
        long bytes = 0;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment window = m.region.mapView(0, Mapping.VIEWS * Mapping.VIEW_SIZE, arena);
            for (int i = 0; i < Mapping.VIEWS; i++) {
                MemorySegment view = window.asSlice(i * Mapping.VIEW_SIZE, Mapping.VIEW_SIZE);
                bh.consume(view); // kept, as a DeviceView keeps its slice
                bytes += view.byteSize();
            }
        }
        return bytes;
    }
}
