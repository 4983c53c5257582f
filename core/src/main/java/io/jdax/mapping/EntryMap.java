package io.jdax.mapping;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.HashMap;
import java.util.TreeSet;

/**
 * The sparse map from page index to {@link DaxEntry} of one mapping (kernel: the mapping's {@code i_pages}
 * XArray as fs/dax.c uses it). Not thread-safe: the mapping's lock guards it.
 *
 * <p>Indices are grouped in chunks of {@link DaxEntry#PMD_PAGES}, kept in index order; a chunk exists only while
 * it holds an entry, so memory grows with the entries, not with the file size. A chunk holds either one PMD
 * entry covering all of it (a multi-order entry, stored once) or up to 512 order-0 entries. Both fields exist
 * side by side, so that a broken PTE-beats-PMD rule would show as a chunk with both, which {@link #verify}
 * reports.
 *
 * <p>Marks are bits per chunk slot (a PMD entry's marks are on slot 0), and every mark has a sorted set of the
 * chunks where it is set anywhere (kernel: marks propagate up the XArray tree), so that {@link #nextMarked}
 * walks marked entries in index order without visiting unmarked ones.
 */
final class EntryMap {

    static final int CHUNK_SHIFT = DaxEntry.PMD_ORDER;
    static final int CHUNK_SLOTS = 1 << CHUNK_SHIFT;
    private static final int MARKS = Mark.values().length;
    private static final int MARK_WORDS = CHUNK_SLOTS / Long.SIZE;

    private static final class Chunk {
        long pmd;            // a PMD entry covering the chunk, or NONE
        long[] ptes;         // order-0 entries by slot, allocated with the first one
        int pteCount;
        final long[][] marks = new long[MARKS][]; // per mark, a bitmap by slot, allocated with the first bit
    }

    private final TreeMap<Long, Chunk> chunks = new TreeMap<>();        // ordered walks
    private final HashMap<Long, Chunk> chunkAt = new HashMap<>();       // the same chunks, for point lookups
    @SuppressWarnings("unchecked")
    private final NavigableSet<Long>[] markedChunks = new NavigableSet[MARKS];
    private long pages;   // kernel: mapping->nrpages
    private long entries;

    EntryMap() {
        for (int m = 0; m < MARKS; m++) {
            markedChunks[m] = new TreeSet<>();
        }
    }

    /** Pages covered by the entries (kernel: {@code mapping->nrpages}). */
    long pages() {
        return pages;
    }

    long entries() {
        return entries;
    }

    /** The entry covering {@code index}, or {@link DaxEntry#NONE}. */
    long get(long index) {
        Chunk c = chunkAt.get(index >>> CHUNK_SHIFT);
        if (c == null) {
            return DaxEntry.NONE;
        }
        if (c.pmd != DaxEntry.NONE) {
            return c.pmd;
        }
        return c.ptes == null ? DaxEntry.NONE : c.ptes[slot(index)];
    }

    /**
     * What stands in the way of an entry of {@code order} at {@code index} (kernel: {@code xas_find_conflict}):
     * for order 0 the entry covering the index; for the PMD order the PMD entry of the chunk, or else its first
     * order-0 entry.
     */
    long conflict(long index, int order) {
        if (order == 0) {
            return get(index);
        }
        Chunk c = chunkAt.get(index >>> CHUNK_SHIFT);
        if (c == null) {
            return DaxEntry.NONE;
        }
        if (c.pmd != DaxEntry.NONE) {
            return c.pmd;
        }
        if (c.ptes != null) {
            for (long e : c.ptes) {
                if (e != DaxEntry.NONE) {
                    return e;
                }
            }
        }
        return DaxEntry.NONE;
    }

    /**
     * Stores {@code entry} at {@code index}: replaces the entry of the same order that starts there, or fills a
     * place where nothing of either order is. Marks of a replaced entry stay (kernel: {@code xas_store} keeps
     * marks).
     *
     * @throws IllegalStateException if the place is taken by an entry of the other order (a caller's bug)
     */
    void put(long index, long entry) {
        assert entry != DaxEntry.NONE && DaxEntry.start(entry, index) == index : index + " " + entry;
        long key = index >>> CHUNK_SHIFT;
        Chunk c = chunkAt.get(key);
        if (c == null) {
            c = new Chunk();
            chunks.put(key, c);
            chunkAt.put(key, c);
        }
        if (DaxEntry.isPmd(entry)) {
            if (c.pteCount != 0) {
                throw new IllegalStateException("index " + index + ": a PMD entry over " + c.pteCount + " PTE entries");
            }
            if (c.pmd == DaxEntry.NONE) {
                pages += DaxEntry.PMD_PAGES;
                entries++;
            }
            c.pmd = entry;
        } else {
            if (c.pmd != DaxEntry.NONE) {
                throw new IllegalStateException("index " + index + ": a PTE entry inside PMD entry "
                        + DaxEntry.describe(c.pmd));
            }
            if (c.ptes == null) {
                c.ptes = new long[CHUNK_SLOTS];
            }
            int s = slot(index);
            if (c.ptes[s] == DaxEntry.NONE) {
                c.pteCount++;
                pages++;
                entries++;
            }
            c.ptes[s] = entry;
        }
    }

    /** Removes the entry starting at {@code index} with its marks; returns it, or NONE if there was none. */
    long erase(long index) {
        long key = index >>> CHUNK_SHIFT;
        Chunk c = chunkAt.get(key);
        if (c == null) {
            return DaxEntry.NONE;
        }
        long old;
        if (c.pmd != DaxEntry.NONE) {
            assert (index & DaxEntry.PMD_COLOUR) == 0 : "erase of a PMD entry at " + index;
            old = c.pmd;
            c.pmd = DaxEntry.NONE;
            pages -= DaxEntry.PMD_PAGES;
        } else {
            int s = slot(index);
            old = c.ptes == null ? DaxEntry.NONE : c.ptes[s];
            if (old == DaxEntry.NONE) {
                return old;
            }
            c.ptes[s] = DaxEntry.NONE;
            c.pteCount--;
            pages--;
        }
        entries--;
        for (Mark m : Mark.values()) {
            clearMark(key, c, slot(index), m);
        }
        if (c.pmd == DaxEntry.NONE && c.pteCount == 0) {
            chunks.remove(key);
            chunkAt.remove(key);
        }
        return old;
    }

    // ------------------------------------------------------------------ marks

    /** Sets {@code mark} on the entry starting at {@code index}, which must exist. */
    void setMark(long index, Mark mark) {
        long key = index >>> CHUNK_SHIFT;
        Chunk c = chunkAt.get(key);
        assert c != null && get(index) != DaxEntry.NONE : "mark of a missing entry at " + index;
        long[] bits = c.marks[mark.ordinal()];
        if (bits == null) {
            bits = c.marks[mark.ordinal()] = new long[MARK_WORDS];
        }
        int s = slot(index);
        bits[s >>> 6] |= 1L << s;
        markedChunks[mark.ordinal()].add(key);
    }

    void clearMark(long index, Mark mark) {
        long key = index >>> CHUNK_SHIFT;
        Chunk c = chunkAt.get(key);
        if (c != null) {
            clearMark(key, c, slot(index), mark);
        }
    }

    private void clearMark(long key, Chunk c, int s, Mark mark) {
        long[] bits = c.marks[mark.ordinal()];
        if (bits == null) {
            return;
        }
        bits[s >>> 6] &= ~(1L << s);
        for (long w : bits) {
            if (w != 0) {
                return;
            }
        }
        c.marks[mark.ordinal()] = null;
        markedChunks[mark.ordinal()].remove(key);
    }

    boolean isMarked(long index, Mark mark) {
        Chunk c = chunkAt.get(index >>> CHUNK_SHIFT);
        if (c == null || c.marks[mark.ordinal()] == null) {
            return false;
        }
        int s = c.pmd != DaxEntry.NONE ? 0 : slot(index);
        return (c.marks[mark.ordinal()][s >>> 6] & 1L << s) != 0;
    }

    /**
     * The start of the first entry marked {@code mark} that covers an index in {@code [from, to)}, or -1;
     * only chunks holding the mark are visited (kernel: {@code xas_find_marked}).
     */
    long nextMarked(Mark mark, long from, long to) {
        for (Long key = markedChunks[mark.ordinal()].ceiling(from >>> CHUNK_SHIFT); key != null;
                key = markedChunks[mark.ordinal()].higher(key)) {
            long base = key << CHUNK_SHIFT;
            if (base >= to) {
                return -1;
            }
            Chunk c = chunkAt.get(key);
            long[] bits = c.marks[mark.ordinal()];
            int s = base >= from || c.pmd != DaxEntry.NONE ? 0 : slot(from);
            for (int w = s >>> 6; w < MARK_WORDS; w++) {
                long word = bits[w] & (w == s >>> 6 ? -1L << s : -1L);
                if (word != 0) {
                    long index = base + ((long) w << 6) + Long.numberOfTrailingZeros(word);
                    return index < to ? index : -1;
                }
            }
        }
        return -1;
    }

    /** The start of the first entry that covers an index in {@code [from, to)}, or -1. */
    long nextEntry(long from, long to) {
        for (Map.Entry<Long, Chunk> e = chunks.ceilingEntry(from >>> CHUNK_SHIFT); e != null;
                e = chunks.higherEntry(e.getKey())) {
            long base = e.getKey() << CHUNK_SHIFT;
            if (base >= to) {
                return -1;
            }
            Chunk c = e.getValue();
            if (c.pmd != DaxEntry.NONE) {
                return base;
            }
            for (int s = base >= from ? 0 : slot(from); s < CHUNK_SLOTS; s++) {
                if (c.ptes[s] != DaxEntry.NONE) {
                    long index = base + s;
                    return index < to ? index : -1;
                }
            }
        }
        return -1;
    }

    /** Starts of every entry covering an index in {@code [from, to)}, in index order. */
    List<Long> starts(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = nextEntry(from, to); i >= 0; i = nextEntry(i + DaxEntry.pages(get(i)), to)) {
            out.add(i);
        }
        return out;
    }

    /**
     * Checks the map's invariants: pages == sum of 2^order over the entries (kernel-semantics invariant 6),
     * never a PMD and a PTE entry in one chunk, every entry's flags well formed, marks only on entries and the
     * per-mark chunk sets exact.
     *
     * @throws IllegalStateException naming the first violation
     */
    void verify() {
        long sumPages = 0;
        long count = 0;
        if (chunkAt.size() != chunks.size()) {
            throw new IllegalStateException("the chunk index holds " + chunkAt.size() + " chunks, the map " + chunks.size());
        }
        for (Map.Entry<Long, Chunk> e : chunks.entrySet()) {
            long base = e.getKey() << CHUNK_SHIFT;
            Chunk c = e.getValue();
            if (chunkAt.get(e.getKey()) != c) {
                throw new IllegalStateException("chunk " + e.getKey() + " is not the one its index holds");
            }
            int ptes = 0;
            if (c.ptes != null) {
                for (int s = 0; s < CHUNK_SLOTS; s++) {
                    long entry = c.ptes[s];
                    if (entry != DaxEntry.NONE) {
                        ptes++;
                        checkEntry(base + s, entry, 0);
                    }
                }
            }
            if (ptes != c.pteCount) {
                throw new IllegalStateException("chunk at " + base + ": " + ptes + " PTE entries, counted " + c.pteCount);
            }
            if (c.pmd != DaxEntry.NONE) {
                if (ptes != 0) {
                    throw new IllegalStateException("index " + base + ": PMD entry " + DaxEntry.describe(c.pmd)
                            + " and " + ptes + " PTE entries in one range");
                }
                checkEntry(base, c.pmd, DaxEntry.PMD_ORDER);
                sumPages += DaxEntry.PMD_PAGES;
                count++;
            } else if (ptes == 0) {
                throw new IllegalStateException("empty chunk kept at " + base);
            }
            sumPages += ptes;
            count += ptes;
            for (Mark m : Mark.values()) {
                long[] bits = c.marks[m.ordinal()];
                boolean listed = markedChunks[m.ordinal()].contains(e.getKey());
                if ((bits != null) != listed) {
                    throw new IllegalStateException("chunk at " + base + ": mark " + m + " bitmap "
                            + (bits != null) + " but listed " + listed);
                }
                if (bits != null) {
                    for (int s = 0; s < CHUNK_SLOTS; s++) {
                        if ((bits[s >>> 6] & 1L << s) != 0
                                && (c.pmd != DaxEntry.NONE ? s != 0 : c.ptes == null || c.ptes[s] == DaxEntry.NONE)) {
                            throw new IllegalStateException("mark " + m + " at " + (base + s) + " without an entry");
                        }
                    }
                }
            }
        }
        for (Mark m : Mark.values()) {
            for (Iterator<Long> it = markedChunks[m.ordinal()].iterator(); it.hasNext();) {
                long key = it.next();
                if (!chunks.containsKey(key)) {
                    throw new IllegalStateException("mark " + m + " lists chunk " + (key << CHUNK_SHIFT) + " with no entry");
                }
            }
        }
        if (sumPages != pages || count != entries) {
            throw new IllegalStateException("entry accounting: " + pages + " pages and " + entries
                    + " entries counted, " + sumPages + " pages in " + count + " entries present");
        }
    }

    private static void checkEntry(long index, long entry, int order) {
        if (DaxEntry.order(entry) != order || (entry & DaxEntry.VALUE) == 0
                || DaxEntry.isZero(entry) && DaxEntry.isEmpty(entry)) {
            throw new IllegalStateException("index " + index + ": malformed entry " + Long.toHexString(entry)
                    + " in an order-" + order + " place");
        }
    }

    private static int slot(long index) {
        return (int) (index & (CHUNK_SLOTS - 1));
    }
}
