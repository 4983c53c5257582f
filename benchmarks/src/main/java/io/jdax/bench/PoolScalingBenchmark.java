package io.jdax.bench;

import io.jdax.pool.BufferPool;
import io.jdax.pool.PooledBuffer;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Throughput of 4 KiB allocate + release when threads share one pool: one thread, two threads each doing
 * both, and two threads where one allocates and hands buffers to the other, which releases them (so frees
 * land in another thread's cache stripe and come back through the shared depot in batches). Target: two
 * threads at least 1.7x one thread. Netty's pooled and adaptive allocators run the same three shapes, with the flags it
 * needs for its Unsafe path on these forks, so the handoff's cross-core cost can be told from the pool's.
 * {@code pool=ring} hands over a fresh {@code AtomicLong} instead of a buffer and "releases" it with one atomic
 * increment: no pool at all, the floor any pool's handoff rate sits on (not part of the main job).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true", "--sun-misc-unsafe-memory-access=allow",
        "-Dio.netty.leakDetection.level=disabled"})
public class PoolScalingBenchmark extends BenchmarkDefaults {

    static final int SIZE = 4096;

    /** {@code netty} is the pooled allocator, {@code nettyAdaptive} 4.2's default; both as a plain thread gets them. */
    @Param({"jdax", "netty", "nettyAdaptive", "ring"})
    public String pool;

    private BufferPool jdax;
    private ByteBufAllocator netty;

    @Setup(Level.Trial)
    public void setUp() {
        if (pool.equals("jdax")) {
            jdax = BufferPool.create(256L << 20);
        } else if (pool.equals("netty")) {
            netty = new PooledByteBufAllocator(true);
        } else if (pool.equals("nettyAdaptive")) {
            netty = new AdaptiveByteBufAllocator(true, false);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (jdax != null) {
            jdax.close();
        }
    }

    /** A buffer of either pool, written once. */
    private Object allocate(long v) {
        if (jdax != null) {
            PooledBuffer b = jdax.allocate(SIZE);
            b.segment().set(ValueLayout.JAVA_LONG, 0, v);
            return b;
        }
        if (netty != null) {
            ByteBuf b = netty.directBuffer(SIZE);
            b.setLong(0, v);
            return b;
        }
        return new java.util.concurrent.atomic.AtomicLong(v);
    }

    private static void release(Object buffer) {
        if (buffer instanceof PooledBuffer b) {
            b.release();
        } else if (buffer instanceof ByteBuf b) {
            b.release();
        } else {
            ((java.util.concurrent.atomic.AtomicLong) buffer).getAndIncrement();
        }
    }

    private long cycle(long v) {
        release(allocate(v));
        return v;
    }

    @Benchmark
    @Threads(1)
    public long oneThread(Counter c) {
        return cycle(++c.value);
    }

    @Benchmark
    @Threads(2)
    public long twoThreads(Counter c) {
        return cycle(++c.value);
    }

    /** A per-thread value, so two threads never share a written field. */
    @State(Scope.Thread)
    public static class Counter {
        long value;
    }

    /**
     * A single-producer single-consumer ring of buffers between the allocating and the releasing thread:
     * slots padded apart, indices as release/acquire publications.
     */
    @State(Scope.Group)
    public static class Handoff {
        static final int SLOTS = 1024;
        final Object[] ring = new Object[SLOTS];
        final AtomicLongArray indices = new AtomicLongArray(32); // [0] = produced, [16] = consumed: 128 bytes apart

        @TearDown(Level.Iteration)
        public void drain() {
            for (long i = indices.get(16); i < indices.get(0); i++) {
                release(ring[(int) (i & (SLOTS - 1))]);
            }
            indices.set(16, indices.get(0));
        }
    }

    /**
     * Each side's last seen index of the other side: it reads the other's index (a cache line the other core
     * keeps writing) only when the ring looks full or empty by the old value (JCTools' producer limit).
     */
    @State(Scope.Thread)
    public static class Side {
        long peer; // a lower bound of the other side's index: indices only grow, so stale is safe
    }

    /**
     * Buffers really handed over and released, as rates: an invocation that finds the ring full or empty
     * returns at once (it cannot wait: the other side may have stopped at the end of the iteration), so
     * JMH's own operation count overstates the work. Compare {@code released} with {@link #oneThread}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Transfers {
        public long allocated;
        public long released;
    }

    /** How often each side found the ring full or empty. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Waits {
        public long ringFull;
        public long ringEmpty;
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public void allocateAndHandOver(Handoff h, Side side, Transfers t, Waits w) {
        long produced = h.indices.get(0);
        if (produced - side.peer >= Handoff.SLOTS && produced - (side.peer = h.indices.getAcquire(16)) >= Handoff.SLOTS) {
            w.ringFull++;
            return;
        }
        h.ring[(int) (produced & (Handoff.SLOTS - 1))] = allocate(produced);
        h.indices.setRelease(0, produced + 1);
        t.allocated++;
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public void takeOverAndRelease(Handoff h, Side side, Transfers t, Waits w) {
        long consumed = h.indices.get(16);
        if (consumed >= side.peer && consumed >= (side.peer = h.indices.getAcquire(0))) {
            w.ringEmpty++;
            return;
        }
        int slot = (int) (consumed & (Handoff.SLOTS - 1));
        Object b = h.ring[slot];
        h.ring[slot] = null;
        release(b);
        h.indices.setRelease(16, consumed + 1);
        t.released++;
    }
}
