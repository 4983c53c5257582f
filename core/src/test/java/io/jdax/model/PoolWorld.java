package io.jdax.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jdax.alloc.AllocatorStats;
import io.jdax.alloc.OutOfPagesException;
import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;
import io.jdax.pool.PooledBuffer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A buffer pool against a model of its buffers: which buffers and slices are live and with what count, which
 * folio each holds and how many buffer objects reference it, how many pages are allocated, and bytes written
 * through the buffers (probes) that must read back unchanged until their folio is freed. Sizes are drawn
 * log-uniformly from just above half a page to 1 MiB, so every folio order is exercised (smaller buffers
 * are slab objects, which {@code io.jdax.pool.BufferPoolRandomizedTest} checks step by step).
 */
final class PoolWorld implements World {

    enum Op implements WorldKind.Weighted {
        ALLOCATE(14), TRY_ALLOCATE(4), RETAIN(8), RELEASE(12), CLOSE(4), SLICE(8), WRITE(12), USE_RELEASED(3),
        BAD_SIZE(1), BAD_SLICE(1), DRAIN(1);

        private final int weight;

        Op(int weight) {
            this.weight = weight;
        }

        @Override
        public int weight() {
            return weight;
        }
    }

    static final long CAPACITY = 8L << 20;
    static final long MAX_SIZE = 1L << 20;
    private static final int MAX_LIVE = 200;
    private static final int MAX_REFS = 4;
    private static final int MAX_PROBES = 24;
    private static final VarHandle HEAD;
    private static final VarHandle OFFSET;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(PooledBuffer.class, MethodHandles.lookup());
            HEAD = l.findVarHandle(PooledBuffer.class, "head", long.class);
            OFFSET = l.findVarHandle(PooledBuffer.class, "offset", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static WorldKind kind(PoolMode mode) {
        return new WorldKind("pool-" + mode.name().toLowerCase(), WorldKind.weightsOf(Op.class),
                () -> new PoolWorld(mode));
    }

    /** A folio as the model knows it: its place, how many buffer objects reference it, and its probes. */
    private static final class Folio {
        final long head;
        final int order;
        int refs = 1;
        final Map<Long, Byte> probes = new HashMap<>(); // region offset -> byte written there

        Folio(long head, int order) {
            this.head = head;
            this.order = order;
        }
    }

    /** A buffer or slice: its region offset, size and count. */
    private record Live(PooledBuffer buf, MemorySegment segment, Folio folio, long offset, long size, int[] refs) {
    }

    private final PoolMode mode;
    private final BufferPool pool;
    private final PageMap map;
    private final MemorySegment memory;
    private final long totalPages;
    private final List<Live> live = new ArrayList<>();
    private final List<Live> released = new ArrayList<>();
    private final Map<Long, Folio> folios = new HashMap<>();
    private long allocatedPages;
    private long failures;
    private Folio touched;
    private String last = "";

    PoolWorld(PoolMode mode) {
        this.mode = mode;
        this.pool = BufferPool.builder().capacity(CAPACITY).mode(mode).build();
        this.map = pool.allocator().pageMap();
        this.memory = pool.region().segment();
        this.totalPages = map.nrPages();
    }

    @Override
    public void apply(Step s) {
        touched = null;
        Op op = Op.values()[s.op()];
        if (live.isEmpty() && op != Op.ALLOCATE && op != Op.TRY_ALLOCATE && op != Op.BAD_SIZE
                && op != Op.USE_RELEASED && op != Op.DRAIN) {
            op = Op.ALLOCATE;
        }
        if ((op == Op.ALLOCATE || op == Op.TRY_ALLOCATE || op == Op.SLICE)
                && (allocatedPages > totalPages / 2 || live.size() >= MAX_LIVE)) {
            op = Op.RELEASE; // keep the pool busy but rarely full: a full pool tests little
        }
        last = switch (op) {
            case ALLOCATE, TRY_ALLOCATE -> op + "(" + sizeOf(s) + ")";
            case USE_RELEASED -> released.isEmpty() ? "nothing released yet"
                    : op + "(" + released.get(Step.pick(s.a(), released.size())).buf() + ", misuse " + s.b() % 5 + ")";
            case BAD_SIZE, DRAIN -> op.toString();
            default -> op + "(" + live.get(Step.pick(s.a(), live.size())).buf() + ")";
        };
        switch (op) {
            case ALLOCATE, TRY_ALLOCATE -> allocate(s, op == Op.TRY_ALLOCATE);
            case RETAIN -> retain(s);
            case RELEASE, CLOSE -> release(s, op == Op.CLOSE);
            case SLICE -> slice(s);
            case WRITE -> write(s);
            case USE_RELEASED -> useReleased(s);
            case BAD_SIZE -> badSize(s);
            case BAD_SLICE -> badSlice(s);
            case DRAIN -> pool.allocator().drainCaches(); // cached folios go back to the buddy lists, merged
        }
    }

    static long sizeOf(Step s) {
        long min = 2049; // above half a 4 KiB page: smaller buffers are slab objects, modelled elsewhere
        int exp = 12 + (int) (s.b() % 9); // 4 KiB .. 1 MiB, every folio order equally often
        return min + s.a() % ((1L << exp) - min + 1);
    }

    private void allocate(Step s, boolean tryPath) {
        long size = sizeOf(s);
        PooledBuffer buf;
        if (tryPath) {
            Optional<PooledBuffer> b = pool.tryAllocate(size);
            if (b.isEmpty()) {
                failures++;
                return;
            }
            buf = b.get();
        } else {
            try {
                buf = pool.allocate(size);
            } catch (OutOfPagesException e) {
                failures++;
                return;
            }
        }
        long pages = (size + map.pageSize() - 1) / map.pageSize();
        int order = 64 - Long.numberOfLeadingZeros(pages - 1);
        long head = (long) HEAD.get(buf);
        assertEquals(size, buf.byteSize(), "size of a new buffer");
        assertEquals(1, buf.refCnt(), "count of a new buffer");
        assertEquals(0, head & ((1L << order) - 1), () -> "folio " + head + " not aligned to order " + order);
        for (Folio f : folios.values()) {
            if (head < f.head + (1L << f.order) && f.head < head + (1L << order)) {
                fail("folio " + head + " of order " + order + " overlaps live folio " + f.head + " of order " + f.order);
            }
        }
        Folio folio = new Folio(head, order);
        folios.put(head, folio);
        allocatedPages += 1L << order;
        Live l = new Live(buf, buf.segment(), folio, (long) OFFSET.get(buf), size, new int[] {1});
        assertEquals(head * map.pageSize(), l.offset(), "offset of a new buffer");
        live.add(l);
        touched = folio;
        probe(l, 0, (byte) s.c());
        probe(l, size - 1, (byte) (s.c() >>> 8));
    }

    private void retain(Step s) {
        Live l = live.get(Step.pick(s.a(), live.size()));
        if (l.refs()[0] >= MAX_REFS) {
            release(s, false);
            return;
        }
        assertSame(l.buf(), l.buf().retain());
        l.refs()[0]++;
    }

    private void release(Step s, boolean viaClose) {
        int i = Step.pick(s.a(), live.size());
        Live l = live.get(i);
        boolean last;
        if (viaClose) {
            l.buf().close();
            last = l.refs()[0] == 1;
        } else {
            last = l.buf().release();
            assertEquals(l.refs()[0] == 1, last, "release reports the last reference");
        }
        if (--l.refs()[0] > 0) {
            return;
        }
        live.set(i, live.getLast());
        live.removeLast();
        released.addLast(l);
        if (released.size() > 16) {
            released.removeFirst(); // keeps the last 16
        }
        Folio f = l.folio();
        if (--f.refs == 0) {
            folios.remove(f.head);
            allocatedPages -= 1L << f.order;
        } else {
            touched = f;
        }
    }

    private void slice(Step s) {
        Live parent = live.get(Step.pick(s.a(), live.size()));
        long off = s.b() % parent.size();
        long len = 1 + s.c() % (parent.size() - off);
        PooledBuffer b = parent.buf().slice(off, len);
        assertEquals(len, b.byteSize(), "size of a slice");
        assertEquals(1, b.refCnt(), "count of a new slice");
        assertEquals(parent.folio().head, (long) HEAD.get(b), "folio of a slice");
        parent.folio().refs++;
        Live l = new Live(b, b.segment(), parent.folio(), parent.offset() + off, len, new int[] {1});
        live.add(l);
        touched = l.folio();
        probe(l, 0, (byte) (s.c() >>> 16)); // through the slice: the parent and its other slices must see it
    }

    private void write(Step s) {
        Live l = live.get(Step.pick(s.a(), live.size()));
        touched = l.folio();
        probe(l, s.b() % l.size(), (byte) s.c());
        probe(l, s.c() % l.size(), (byte) s.b());
        probe(l, l.size() - 1, (byte) (s.b() >>> 8));
    }

    /** Writes one byte through the buffer and records it in the folio's probes. */
    private void probe(Live l, long at, byte value) {
        l.buf().segment().set(ValueLayout.JAVA_BYTE, at, value);
        Map<Long, Byte> probes = l.folio().probes;
        if (probes.size() >= MAX_PROBES && !probes.containsKey(l.offset() + at)) {
            probes.remove(probes.keySet().iterator().next());
        }
        probes.put(l.offset() + at, value);
    }

    private void useReleased(Step s) {
        if (released.isEmpty()) {
            return;
        }
        Live l = released.get(Step.pick(s.a(), released.size()));
        PooledBuffer b = l.buf();
        switch ((int) (s.b() % 5)) {
            case 0 -> assertThrows(IllegalStateException.class, b::retain);
            case 1 -> assertThrows(IllegalStateException.class, b::release);
            case 2 -> assertThrows(IllegalStateException.class, b::segment);
            case 3 -> assertThrows(IllegalStateException.class, () -> b.slice(0, 1));
            default -> assertThrows(IllegalStateException.class, b::close);
        }
        assertEquals(0, b.refCnt(), "count of a released buffer after its misuse");
        if (mode == PoolMode.CHECKED) { // the segment handed out before the release is revoked with it
            assertThrows(IllegalStateException.class, () -> l.segment().get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    private void badSize(Step s) {
        long bad = switch ((int) (s.b() % 3)) {
            case 0 -> 0;
            case 1 -> -1 - s.a() % Long.MAX_VALUE;
            default -> pool.maxBufferSize() + 1 + s.a() % 1_000_000;
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.allocate(bad));
        assertTrue(e.getMessage().contains(String.valueOf(bad)), e::getMessage);
    }

    private void badSlice(Step s) {
        Live l = live.get(Step.pick(s.a(), live.size()));
        long off = s.b() % (l.size() + 1);
        long len = l.size() - off + 1 + s.c() % 4096; // one byte or more past the end
        assertThrows(IndexOutOfBoundsException.class, () -> l.buf().slice(off, len));
        assertThrows(IndexOutOfBoundsException.class, () -> l.buf().slice(-1 - (long) (s.c() % 100), 1));
    }

    private long checks;
    private static final int VERIFY_EVERY = Integer.getInteger("jdax.model.verifyEvery", 16);

    @Override
    public void check() {
        // verify() walks every descriptor: after every step while a failure is being shrunk, else every 16th
        AllocatorStats stats = ModelRunner.thorough() || checks % VERIFY_EVERY == 0 ? pool.allocator().verify()
                : pool.allocator().stats();
        assertEquals(totalPages, stats.totalPages());
        assertEquals(allocatedPages, stats.allocatedPages(), "allocated pages");
        assertEquals(totalPages, stats.freePages() + stats.cachedPages() + stats.allocatedPages(),
                "free + cached + allocated == total");
        assertEquals(failures, stats.failures(), "failed allocations");
        assertEquals(0, pool.stats().leaks(), "leaks");
        for (Live l : live) {
            assertEquals(l.refs()[0], l.buf().refCnt(), () -> "count of " + l.buf());
        }
        for (Folio f : folios.values()) {
            assertEquals(f.refs, map.refCount(f.head), () -> "refcount of folio " + f.head);
        }
        if (touched != null) {
            checkProbes(touched);
        }
        if (++checks % 1024 == 0) {
            for (Folio f : folios.values()) {
                checkProbes(f);
            }
        }
    }

    private void checkProbes(Folio f) {
        for (Map.Entry<Long, Byte> p : f.probes.entrySet()) {
            byte got = memory.get(ValueLayout.JAVA_BYTE, p.getKey());
            if (got != p.getValue()) {
                fail("byte at region offset " + p.getKey() + " of folio " + f.head + " is " + got + ", wrote "
                        + p.getValue());
            }
        }
    }

    /**
     * Releases every buffer (each last release must say so, and the pages must come back), or every buffer but
     * one in about a quarter of the sequences, then closes the pool: the one left out must be reported, with
     * every held page (FAST) or once per buffer (CHECKED). Only a quarter, to keep the log's leak warnings few.
     */
    @Override
    public void finish() {
        int keep = !live.isEmpty() && live.getFirst().size() % 4 == 0 ? 1 : 0;
        while (live.size() > keep) {
            Live l = live.getLast();
            while (l.refs()[0] > 0) {
                release(new Step(Op.RELEASE.ordinal(), live.size() - 1, 0, 0), false);
            }
        }
        check();
        int outstanding = live.size();
        long heldBytes = allocatedPages * map.pageSize();
        pool.close();
        assertFalse(pool.region().isOpen(), "the pool's own region is closed");
        if (outstanding == 0) {
            assertEquals(0, pool.stats().leaks(), "leaks of a pool closed with nothing out");
        } else if (mode == PoolMode.FAST) {
            assertEquals(1, pool.leaks().size(), "one FAST leak report");
            assertEquals(heldBytes, pool.leaks().getFirst().bytes(), "bytes of the FAST leak report");
        } else {
            assertEquals(outstanding, pool.stats().leaks(), "one CHECKED leak report per buffer and slice out");
        }
    }

    @Override
    public String lastStep() {
        return last;
    }

    @Override
    public void close() {
        pool.close();
    }
}
