package io.jdax.mapping;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A buddy allocator of page ranges of a dax page map, for a filesystem's blocks (kernel-semantics section 5,
 * the algorithm only). Its state lives on the heap, one byte per page, never in the page descriptors: a dax
 * map's owner slots belong to the mappings that associate folios, and the pool's allocator, which keeps its
 * free lists there, belongs to pool maps only. Blocks are aligned to their order; a block may be freed whole
 * or page by page (each free merges with its free buddies). Not thread-safe: its owner serialises it.
 *
 * <p>Free block heads of each order sit on a stack; a block that merges away stays on its stack until a pop
 * finds it stale (its state byte no longer says "free head of this order") and drops it, so a merge costs no
 * search. A stack is compacted when stale entries outnumber the live ones.
 */
final class ExtentAllocator {

    private final long first;
    private final long pages;
    private final int maxOrder;
    /** Per page: 1 + order if it heads a free block of that order, else 0. */
    private final byte[] state;
    private final long[][] stacks;
    private final int[] stackSizes;
    private final long[] freeBlocks;
    private long freePages;

    /**
     * Manages pages {@code [first, first + pages)}; {@code first} is aligned to {@code maxOrder}, so that block
     * offsets and pfns are aligned alike.
     *
     * @throws IllegalArgumentException if the range is empty, negative, or longer than 2^31 - 1 pages, or
     *                                  {@code maxOrder} is outside [0, 30]
     */
    ExtentAllocator(long first, long pages, int maxOrder) {
        this(first, pages, maxOrder, new BitSet());
    }

    /**
     * Manages pages {@code [first, first + pages)} of which those set in {@code used} (bit i for pfn
     * {@code first + i}) are allocated already: the state of a filesystem reopened from its metadata.
     *
     * @throws IllegalArgumentException as {@link #ExtentAllocator(long, long, int)}, or if {@code used} has a
     *                                  bit past the range
     */
    ExtentAllocator(long first, long pages, int maxOrder, BitSet used) {
        if (first < 0 || pages <= 0 || pages > Integer.MAX_VALUE || first > Long.MAX_VALUE - pages) {
            throw new IllegalArgumentException("extent allocator over " + pages + " pages from pfn " + first
                    + ": need first >= 0 and 1 to " + Integer.MAX_VALUE + " pages");
        }
        if (maxOrder < 0 || maxOrder > 30 || (first & ((1L << maxOrder) - 1)) != 0) {
            throw new IllegalArgumentException("max order " + maxOrder + " outside [0, 30], or first pfn " + first
                    + " not aligned to it");
        }
        this.first = first;
        this.pages = pages;
        this.maxOrder = maxOrder;
        this.state = new byte[(int) pages];
        this.stacks = new long[maxOrder + 1][16];
        this.stackSizes = new int[maxOrder + 1];
        this.freeBlocks = new long[maxOrder + 1];
        if (used.length() > pages) {
            throw new IllegalArgumentException("used page " + (first + used.length() - 1) + " is outside ["
                    + first + ", " + (first + pages) + ")");
        }
        for (long p = 0; p < pages;) {
            if (used.get((int) p)) {
                p++;
                continue;
            }
            int o = maxOrder;
            while (o > 0 && ((p & ((1L << o) - 1)) != 0 || (1L << o) > pages - p
                    || nextUsed(used, p) < p + (1L << o))) {
                o--;
            }
            markFree(p, o);
            p += 1L << o;
        }
    }

    private static long nextUsed(BitSet used, long p) {
        int n = used.nextSetBit((int) p);
        return n < 0 ? Long.MAX_VALUE : n;
    }

    int maxOrder() {
        return maxOrder;
    }

    long freePages() {
        return freePages;
    }

    /** Allocates an aligned block of 2^order pages; returns its first pfn, or -1 if none is free. */
    long allocate(int order) {
        if (order < 0 || order > maxOrder) {
            throw new IllegalArgumentException("order " + order + " outside [0, " + maxOrder + "]");
        }
        for (int o = order; o <= maxOrder; o++) {
            long p = pop(o);
            if (p < 0) {
                continue;
            }
            while (o > order) { // expand: give the upper halves back
                o--;
                markFree(p + (1L << o), o);
            }
            return first + p;
        }
        return -1;
    }

    /**
     * Frees the aligned block of 2^order pages at {@code pfn}, merging it with free buddies.
     *
     * @throws IllegalArgumentException if the block is misaligned or outside the range
     * @throws IllegalStateException    if a page of it is already free (nothing is changed)
     */
    void free(long pfn, int order) {
        if (order < 0 || order > maxOrder || pfn < first || pfn - first > pages - (1L << order)
                || (pfn & ((1L << order) - 1)) != 0) {
            throw new IllegalArgumentException("free of order " + order + " at pfn " + pfn + ": not an aligned block"
                    + " of [" + first + ", " + (first + pages) + ")");
        }
        long p = pfn - first;
        for (long q = p; q < p + (1L << order); q++) {
            if (coveringFree(q) >= 0) {
                throw new IllegalStateException("double free: page " + (first + q) + " of the order-" + order
                        + " block at pfn " + pfn + " is already free");
            }
        }
        for (long q = p; q < p + (1L << order); q += 1) {
            freeOne(q, 0);
        }
    }

    private void freeOne(long p, int order) {
        while (order < maxOrder) {
            long buddy = p ^ (1L << order);
            if (buddy >= pages || state[(int) buddy] != order + 1) {
                break;
            }
            state[(int) buddy] = 0; // its stack entry goes stale
            freeBlocks[order]--;
            freePages -= 1L << order;
            p = Math.min(p, buddy);
            order++;
        }
        markFree(p, order);
    }

    /** The head offset of the free block containing page offset {@code q}, or -1. */
    private long coveringFree(long q) {
        for (int o = 0; o <= maxOrder; o++) {
            long head = q & -(1L << o);
            if (head < pages && state[(int) head] == o + 1) {
                return head;
            }
        }
        return -1;
    }

    private void markFree(long p, int order) {
        state[(int) p] = (byte) (order + 1);
        freeBlocks[order]++;
        freePages += 1L << order;
        long[] stack = stacks[order];
        int n = stackSizes[order];
        if (n == stack.length) {
            if (n > 2 * freeBlocks[order] + 16) {
                n = compact(order);
                stack = stacks[order];
            }
            if (n == stack.length) {
                stack = stacks[order] = Arrays.copyOf(stack, n * 2);
            }
        }
        stack[n] = p;
        stackSizes[order] = n + 1;
    }

    private long pop(int order) {
        long[] stack = stacks[order];
        for (int n = stackSizes[order]; n > 0;) {
            long p = stack[--n];
            stackSizes[order] = n;
            if (state[(int) p] == order + 1) {
                state[(int) p] = 0;
                freeBlocks[order]--;
                freePages -= 1L << order;
                return p;
            }
        }
        return -1;
    }

    private int compact(int order) {
        long[] stack = stacks[order];
        int live = 0;
        for (int i = 0; i < stackSizes[order]; i++) {
            long p = stack[i];
            if (state[(int) p] == order + 1) {
                stack[live++] = p;
            }
        }
        // a head freed, merged away and freed again is on the stack twice: keep it once
        long[] unique = Arrays.stream(stack, 0, live).distinct().toArray();
        System.arraycopy(unique, 0, stack, 0, unique.length);
        stackSizes[order] = unique.length;
        return unique.length;
    }
}
