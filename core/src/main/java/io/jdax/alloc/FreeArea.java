package io.jdax.alloc;

import static io.jdax.internal.PageDescriptor.NIL;
import static io.jdax.internal.PageDescriptor.clearBuddy;
import static io.jdax.internal.PageDescriptor.markBuddy;
import static io.jdax.internal.PageDescriptor.nextFree;
import static io.jdax.internal.PageDescriptor.prevFree;
import static io.jdax.internal.PageDescriptor.setNextFree;
import static io.jdax.internal.PageDescriptor.setPrevFree;

import java.lang.foreign.MemorySegment;

/**
 * The free lists of a buddy allocator, one per order (kernel: {@code zone->free_area[order]}): doubly linked
 * through the descriptors of each free block's first page, so a block leaves its list in O(1) when its buddy
 * merges with it, and the lists cost no memory of their own. Not thread-safe: the zone lock guards it.
 */
final class FreeArea {

    private final MemorySegment memmap;
    private final long[] heads;
    private final long[] counts;

    FreeArea(MemorySegment memmap, int maxOrder) {
        this.memmap = memmap;
        this.heads = new long[maxOrder + 1];
        this.counts = new long[maxOrder + 1];
        java.util.Arrays.fill(heads, NIL);
    }

    /** Marks the block at {@code pfn} free at {@code order} and puts it at the head of that order's list. */
    void add(long pfn, int order) {
        long first = heads[order];
        markBuddy(memmap, pfn, order);
        setNextFree(memmap, pfn, first);
        setPrevFree(memmap, pfn, NIL);
        if (first != NIL) {
            setPrevFree(memmap, first, pfn);
        }
        heads[order] = pfn;
        counts[order]++;
    }

    /** Takes the block at {@code pfn} (free at {@code order}) off its list and clears its mark. */
    void remove(long pfn, int order) {
        long next = nextFree(memmap, pfn);
        long prev = prevFree(memmap, pfn);
        if (prev != NIL) {
            setNextFree(memmap, prev, next);
        } else {
            heads[order] = next;
        }
        if (next != NIL) {
            setPrevFree(memmap, next, prev);
        }
        clearBuddy(memmap, pfn);
        counts[order]--;
    }

    /** Takes the first block off the list of {@code order}, or returns {@code NIL} if it is empty. */
    long poll(int order) {
        long pfn = heads[order];
        if (pfn != NIL) {
            remove(pfn, order);
        }
        return pfn;
    }

    long count(int order) {
        return counts[order];
    }

    long first(int order) {
        return heads[order];
    }

    long next(long pfn) {
        return nextFree(memmap, pfn);
    }

    int maxOrder() {
        return heads.length - 1;
    }
}
