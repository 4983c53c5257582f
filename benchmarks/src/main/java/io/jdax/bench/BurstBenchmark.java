package io.jdax.bench;

import java.util.SplittableRandom;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A burst: {@value #BUFFERS} buffers of mixed sizes (70% 256 B, 25% 4 KiB, 5% 64 KiB) allocated and written,
 * all live at once, then released in a random order. Sizes and order come from a fixed seed, so every
 * allocator and every run sees the same burst. The score is the time per buffer (its allocate and its
 * release); {@link Peak} reports what the allocator held at the peak by its own statistics (jdax: pages
 * allocated plus pages in its caches; Netty: {@code usedDirectMemory()}, the chunks it has taken) next to
 * the bytes asked for.
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true", "--sun-misc-unsafe-memory-access=allow",
        "-Dio.netty.leakDetection.level=disabled", "-Dio.netty.maxDirectMemory=2147483648"})
public class BurstBenchmark extends BenchmarkDefaults {

    static final int BUFFERS = 100_000;
    static final long SEED = 0x5eed_12L;
    private static final double MIB = 1 << 20;

    /** One of {@link Allocators#NAMES} but the arena, which keeps no statistics. */
    @Param({"jdax", "nettyPooled", "nettyAdaptive", "nettyPooledCached", "nettyAdaptiveCached"})
    public String allocator;

    private Allocators.Buffers buffers;
    private final int[] sizes = new int[BUFFERS];
    private final int[] releaseOrder = new int[BUFFERS];
    private final Object[] live = new Object[BUFFERS];
    private long requested;

    @Setup(Level.Trial)
    public void setUp() {
        // 100,000 buffers hold about 680 MiB in whole pages: room for that and the 64 KiB folios' alignment
        buffers = Allocators.create(allocator, 1L << 30);
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < BUFFERS; i++) {
            int p = random.nextInt(100);
            sizes[i] = p < 70 ? 256 : p < 95 ? 4096 : 65536;
            requested += sizes[i];
            releaseOrder[i] = i;
        }
        for (int i = BUFFERS - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int t = releaseOrder[i];
            releaseOrder[i] = releaseOrder[j];
            releaseOrder[j] = t;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffers.close();
    }

    /** The memory figures of the iteration: the last burst's peak, and the bytes its buffers asked for. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Peak {
        public double heldMiB;
        public double requestedMiB;

        @Setup(Level.Iteration)
        public void reset() {
            heldMiB = 0;
            requestedMiB = 0;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BUFFERS)
    public void allocateAllReleaseShuffled(Peak peak) {
        for (int i = 0; i < BUFFERS; i++) {
            live[i] = buffers.allocate(sizes[i], i);
        }
        // set, not added: an EVENTS counter is summed over the iteration's invocations otherwise
        peak.heldMiB = buffers.heldBytes() / MIB;
        peak.requestedMiB = requested / MIB;
        for (int i = 0; i < BUFFERS; i++) {
            int k = releaseOrder[i];
            buffers.release(live[k]);
            live[k] = null;
        }
    }
}
