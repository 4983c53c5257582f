package io.jdax.pool;

import io.jdax.alloc.FolioCharges;
import io.jdax.slab.SlabClassStats;
import io.jdax.slab.SlabStats;

import java.util.ArrayList;
import java.util.List;

/**
 * Bytes requested by, and bytes held for, the buffers of a pool: the slab classes from the slab layer's
 * statistics, the folio orders from the charges the pool's allocations put on their folios (the bytes asked
 * for), which the allocator counts under the locks it takes anyway: the allocation path pays no atomic
 * operation for them.
 */
final class FolioUsage {

    private FolioUsage() {
    }

    /** The slab classes, then every folio order, smallest first. */
    static List<PoolSizeClass> snapshot(long pageSize, SlabStats slab, FolioCharges folios) {
        List<PoolSizeClass> out = new ArrayList<>(slab.classes().size() + folios.maxOrder() + 1);
        for (SlabClassStats c : slab.classes()) {
            out.add(new PoolSizeClass(c.objectSize(), true, c.objectsInUse(), c.bytesRequested(), c.bytesHeld()));
        }
        for (int o = 0; o <= folios.maxOrder(); o++) {
            long n = folios.folios(o);
            out.add(new PoolSizeClass(pageSize << o, false, n, folios.bytes(o), n * (pageSize << o)));
        }
        return out;
    }
}
