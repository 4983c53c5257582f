package io.jdax.catalogue;

import static io.jdax.catalogue.Env.MiB;
import static io.jdax.catalogue.Row.NOTHING;
import static io.jdax.catalogue.Row.of;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.memory.Region;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;

import java.util.List;
import java.util.stream.Stream;

/** Misuses of pools, their buffers and allocators (io.jdax.pool, io.jdax.alloc). */
final class PoolRows {

    private PoolRows() {
    }

    static Stream<Row> rows() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        Class<IndexOutOfBoundsException> ioobe = IndexOutOfBoundsException.class;
        Row.Step released = env -> {
            env.buf = env.pool.allocate(5000);
            env.buf.release();
        };
        Row.Step held = env -> env.buf = env.pool.allocate(5000);
        // a failed allocation drains the caches before it gives up: start with none, so that it changes nothing
        Row.Step drain = env -> env.pool.allocator().drainCaches();
        Row.Step held1m = drain.then(env -> env.buf = env.pool.allocate(MiB)).then(drain);
        Stream<Row> builders = Stream.of(
                of("pool-capacity-zero", "BufferPool.create(0)", iae, List.of("positive", 0), NOTHING,
                        env -> BufferPool.create(0)),
                of("pool-capacity-overflow", "BufferPool.builder().capacity(Long.MAX_VALUE).build()", iae,
                        List.of(Long.MAX_VALUE), NOTHING,
                        env -> BufferPool.builder().capacity(Long.MAX_VALUE).build()),
                of("pool-page-size", "BufferPool.builder().capacity(1 MiB).pageSize(5000).build()", iae, List.of(5000),
                        NOTHING, env -> BufferPool.builder().capacity(MiB).pageSize(5000).build()),
                of("pool-stripes", "BufferPool.builder().capacity(1 MiB).cacheStripes(3).build()", iae, List.of(3),
                        NOTHING, env -> BufferPool.builder().capacity(MiB).cacheStripes(3).build()),
                of("pool-limit-below-page", "BufferPool.builder().capacity(1 MiB).limitBytes(100).build()", iae,
                        List.of(100), NOTHING, env -> BufferPool.builder().capacity(MiB).limitBytes(100).build()),
                of("pool-checked-limit", "BufferPool.builder().checkedBufferLimit(0)", iae, List.of(0), NOTHING,
                        env -> BufferPool.builder().checkedBufferLimit(0)),
                of("pool-region-capacity-mismatch", "BufferPool.builder().region(1 MiB region).capacity(2 MiB).build()",
                        iae, List.of(2 * MiB, MiB, "both set"), NOTHING, env -> {
                            Region r = Region.anonymous(MiB);
                            env.extra.add(r);
                            BufferPool.builder().region(r).capacity(2 * MiB).build();
                        }),
                of("pool-second-over-region", "BufferPool.builder().region(r).build() over a claimed region", ise,
                        List.of("already claimed"), NOTHING, env -> BufferPool.builder().region(env.region).build()),
                of("pool-closed-region", "BufferPool.builder().region(closed).build()", ise, List.of("closed"),
                        NOTHING, env -> {
                            Region r = Region.anonymous(MiB);
                            r.close();
                            BufferPool.builder().region(r).build();
                        }),
                of("pool-over-closed-region", "pool.allocate(1) after its caller's region closed", ise,
                        List.of("closed"), env -> {
                            Region r = Region.anonymous(MiB);
                            env.extra.add(r);
                            env.extra.add(BufferPool.builder().region(r).build());
                            r.close();
                        }, env -> ((BufferPool) env.extra.get(1)).allocate(1)),
                of("verify-after-close", "pool.allocator().verify() after pool.close()", ise, List.of("closed"),
                        env -> env.pool.close(), env -> env.pool.allocator().verify()),
                of("alloc-allocate-after-close", "pool.allocator().allocate(0) after pool.close()", ise,
                        List.of("closed"), env -> env.pool.close(), env -> env.pool.allocator().allocate(0)),
                of("pool-capacity-not-page-multiple", "BufferPool.builder().capacity(5000).build()", iae,
                        List.of(5000, 4096), NOTHING, env -> BufferPool.builder().capacity(5000).build()),
                of("pool-checked-limit-reached", "allocate(1) of a CHECKED pool at its checkedBufferLimit(1)", ise,
                        List.of("at most 1"), env -> {
                            BufferPool p = BufferPool.builder().capacity(MiB).mode(PoolMode.CHECKED)
                                    .checkedBufferLimit(1).build();
                            env.extra.add(p);
                            env.extra.add(p.allocate(1));
                        }, env -> ((BufferPool) env.extra.getFirst()).allocate(1)),
                of("alloc-max-order", "BuddyAllocator.builder(r).maxOrder(64)", iae, List.of(64), NOTHING,
                        env -> BuddyAllocator.builder(env.region).maxOrder(64)),
                of("alloc-limit-zero", "BuddyAllocator.builder(r).limitBytes(0)", iae, List.of(0), NOTHING,
                        env -> BuddyAllocator.builder(env.region).limitBytes(0)),
                of("alloc-stripes", "BuddyAllocator.builder(r).cacheStripes(6)", iae, List.of(6), NOTHING,
                        env -> BuddyAllocator.builder(env.region).cacheStripes(6)),
                of("alloc-order-negative", "pool.allocator().allocate(-1)", iae, List.of(-1), NOTHING,
                        env -> env.pool.allocator().allocate(-1)),
                of("alloc-order-too-large", "pool.allocator().allocate(19)", iae, List.of(19), NOTHING,
                        env -> env.pool.allocator().allocate(19)),
                of("alloc-exhausted", "pool.allocator().allocate(10) of a 4 MiB pool with 1 MiB held",
                        OutOfPagesException.class, List.of("order-10"), held1m,
                        env -> env.pool.allocator().allocate(10)).counting("failures"));
        Stream<Row> buffers = Stream.of(
                of("buffer-size-zero", "pool.allocate(0)", iae, List.of(0), NOTHING, env -> env.pool.allocate(0)),
                of("buffer-size-negative", "pool.allocate(-1)", iae, List.of(-1), NOTHING, env -> env.pool.allocate(-1)),
                of("buffer-size-min", "pool.allocate(Long.MIN_VALUE)", iae, List.of(Long.MIN_VALUE), NOTHING,
                        env -> env.pool.allocate(Long.MIN_VALUE)),
                of("buffer-size-too-large", "pool.allocate(maxBufferSize() + 1)", iae, List.of(4 * MiB + 1), NOTHING,
                        env -> env.pool.allocate(env.pool.maxBufferSize() + 1)),
                of("pool-exhausted", "pool.allocate(4 MiB) with 5000 bytes held", OutOfPagesException.class,
                        List.of("order-10"), held.then(drain), env -> env.pool.allocate(4 * MiB)).counting("failures"),
                of("allocate-after-close", "pool.allocate(1) after close", ise, List.of("closed"),
                        env -> env.pool.close(), env -> env.pool.allocate(1)),
                of("double-release", "buf.release() twice", ise, List.of("already released", 5000), released,
                        env -> env.buf.release()),
                of("retain-after-release", "buf.retain() after the last release", ise, List.of("released", 5000),
                        released, env -> env.buf.retain()),
                of("use-after-release", "buf.segment() after the last release", ise, List.of("released", 5000),
                        released, env -> env.buf.segment()),
                of("slice-after-release", "buf.slice(0, 10) after the last release", ise, List.of("released"),
                        released, env -> env.buf.slice(0, 10)),
                of("slice-negative", "buf.slice(-1, 10)", ioobe, List.of(-1, 5000), held, env -> env.buf.slice(-1, 10)),
                of("slice-past-end", "buf.slice(4990, 20)", ioobe, List.of(4990, 20, 5000), held,
                        env -> env.buf.slice(4990, 20)),
                of("slice-length-zero", "buf.slice(0, 0)", ioobe, List.of(5000), held, env -> env.buf.slice(0, 0)),
                of("slice-length-overflow", "buf.slice(0, Long.MAX_VALUE)", ioobe, List.of(Long.MAX_VALUE), held,
                        env -> env.buf.slice(0, Long.MAX_VALUE)),
                of("slice-overflow", "buf.slice(Long.MAX_VALUE, 2)", ioobe, List.of(Long.MAX_VALUE), held,
                        env -> env.buf.slice(Long.MAX_VALUE, 2)),
                of("release-after-close", "buf.release() after its pool closed", ise, List.of("pool was closed"),
                        held.then(env -> env.pool.close()), env -> env.buf.release()),
                of("retain-after-close", "buf.retain() of a buffer its closed pool reported as leaked", ise,
                        List.of("closed"), held.then(env -> env.pool.close()), env -> env.buf.retain()),
                of("slice-after-close", "buf.slice(0, 10) of a buffer its closed pool reported", ise,
                        List.of("closed"), held.then(env -> env.pool.close()), env -> env.buf.slice(0, 10)));
        return Stream.concat(builders, buffers.flatMap(r -> Stream.of(r.in(PoolMode.FAST), r.in(PoolMode.CHECKED))));
    }
}
