package io.jdax.bench;

import io.jdax.pool.BufferPool;
import io.jdax.pool.PooledBuffer;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The allocators the pool is compared with, by the name a benchmark's {@code allocator} parameter gives.
 * Each fork runs one of them only, so its call sites stay monomorphic.
 *
 * <p>Netty 4.2 turns the thread-local caches of both its allocators off for threads that are not its own
 * event-loop threads (a JMH thread is such a plain thread): {@code nettyPooled} and {@code nettyAdaptive} are
 * what a plain thread gets, {@code nettyPooledCached} and {@code nettyAdaptiveCached} the same allocators
 * with the cache turned on for every thread.
 */
final class Allocators {

    /** Every name {@link #create} accepts. */
    static final String[] NAMES = {"jdax", "nettyPooled", "nettyPooledCached", "nettyAdaptive", "nettyAdaptiveCached",
            "arena"};

    private Allocators() {
    }

    /** Allocates, writes and releases buffers of one allocator; {@code heldBytes} is its own account of what it holds. */
    interface Buffers extends AutoCloseable {
        /** A buffer of {@code bytes}, with {@code value} written at offset 0 so the memory is really touched. */
        Object allocate(int bytes, long value);

        void release(Object buffer);

        /** Bytes the allocator holds now for live buffers and its caches, by its own statistics; -1 if it keeps none. */
        long heldBytes();

        @Override
        void close();
    }

    static Buffers create(String name, long jdaxCapacity) {
        return switch (name) {
            case "jdax" -> new Jdax(BufferPool.create(jdaxCapacity));
            case "nettyPooled" -> new Netty(pooled(false));
            case "nettyPooledCached" -> new Netty(pooled(true));
            case "nettyAdaptive" -> new Netty(new AdaptiveByteBufAllocator(true, false));
            case "nettyAdaptiveCached" -> new Netty(new AdaptiveByteBufAllocator(true, true));
            case "arena" -> new ConfinedArenas();
            default -> throw new IllegalArgumentException("unknown allocator: " + name);
        };
    }

    private static PooledByteBufAllocator pooled(boolean cacheForAllThreads) {
        return new PooledByteBufAllocator(true, PooledByteBufAllocator.defaultNumHeapArena(),
                PooledByteBufAllocator.defaultNumDirectArena(), PooledByteBufAllocator.defaultPageSize(),
                PooledByteBufAllocator.defaultMaxOrder(), PooledByteBufAllocator.defaultSmallCacheSize(),
                PooledByteBufAllocator.defaultNormalCacheSize(), cacheForAllThreads);
    }

    private record Jdax(BufferPool pool) implements Buffers {
        @Override
        public Object allocate(int bytes, long value) {
            PooledBuffer b = pool.allocate(bytes);
            b.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
            return b;
        }

        @Override
        public void release(Object buffer) {
            ((PooledBuffer) buffer).release();
        }

        @Override
        public long heldBytes() {
            // pages handed out plus pages parked in the per-stripe caches: neither is free to anyone else
            var stats = pool.stats();
            return stats.allocatedBytes() + stats.pages().cachedPages() * stats.pageSize();
        }

        @Override
        public void close() {
            pool.close();
            if (!pool.leaks().isEmpty()) {
                throw new IllegalStateException("benchmark leaked: " + pool.leaks());
            }
        }
    }

    private record Netty(io.netty.buffer.ByteBufAllocator alloc) implements Buffers {
        @Override
        public Object allocate(int bytes, long value) {
            ByteBuf b = alloc.directBuffer(bytes);
            b.setLong(0, value);
            return b;
        }

        @Override
        public void release(Object buffer) {
            ((ByteBuf) buffer).release();
        }

        @Override
        public long heldBytes() {
            return ((ByteBufAllocatorMetricProvider) alloc).metric().usedDirectMemory();
        }

        @Override
        public void close() {
        }
    }

    /** One confined arena per buffer: malloc + zeroing on allocate, free on release. */
    private static final class ConfinedArenas implements Buffers {
        @Override
        public Object allocate(int bytes, long value) {
            Arena arena = Arena.ofConfined();
            MemorySegment s = arena.allocate(bytes);
            s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
            return arena;
        }

        @Override
        public void release(Object buffer) {
            ((Arena) buffer).close();
        }

        @Override
        public long heldBytes() {
            return -1;
        }

        @Override
        public void close() {
        }
    }
}
