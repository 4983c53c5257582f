package io.jdax.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Throughput of allocate + write + release of mixed sizes (70% 256 B, 25% 4 KiB, 5% 64 KiB, each thread its
 * own seeded sequence) when one thread and when two threads share one allocator. The ratio of the two is how
 * the allocator scales on this 2-core machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true", "--sun-misc-unsafe-memory-access=allow",
        "-Dio.netty.leakDetection.level=disabled"})
public class MixedScalingBenchmark extends BenchmarkDefaults {

    /** One of {@link Allocators#NAMES} but the arena. */
    @Param({"jdax", "nettyPooled", "nettyAdaptive", "nettyPooledCached", "nettyAdaptiveCached"})
    public String allocator;

    private Allocators.Buffers buffers;

    @Setup(Level.Trial)
    public void setUp() {
        buffers = Allocators.create(allocator, 256L << 20);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffers.close();
    }

    /** A thread's own size sequence: 4,096 seeded draws, replayed in a loop. */
    @State(Scope.Thread)
    public static class Sizes {
        final int[] sizes = new int[4096];
        int next;
        long value;

        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            SplittableRandom random = new SplittableRandom(BurstBenchmark.SEED + thread.getThreadIndex());
            for (int i = 0; i < sizes.length; i++) {
                int p = random.nextInt(100);
                sizes[i] = p < 70 ? 256 : p < 95 ? 4096 : 65536;
            }
        }

        int next() {
            return sizes[next++ & (sizes.length - 1)];
        }
    }

    private long cycle(Sizes s) {
        Object b = buffers.allocate(s.next(), ++s.value);
        buffers.release(b);
        return s.value;
    }

    @Benchmark
    @Threads(1)
    public long oneThread(Sizes s) {
        return cycle(s);
    }

    @Benchmark
    @Threads(2)
    public long twoThreads(Sizes s) {
        return cycle(s);
    }
}
