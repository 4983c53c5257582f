package io.jdax.bench;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PooledBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.concurrent.atomic.AtomicInteger;

import net.openhft.chronicle.core.io.AbstractReferenceCounted;
import net.openhft.chronicle.core.io.ReferenceOwner;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Take and drop one reference on a live object, with jdax and with its peers: one thread alone, and two
 * threads on the same object (the count's cache line goes back and forth between the cores).
 *
 * <ul>
 *   <li>{@code jdaxPageMap}: {@link PageMap#get} + {@link PageMap#put} of a device folio (checked: get refuses
 *       a free folio, put refuses to underflow);</li>
 *   <li>{@code jdaxBuffer}: {@link PooledBuffer#retain} + {@link PooledBuffer#release};</li>
 *   <li>{@code nettyByteBuf}: {@code ByteBuf.retain()} + {@code release()} of a pooled direct buffer;</li>
 *   <li>{@code chronicle}: chronicle-core's {@code AbstractReferenceCounted.reserve(owner)} +
 *       {@code release(owner)}, tracing off (its default), its single-thread check off so both shapes run;</li>
 *   <li>{@code atomicInteger}: {@code incrementAndGet} + {@code decrementAndGet}, the unchecked floor.</li>
 * </ul>
 *
 * <p>Chronicle needs {@code --add-opens java.base/java.lang.reflect=ALL-UNNAMED --add-exports
 * java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED} on JDK 25; these forks get them, with
 * Netty's, and nothing else does.
 */
@State(Scope.Benchmark)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true", "--sun-misc-unsafe-memory-access=allow",
        "-Dio.netty.leakDetection.level=disabled",
        "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
public class RefcountPeersBenchmark extends BenchmarkDefaults {

    @Param({"jdaxPageMap", "jdaxBuffer", "nettyByteBuf", "chronicle", "atomicInteger"})
    public String peer;

    private Region region;
    private PageMap map;
    private long pfn;
    private BufferPool pool;
    private PooledBuffer buffer;
    private ByteBuf byteBuf;
    private Counted counted;
    private final ReferenceOwner owner = new ReferenceOwner() {
    };
    private final AtomicInteger atomic = new AtomicInteger(1);
    /** The peer as an index into the switch below: a predictable int branch, not a string compare per call. */
    private int kind;

    /** The smallest Chronicle reference-counted object: nothing to free. */
    static final class Counted extends AbstractReferenceCounted {
        Counted() {
            super(false); // not registered with the resource monitor
            singleThreadedCheckDisabled(true);
        }

        @Override
        protected void performRelease() {
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        kind = java.util.List.of("jdaxPageMap", "jdaxBuffer", "nettyByteBuf", "chronicle", "atomicInteger").indexOf(peer);
        switch (peer) {
            case "jdaxPageMap" -> {
                region = Region.anonymous(64 * PageMap.DEFAULT_PAGE_SIZE);
                map = PageMap.device(region);
                pfn = 7;
                map.incRef(pfn); // held for the whole trial: get/put below never reach 0
            }
            case "jdaxBuffer" -> {
                pool = BufferPool.create(16L << 20);
                buffer = pool.allocate(4096);
            }
            case "nettyByteBuf" -> byteBuf = new PooledByteBufAllocator(true).directBuffer(4096);
            case "chronicle" -> counted = new Counted();
            case "atomicInteger" -> {
            }
            default -> throw new IllegalArgumentException("unknown peer: " + peer);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (region != null) {
            region.close();
        }
        if (buffer != null) {
            buffer.release();
            pool.close();
        }
        if (byteBuf != null) {
            byteBuf.release();
        }
        if (counted != null) {
            counted.releaseLast();
        }
    }

    private int takeAndDrop() {
        switch (kind) {
            case 0 -> {
                map.get(pfn);
                return map.put(pfn) ? 0 : 1;
            }
            case 1 -> {
                buffer.retain();
                return buffer.release() ? 0 : 1;
            }
            case 2 -> {
                byteBuf.retain();
                return byteBuf.release() ? 0 : 1;
            }
            case 3 -> {
                counted.reserve(owner);
                counted.release(owner);
                return 1;
            }
            default -> {
                atomic.incrementAndGet();
                return atomic.decrementAndGet();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public int uncontended() {
        return takeAndDrop();
    }

    @Benchmark
    @Threads(2)
    public int twoThreads() {
        return takeAndDrop();
    }
}
