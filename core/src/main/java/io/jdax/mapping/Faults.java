package io.jdax.mapping;

import io.jdax.internal.Internals;
import io.jdax.internal.PageDescriptor;
import io.jdax.page.PageMap;
import io.jdax.page.RangePins;

import java.lang.foreign.MemorySegment;

/**
 * One fault attempt of a mapping at one order (kernel: the body of {@code dax_iomap_pte_fault} /
 * {@code dax_iomap_pmd_fault} and {@code dax_insert_entry}), and what each kind of fault does with the entry once
 * it holds its lock: hand out a view, take a pin, or copy bytes in or out (kernel: {@code dax_iomap_rw}, which
 * copies through the direct map instead of a user mapping).
 *
 * <p>Every use runs with the entry locked and the mapping's invalidate lock held shared, so the entry's folio
 * cannot be truncated, punched, reused or poisoned-and-revoked until the use returns.
 */
final class Faults {

    /** What a fault does with the locked entry. {@code pfn} is the first pfn of the entry's block, -1 for a hole. */
    abstract static class Use {
        /** Whether a read of a hole installs the zero-page entry (a view or pin of it does; a copy does not). */
        boolean mapsZeroPage() {
            return true;
        }

        abstract Object at(long start, int order, long pfn, boolean write);
    }

    private final Mapping mapping;
    private final long id;
    private final PageMap map;
    private final MemorySegment memmap;
    private final ExtentSource source;
    private final EntryLocks locks;
    private final ViewGroups views;
    private final Association association;
    private final int pageShift;

    /** Made by the mapping's constructor: {@code mapping} is not fully built yet, and only kept. */
    Faults(Mapping mapping, long id, PageMap map, ExtentSource source, EntryLocks locks, ViewGroups views,
            Association association) {
        this.mapping = mapping;
        this.id = id;
        this.map = map;
        this.memmap = Internals.memmap(map);
        this.source = source;
        this.locks = locks;
        this.views = views;
        this.association = association;
        this.pageShift = map.pageShift();
    }

    /** A fault handing out a view of the whole entry; stateless, so made once. */
    final Use view = new Use() {
        @Override
        Object at(long start, int order, long pfn, boolean write) {
            if (pfn >= 0) {
                checkHealthy(start, pfn, 1L << order);
            }
            return views.attach(start, order, pfn, write);
        }
    };

    /** A fault pinning the entry's folio (the zero page for a read of a hole); stateless, so made once. */
    final Use pin = new Use() {
        @Override
        Object at(long start, int order, long pfn, boolean write) {
            if (pfn < 0) {
                return new MappingPin(map, -1, start);
            }
            checkHealthy(start, pfn, 1L << order);
            // the dax fault-in step of a pin, under the entry lock: a temporary reference, the legal 0 -> 1
            long head = RangePins.pinFolio(map, pfn, false, (m, p) -> {
                m.incRef(pfn);
                return pfn;
            });
            return new MappingPin(map, head, start);
        }
    };

    /**
     * A copy between the file's bytes at {@code pos} and {@code mem[memOffset, memOffset + length)}, cut at the
     * end of the entry covering {@code pos}; {@link Copy#copied} says how far it got. A read of a hole copies
     * zeros.
     */
    final class Copy extends Use {
        private final long pos;
        private final MemorySegment mem;
        private final long memOffset;
        private final long length;
        long copied;

        Copy(long pos, MemorySegment mem, long memOffset, long length) {
            this.pos = pos;
            this.mem = mem;
            this.memOffset = memOffset;
            this.length = length;
        }

        @Override
        boolean mapsZeroPage() {
            return false; // kernel: a read() of a hole zeroes the buffer and leaves the mapping alone
        }

        @Override
        Object at(long start, int order, long pfn, boolean write) {
            long in = pos - (start << pageShift);
            long chunk = Math.min(length, (1L << (order + pageShift)) - in);
            if (pfn < 0) {
                mem.asSlice(memOffset, chunk).fill((byte) 0);
            } else {
                long first = in >>> pageShift;
                checkHealthy(start + first, pfn + first, ((in + chunk - 1) >>> pageShift) - first + 1);
                long at = (pfn << pageShift) + in;
                if (write) {
                    MemorySegment.copy(mem, memOffset, map.region().segment(), at, chunk);
                } else {
                    MemorySegment.copy(map.region().segment(), at, mem, memOffset, chunk);
                }
            }
            copied = chunk;
            return this;
        }
    }

    /** One fault attempt at {@code order}; null means FALLBACK (kernel: {@code VM_FAULT_FALLBACK}). */
    Object at(long index, int order, boolean write, Use use) {
        long entry = locks.grab(index, order);
        if (entry == EntryLocks.CONFLICT) {
            return null;
        }
        // an order-0 request over a real PMD entry locks that entry and uses it whole
        long start = DaxEntry.start(entry, index);
        int eorder = DaxEntry.order(entry);
        boolean erase = false;
        try {
            if (!write && !use.mapsZeroPage() && DaxEntry.mapsFolio(entry)) {
                // a copy out of a mapped entry: the locked entry already says where the block is, and nothing
                // changes it while we hold the lock (kernel: a read() iterates the iomap; this skips the lookup)
                return use.at(start, eorder, DaxEntry.pfn(entry), false);
            }
            Extent ext = source.extent(mapping, start, eorder, write);
            if (ext == null) {
                throw new IllegalStateException("extent source " + source + " answered null for page " + start);
            }
            if (ext.isHole()) {
                if (ext.order() < eorder && DaxEntry.isEmpty(entry)) {
                    return null; // kernel: a hole shorter than the PMD falls back
                }
                if (write) {
                    throw new IllegalStateException("extent source answered a hole to a write fault at page "
                            + start + " of mapping " + id);
                }
                if (DaxEntry.mapsFolio(entry)) {
                    throw new IllegalStateException("page " + start + " of mapping " + id + ": the entry maps pfn "
                            + DaxEntry.pfn(entry) + " but the extent source answers a hole");
                }
                if (!use.mapsZeroPage()) {
                    erase = DaxEntry.isEmpty(entry); // leave no trace of a copy in a hole
                } else if (!DaxEntry.isZero(entry)) {
                    entry = DaxEntry.locked(DaxEntry.zero(eorder)); // kernel: dax_load_hole / dax_pmd_load_hole
                    locks.store(start, entry);
                }
                return use.at(start, eorder, -1, false);
            }
            long pfn = ext.pfn();
            if (ext.order() < eorder || (pfn & ((1L << eorder) - 1)) != 0) {
                if (eorder > 0 && DaxEntry.isEmpty(entry)) {
                    return null; // the block is too small or misaligned for a PMD: the PTE fault downgrades the entry
                }
                throw new IllegalStateException("page " + start + " of mapping " + id + ": order-" + eorder + " entry "
                        + DaxEntry.describe(entry) + " but the extent source answers an order-" + ext.order()
                        + " block at pfn " + pfn);
            }
            if (pfn < 0 || pfn > map.nrPages() - (1L << eorder)) {
                throw new IllegalStateException("extent source answered pfn " + pfn + " for page " + start
                        + ", outside " + map);
            }
            entry = insert(start, entry, pfn, eorder, write, ext.shared());
            return use.at(start, eorder, pfn, write);
        } finally {
            if (erase) {
                locks.eraseLocked(start);
            } else {
                locks.unlock(start, entry);
            }
        }
    }

    /**
     * Kernel: {@code dax_insert_entry}. A zero or empty entry becomes the folio's entry: the zero page's views are
     * revoked, the folio associated, the entry stored (still locked). A write marks DIRTY, and TOWRITE when the
     * extent is shared. Marking happens here, before the use: a writeback that tags the entry meanwhile waits
     * for the entry lock, so it flushes after the write's bytes are in.
     */
    private long insert(long start, long entry, long pfn, int order, boolean write, boolean shared) {
        if (DaxEntry.isZero(entry) || DaxEntry.isEmpty(entry)) {
            if (DaxEntry.isZero(entry)) {
                views.revoke(start, start + (1L << order)); // kernel: unmap_mapping_pages of the zero page
            }
            long fresh = DaxEntry.locked(DaxEntry.make(pfn, order, 0));
            association.associate(fresh, id, start, shared);
            locks.store(start, fresh);
            entry = fresh;
        } else if (DaxEntry.pfn(entry) != pfn) {
            throw new IllegalStateException("page " + start + " of mapping " + id + ": the entry maps pfn "
                    + DaxEntry.pfn(entry) + " but the extent source answers pfn " + pfn);
        }
        if (write) {
            locks.mark(start, Mark.DIRTY);
            if (shared) {
                locks.mark(start, Mark.TOWRITE);
            }
        }
        return entry;
    }

    /**
     * Refuses pages a memory failure poisoned (kernel: the HWPOISON check of the fault path, {@code VM_FAULT_HWPOISON},
     * and of {@code dax_direct_access}). Called under the entry lock: a failure that poisons the page later
     * locks the entry before it revokes, so it waits for this use to end.
     */
    private void checkHealthy(long index, long pfn, long pages) {
        for (long p = 0; p < pages; p++) {
            if ((PageDescriptor.info(memmap, pfn + p) & PageDescriptor.HWPOISON) != 0) {
                throw new IllegalStateException("page " + (index + p) + " of mapping " + id + " is backed by pfn "
                        + (pfn + p) + ", which a memory failure poisoned");
            }
        }
    }
}
