package io.jdax.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The reference model of a store: per file its size and a list of pages, each page an object shared by every
 * file a reflink made use it (so a write through one file is seen by all of them, as the store promises: no
 * copy-on-write); a hole is null. For crash checks, per file the bytes at its last fsync and the bytes that
 * may or may not be durable since.
 */
final class StoreModel {

    static final int PAGE = 4096;

    /** A block page as the model knows it: its bytes, and the files that wrote it since it was last flushed. */
    static final class Page {
        final byte[] data = new byte[PAGE];
        final Set<FileM> writers = new HashSet<>();
        long pfn = -1; // learnt from the store's extents when the page appears
    }

    /** One file. */
    static final class FileM {
        final String name;
        long size;
        boolean poisoned;
        final List<Page> pages = new ArrayList<>();
        byte[] acked = new byte[0];
        final BitSet uncertain = new BitSet();

        FileM(String name) {
            this.name = name;
        }

        Page page(long index) {
            return index < pages.size() ? pages.get((int) index) : null;
        }

        void setPage(long index, Page p) {
            while (pages.size() <= index) {
                pages.add(null);
            }
            pages.set((int) index, p);
        }

        long pageCount() {
            return (size + PAGE - 1) / PAGE;
        }

        /** The file's bytes {@code [from, to)} as a read must return them (holes read as zeros). */
        byte[] bytes(long from, long to) {
            byte[] out = new byte[(int) (to - from)];
            for (long pos = from; pos < to;) {
                long idx = pos / PAGE;
                int in = (int) (pos % PAGE);
                int n = (int) Math.min(PAGE - in, to - pos);
                Page p = page(idx);
                if (p != null) {
                    System.arraycopy(p.data, in, out, (int) (pos - from), n);
                }
                pos += n;
            }
            return out;
        }

        void changed(long from, long to) {
            if (to > from) {
                uncertain.set((int) from, (int) to);
            }
        }

        /** Drops the pages from {@code index} on: a shrink gives their blocks back. */
        void dropPagesFrom(long index) {
            while (pages.size() > index) {
                pages.removeLast();
            }
        }

        /** What the store does on growth: the old last page's bytes past the old end read as zeros. */
        void grow(long newSize) {
            if (newSize <= size) {
                return;
            }
            Page tail = size % PAGE == 0 ? null : page(size / PAGE);
            if (tail != null) {
                Arrays.fill(tail.data, (int) (size % PAGE), (int) Math.min(PAGE, size % PAGE + (newSize - size)),
                        (byte) 0);
            }
            changed(size, newSize);
            size = newSize;
        }
    }
}
