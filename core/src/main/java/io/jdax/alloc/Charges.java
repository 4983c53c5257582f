package io.jdax.alloc;

import io.jdax.alloc.FolioCache.Stripe;
import io.jdax.internal.PageDescriptor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * The charges of a {@link BuddyAllocator}'s folios (see {@link BuddyAllocator#allocate(int, long)}): each
 * allocated folio's charge sits in its head's descriptor, and the counts of charged folios and bytes per order
 * are kept where the allocation or the last put already holds a lock, in its cache stripe, so that charging
 * costs no atomic operation. Only the zone path, which takes the zone lock and splits or preps anyway,
 * counts here, in adders.
 */
final class Charges {

    private static final VarHandle SLOT = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment memmap;
    private final LongAdder[] zoneFolios; // by order: out minus back by the zone path
    private final LongAdder[] zoneBytes;

    Charges(MemorySegment memmap, int maxOrder) {
        this.memmap = memmap;
        this.zoneFolios = new LongAdder[maxOrder + 1];
        this.zoneBytes = new LongAdder[maxOrder + 1];
        for (int o = 0; o <= maxOrder; o++) {
            zoneFolios[o] = new LongAdder();
            zoneBytes[o] = new LongAdder();
        }
    }

    /**
     * Records an allocated folio's charge in its head's index slot, which an allocated folio of a pool map does
     * not use otherwise (a slab's mark overlays it, and clears it before the folio's last put). Plain: the
     * allocation writes it before the release store of the folio's count, and the last put reads it after
     * the read-modify-write that took the count to 0.
     */
    void set(long head, long bytes) {
        SLOT.set(memmap, PageDescriptor.offset(head) + PageDescriptor.INDEX_OFFSET, bytes);
    }

    /** The charge of a folio whose last put is under way. */
    long of(long head) {
        return (long) SLOT.get(memmap, PageDescriptor.offset(head) + PageDescriptor.INDEX_OFFSET);
    }

    /** Counts a charged folio leaving ({@code sign} 1) or coming back (-1) by the zone path. */
    void zone(int order, long bytes, int sign) {
        if (bytes != 0) {
            zoneFolios[order].add(sign);
            zoneBytes[order].add(sign * bytes);
        }
    }

    /** The zone's counts plus every stripe's, each stripe read under its lock. */
    FolioCharges snapshot(FolioCache cache, int[] slotOrder) {
        int orders = zoneFolios.length;
        long[] folios = new long[orders];
        long[] bytes = new long[orders];
        for (int o = 0; o < orders; o++) {
            folios[o] = zoneFolios[o].sum();
            bytes[o] = zoneBytes[o].sum();
        }
        int stripes = cache == null ? 0 : cache.stripeCount();
        for (int i = 0; i < stripes; i++) {
            Stripe s = cache.stripe(i);
            s.lockSlowly();
            try {
                for (int slot = 0; slot < slotOrder.length; slot++) {
                    folios[slotOrder[slot]] += s.chargedFolios(slot);
                    bytes[slotOrder[slot]] += s.chargedBytes(slot);
                }
            } finally {
                s.unlock();
            }
        }
        return new FolioCharges(folios, bytes);
    }
}
