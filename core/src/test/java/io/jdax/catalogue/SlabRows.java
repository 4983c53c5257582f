package io.jdax.catalogue;

import static io.jdax.catalogue.Row.NOTHING;
import static io.jdax.catalogue.Row.of;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.memory.Region;
import io.jdax.slab.SlabAllocator;

import java.util.List;
import java.util.stream.Stream;

/**
 * Misuses of slabs (io.jdax.slab), over a buddy allocator of its own 1 MiB region, whose statistics and both
 * allocators' {@code verify()} join the snapshot.
 */
final class SlabRows {

    private SlabRows() {
    }

    /** The fixture, in env.extra: closed in reverse, slab first. */
    private record Slabs(Region region, BuddyAllocator buddy, SlabAllocator slab, long[] object)
            implements AutoCloseable {
        @Override
        public void close() {
            slab.close();
            buddy.close();
            region.close();
        }
    }

    private static final Row.Step SLABS = env -> {
        Region r = Region.anonymous(1 << 20);
        BuddyAllocator b = BuddyAllocator.create(r);
        SlabAllocator s = SlabAllocator.create(b);
        Slabs f = new Slabs(r, b, s, new long[] {s.allocate(64)});
        env.extra.add(f);
        env.watched.add(() -> "slab " + (r.isOpen() && b.pageMap().isOpen() ? b.verify() + " " + s.stats()
                + verified(s) : "closed"));
    };

    private static String verified(SlabAllocator s) {
        try {
            return " " + s.verify();
        } catch (IllegalStateException closed) {
            return " " + closed.getMessage();
        }
    }

    private static Slabs slabs(Env env) {
        return (Slabs) env.extra.getFirst();
    }

    static Stream<Row> rows() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        Class<IndexOutOfBoundsException> ioobe = IndexOutOfBoundsException.class;
        return Stream.of(
                of("slab-stripes", "SlabAllocator.builder(buddy).stripes(3)", iae, List.of(3), SLABS,
                        env -> SlabAllocator.builder(slabs(env).buddy()).stripes(3)),
                of("slab-empty-kept-negative", "SlabAllocator.builder(buddy).emptySlabsKept(-1)", iae, List.of(-1),
                        SLABS, env -> SlabAllocator.builder(slabs(env).buddy()).emptySlabsKept(-1)),
                of("slab-size-zero", "slab.allocate(0)", iae, List.of(0), SLABS, env -> slabs(env).slab().allocate(0)),
                of("slab-size-too-large", "slab.allocate(maxObjectSize() + 1)", iae, List.of("object size"), SLABS,
                        env -> slabs(env).slab().allocate(slabs(env).slab().maxObjectSize() + 1)),
                of("slab-double-free", "slab.free(o) twice", iae, List.of("not a live slab object"),
                        SLABS.then(env -> slabs(env).slab().free(slabs(env).object()[0])),
                        env -> slabs(env).slab().free(slabs(env).object()[0])),
                of("slab-free-interior", "slab.free(o + 8)", iae, List.of("not a live slab object"), SLABS,
                        env -> slabs(env).slab().free(slabs(env).object()[0] + 8)),
                of("slab-free-negative", "slab.free(-1)", ioobe, List.of(-1), SLABS, env -> slabs(env).slab().free(-1)),
                of("slab-free-past-end", "slab.free(1 MiB)", ioobe, List.of(1 << 20), SLABS,
                        env -> slabs(env).slab().free(1 << 20)),
                of("slab-free-buddy-folio", "slab.free(offset of a folio the buddy allocator handed out itself)", iae,
                        List.of("not a live slab object"), SLABS.then(env -> slabs(env).object()[0] =
                                slabs(env).buddy().allocate(0) << 12),
                        env -> slabs(env).slab().free(slabs(env).object()[0])),
                of("slab-allocate-after-close", "slab.allocate(8) after slab.close()", ise, List.of("closed"),
                        SLABS.then(env -> slabs(env).slab().close()), env -> slabs(env).slab().allocate(8)),
                of("slab-free-after-close", "slab.free(o) after slab.close()", ise, List.of("closed"),
                        SLABS.then(env -> slabs(env).slab().close()),
                        env -> slabs(env).slab().free(slabs(env).object()[0])));
    }
}
