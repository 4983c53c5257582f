package io.jdax.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Allocate, write one long, release: one buffer at a time, one thread, at every size a user asks for, with
 * every allocator of {@link Allocators} (jdax's pool, both Netty allocators as a plain thread gets them and
 * with their thread caches on, and a confined arena per buffer). Netty's forks get the flags its Unsafe path
 * needs on JDK 25; leak detection is off, as in production.
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true", "--sun-misc-unsafe-memory-access=allow",
        "-Dio.netty.leakDetection.level=disabled"})
public class PoolSizesBenchmark extends BenchmarkDefaults {

    /** Bytes per buffer. */
    @Param({"64", "256", "1024", "4096", "16384", "65536", "1048576"})
    public int size;

    /** One of {@link Allocators#NAMES}. */
    @Param({"jdax", "nettyPooled", "nettyPooledCached", "nettyAdaptive", "nettyAdaptiveCached", "arena"})
    public String allocator;

    private Allocators.Buffers buffers;
    private long value;

    @Setup(Level.Trial)
    public void setUp() {
        buffers = Allocators.create(allocator, 256L << 20);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffers.close();
    }

    @Benchmark
    public long allocateWriteRelease() {
        Object b = buffers.allocate(size, ++value);
        buffers.release(b);
        return value;
    }
}
