package io.jdax.bench;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PooledBuffer;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Allocate, touch and release one 4 KiB buffer, single-threaded, with what users use today. Every contender
 * writes one long into its buffer, so none can skip the memory.
 *
 * <ul>
 *   <li>{@code jdaxPool}: {@link BufferPool#allocate} + {@link PooledBuffer#release} (FAST mode);</li>
 *   <li>{@code jdaxFolio}: the pfn level underneath: {@link BuddyAllocator#allocate(int)} + {@link PageMap#put}
 *       (target under 20 ns);</li>
 *   <li>{@code nettyPooled}: {@code PooledByteBufAllocator.directBuffer(4096)} + {@code release()}, with the flags
 *       Netty needs for its Unsafe path on JDK 25 (set on these forks only);</li>
 *   <li>{@code nettyAdaptive}: the same with {@code AdaptiveByteBufAllocator}, Netty 4.2's default (both as a
 *       plain thread gets them: thread caches off; {@code PoolSizesBenchmark} also runs them with the cache on);</li>
 *   <li>{@code allocateDirect}: {@code ByteBuffer.allocateDirect(4096)}, freed by the GC (the JDK's cleaner);</li>
 *   <li>{@code arenaConfined}: {@code Arena.ofConfined().allocate(4096)} and close: malloc + free.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true", "--sun-misc-unsafe-memory-access=allow",
        "-Dio.netty.leakDetection.level=disabled"})
public class PoolBenchmark extends BenchmarkDefaults {

    static final int SIZE = 4096;

    private BufferPool pool;
    private BuddyAllocator allocator;
    private PageMap map;
    private PooledByteBufAllocator netty;
    private AdaptiveByteBufAllocator nettyAdaptive;
    private long value;

    @Setup(Level.Trial)
    public void setUp() {
        pool = BufferPool.create(256L << 20);
        allocator = pool.allocator();
        map = allocator.pageMap();
        netty = new PooledByteBufAllocator(true);
        nettyAdaptive = new AdaptiveByteBufAllocator(true, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        if (!pool.leaks().isEmpty()) {
            throw new IllegalStateException("benchmark leaked: " + pool.leaks());
        }
    }

    @Benchmark
    public long jdaxPool() {
        PooledBuffer b = pool.allocate(SIZE);
        b.segment().set(ValueLayout.JAVA_LONG, 0, ++value);
        b.release();
        return value;
    }

    @Benchmark
    public long jdaxFolio() {
        long pfn = allocator.allocate(0);
        map.put(pfn);
        return pfn;
    }

    @Benchmark
    public long nettyPooled() {
        ByteBuf b = netty.directBuffer(SIZE);
        b.setLong(0, ++value);
        b.release();
        return value;
    }

    @Benchmark
    public long nettyAdaptive() {
        ByteBuf b = nettyAdaptive.directBuffer(SIZE);
        b.setLong(0, ++value);
        b.release();
        return value;
    }

    @Benchmark
    public ByteBuffer allocateDirect() {
        ByteBuffer b = ByteBuffer.allocateDirect(SIZE);
        b.putLong(0, ++value);
        return b;
    }

    @Benchmark
    public long arenaConfined() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SIZE);
            s.set(ValueLayout.JAVA_LONG, 0, ++value);
        }
        return value;
    }
}
