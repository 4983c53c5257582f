package io.jdax.mapping;

import io.jdax.memory.Region;

import java.util.Arrays;

/**
 * Blocks zeroed for new extents whose zeros are not durable yet, as page ranges, adjacent ones merged. A store
 * flushes them before it commits metadata naming their blocks (kernel: what unwritten extents achieve, that a
 * crash never shows a new block's stale bytes), instead of one msync per allocation: on a disk-backed file each
 * msync is a synchronous write and a device flush. Guarded by the owning source's lock.
 */
final class ZeroedBlocks {

    /** Past this many ranges the oldest are flushed at once, to bound the memory held. */
    static final int MAX_RANGES = 4096;

    private long[] starts = new long[16];
    private long[] ends = new long[16];
    private int n;

    /** Records pages {@code [pfn, pfn + pages)}; true if the list is full and should be drained. */
    boolean add(long pfn, long pages) {
        if (n > 0 && ends[n - 1] == pfn) {
            ends[n - 1] += pages; // allocations of a growing file are mostly contiguous
            return false;
        }
        if (n == starts.length) {
            starts = Arrays.copyOf(starts, n * 2);
            ends = Arrays.copyOf(ends, n * 2);
        }
        starts[n] = pfn;
        ends[n] = pfn + pages;
        n++;
        return n >= MAX_RANGES;
    }

    boolean isEmpty() {
        return n == 0;
    }

    /** Takes the ranges out, as {start, end} pairs in pfn order with touching ranges merged. */
    long[][] take() {
        long[][] r = new long[n][];
        for (int i = 0; i < n; i++) {
            r[i] = new long[] {starts[i], ends[i]};
        }
        n = 0;
        if (starts.length > 1024) {
            starts = new long[16];
            ends = new long[16];
        }
        Arrays.sort(r, (a, b) -> Long.compare(a[0], b[0]));
        int m = 0;
        for (long[] x : r) {
            if (m > 0 && r[m - 1][1] >= x[0]) {
                r[m - 1][1] = Math.max(r[m - 1][1], x[1]);
            } else {
                r[m++] = x;
            }
        }
        return Arrays.copyOf(r, m);
    }

    /** Flushes {@code ranges} through {@code region}; returns the pages flushed. */
    static long flush(Region region, int pageShift, long[][] ranges) {
        long pages = 0;
        for (long[] r : ranges) {
            region.flush(r[0] << pageShift, (r[1] - r[0]) << pageShift);
            pages += r[1] - r[0];
        }
        return pages;
    }
}
