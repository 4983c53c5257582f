package io.jdax.pool;

import io.jdax.slab.SlabClassStats;
import io.jdax.slab.SlabStats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes requested by, and folios held for, the buffers of a pool above the slab sizes, per folio order.
 * Striped adders: the allocation path pays an uncontended add, and no thread waits on another.
 */
final class FolioUsage {

    private final LongAdder[] requested;
    private final LongAdder[] folios;

    FolioUsage(int maxOrder) {
        requested = new LongAdder[maxOrder + 1];
        folios = new LongAdder[maxOrder + 1];
        for (int o = 0; o <= maxOrder; o++) {
            requested[o] = new LongAdder();
            folios[o] = new LongAdder();
        }
    }

    void allocated(int order, long bytes) {
        requested[order].add(bytes);
        folios[order].increment();
    }

    void freed(int order, long bytes) {
        requested[order].add(-bytes);
        folios[order].decrement();
    }

    /** The slab classes, then every folio order, smallest first. */
    List<PoolSizeClass> snapshot(long pageSize, SlabStats slab) {
        List<PoolSizeClass> out = new ArrayList<>(slab.classes().size() + folios.length);
        for (SlabClassStats c : slab.classes()) {
            out.add(new PoolSizeClass(c.objectSize(), true, c.objectsInUse(), c.bytesRequested(), c.bytesHeld()));
        }
        for (int o = 0; o < folios.length; o++) {
            long n = folios[o].sum();
            out.add(new PoolSizeClass(pageSize << o, false, n, requested[o].sum(), n * (pageSize << o)));
        }
        return out;
    }
}
