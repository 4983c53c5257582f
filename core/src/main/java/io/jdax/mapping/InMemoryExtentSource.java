package io.jdax.mapping;

import io.jdax.page.PageMap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An extent source kept on the heap: per file, a sorted map from file block to page-map block; per block, the
 * files that use it (the reverse map a filesystem keeps for reflink and memory failure). Blocks come from an
 * {@link ExtentAllocator} of its own over the whole dax page map, are zeroed when allocated, and go back when
 * no file uses them any more. Thread-safe: one lock, held for lookups and updates only, never while waiting.
 *
 * <p>Writes to a reflinked block are not copied (no copy-on-write): both files see them.
 */
public final class InMemoryExtentSource implements ExtentSource {

    /** One file of the source's reverse map: mapping id and the index of a page within it. */
    public record Owner(long mappingId, long index) {
    }

    private record FileExtent(long pfn, int order) {
        long pages() {
            return 1L << order;
        }
    }

    /** A block of the page map and the files using it, each as (mapping id, file index of the block's first page). */
    private static final class Block {
        final int order;
        final List<long[]> owners = new ArrayList<>(2);

        Block(int order) {
            this.order = order;
        }
    }

    private final PageMap map;
    private final ExtentAllocator allocator;
    private final Map<Long, TreeMap<Long, FileExtent>> files = new HashMap<>(); // guarded by this
    private final TreeMap<Long, Block> blocks = new TreeMap<>();                // guarded by this, by first pfn

    /**
     * A source handing out blocks of up to the PMD order from every page of {@code map}.
     *
     * @throws IllegalArgumentException if {@code map} is not a {@link PageMap.Kind#DAX dax} map, or has more
     *                                  than 2^31 - 1 pages
     */
    public InMemoryExtentSource(PageMap map) {
        Objects.requireNonNull(map, "map");
        if (map.kind() != PageMap.Kind.DAX) {
            throw new IllegalArgumentException("an extent source needs a DAX page map, not " + map);
        }
        this.map = map;
        this.allocator = new ExtentAllocator(0, map.nrPages(), DaxEntry.PMD_ORDER);
    }

    @Override
    public PageMap pageMap() {
        return map;
    }

    /** Pages not allocated to any file. */
    public synchronized long freePages() {
        return allocator.freePages();
    }

    @Override
    public synchronized Extent extent(Mapping mapping, long index, int order, boolean write) {
        TreeMap<Long, FileExtent> file = files.get(mapping.id());
        if (file != null) {
            Map.Entry<Long, FileExtent> e = file.floorEntry(index);
            if (e != null && index - e.getKey() < e.getValue().pages()) {
                FileExtent fe = e.getValue();
                long pfn = fe.pfn + (index - e.getKey());
                return new Extent(pfn, fe.order, blocks.floorEntry(pfn).getValue().owners.size() > 1);
            }
        }
        int o = Math.min(Math.max(order, 0), allocator.maxOrder());
        while (o > 0 && file != null && hasBlocks(file, index & -(1L << o), 1L << o)) {
            o--; // a smaller block of the file sits in the aligned range: no room for a large one
        }
        if (!write) {
            return Extent.hole(o);
        }
        if (file == null) {
            file = new TreeMap<>();
            files.put(mapping.id(), file);
        }
        if (o > 0 && o < order) {
            o = 0; // the allocator's orders are the PMD order and 0
        }
        long start = index & -(1L << o);
        long pfn = allocator.allocate(o);
        if (pfn < 0 && o > 0) {
            o = 0;
            start = index;
            pfn = allocator.allocate(0);
        }
        if (pfn < 0) {
            throw new IllegalStateException("no free block for page " + index + " of mapping " + mapping.id()
                    + ": all " + map.nrPages() + " pages of " + map + " are allocated");
        }
        map.pages(pfn, 1L << o).fill((byte) 0); // a new block reads as zeros, whatever it held before
        file.put(start, new FileExtent(pfn, o));
        Block b = new Block(o);
        b.owners.add(new long[] {mapping.id(), start});
        blocks.put(pfn, b);
        return new Extent(pfn + (index - start), o, false);
    }

    @Override
    public synchronized void release(Mapping mapping, long start, long end) {
        TreeMap<Long, FileExtent> file = files.get(mapping.id());
        if (file == null || start >= end) {
            return;
        }
        Map.Entry<Long, FileExtent> first = file.floorEntry(start);
        long from = first != null && start - first.getKey() < first.getValue().pages() ? first.getKey() : start;
        List<Long> keys = new ArrayList<>(file.subMap(from, true, end, false).keySet());
        for (long key : keys) {
            FileExtent fe = file.get(key);
            if (key >= start && end - key >= fe.pages()) {
                file.remove(key);
                dropOwner(fe.pfn, fe.pages(), mapping.id(), key);
                continue;
            }
            // partly inside: this file now uses the block page by page, and drops the pages in the range
            splitBlocks(fe.pfn, fe.pages());
            file.remove(key);
            for (long i = 0; i < fe.pages(); i++) {
                if (key + i >= start && key + i < end) {
                    dropOwner(fe.pfn + i, 1, mapping.id(), key + i);
                } else {
                    file.put(key + i, new FileExtent(fe.pfn + i, 0));
                }
            }
        }
        if (file.isEmpty()) {
            files.remove(mapping.id());
        }
    }

    /**
     * Makes pages {@code [dstIndex, dstIndex + pages)} of {@code dst} use the blocks of pages
     * {@code [srcIndex, srcIndex + pages)} of {@code src} (kernel: {@code FICLONERANGE}); both files then
     * report those extents as shared. The source range must consist of whole blocks, each keeping its alignment
     * at the destination, and the destination range must be a hole.
     *
     * @throws IllegalArgumentException naming the offending value; nothing is changed
     */
    public synchronized void reflink(Mapping src, long srcIndex, Mapping dst, long dstIndex, long pages) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (pages < 1 || srcIndex < 0 || dstIndex < 0 || srcIndex > Mapping.MAX_INDEX + 1 - pages
                || dstIndex > Mapping.MAX_INDEX + 1 - pages) {
            throw new IllegalArgumentException("reflink of " + pages + " pages from index " + srcIndex + " to index "
                    + dstIndex + ": need pages >= 1 and both ranges within [0, " + (Mapping.MAX_INDEX + 1) + ")");
        }
        if (src.id() == dst.id() && srcIndex < dstIndex + pages && dstIndex < srcIndex + pages) {
            throw new IllegalArgumentException("reflink within mapping " + src.id() + ": ranges from " + srcIndex
                    + " and " + dstIndex + " of " + pages + " pages overlap");
        }
        TreeMap<Long, FileExtent> from = files.getOrDefault(src.id(), new TreeMap<>());
        TreeMap<Long, FileExtent> to = files.getOrDefault(dst.id(), new TreeMap<>());
        Map.Entry<Long, FileExtent> straddling = from.lowerEntry(srcIndex);
        if (straddling != null && straddling.getKey() + straddling.getValue().pages() > srcIndex) {
            throw new IllegalArgumentException("reflink source index " + srcIndex + " is inside the order-"
                    + straddling.getValue().order + " block at index " + straddling.getKey() + ": reflink whole blocks");
        }
        Map<Long, FileExtent> range = from.subMap(srcIndex, srcIndex + pages);
        for (Map.Entry<Long, FileExtent> e : range.entrySet()) {
            FileExtent fe = e.getValue();
            if (e.getKey() + fe.pages() > srcIndex + pages) {
                throw new IllegalArgumentException("reflink source range ends at " + (srcIndex + pages)
                        + ", inside the order-" + fe.order + " block at index " + e.getKey() + ": reflink whole blocks");
            }
            if (((dstIndex - srcIndex) & (fe.pages() - 1)) != 0) {
                throw new IllegalArgumentException("reflink destination index " + dstIndex + " breaks the alignment of "
                        + "the order-" + fe.order + " block at source index " + e.getKey());
            }
        }
        if (hasBlocks(to, dstIndex, pages)) {
            throw new IllegalArgumentException("reflink destination range [" + dstIndex + ", " + (dstIndex + pages)
                    + ") of mapping " + dst.id() + " has blocks: punch a hole there first");
        }
        if (dst.hasEntries(dstIndex, dstIndex + pages)) {
            throw new IllegalArgumentException("reflink destination range [" + dstIndex + ", " + (dstIndex + pages)
                    + ") of mapping " + dst.id() + " has entries (zero-page views of the hole): break its layout first");
        }
        if (range.isEmpty()) {
            return;
        }
        files.put(dst.id(), to);
        for (Map.Entry<Long, FileExtent> e : range.entrySet()) {
            long at = e.getKey() - srcIndex + dstIndex;
            FileExtent fe = e.getValue();
            to.put(at, fe);
            for (Map.Entry<Long, Block> b : blocks.subMap(fe.pfn, fe.pfn + fe.pages()).entrySet()) {
                b.getValue().owners.add(new long[] {dst.id(), at + (b.getKey() - fe.pfn)});
            }
        }
    }

    /**
     * Every (mapping, index) that uses page {@code pfn}, reflinked sharers included (kernel: the filesystem's
     * reverse map that {@code dax_holder_notify_failure} consults); empty if no file uses it.
     */
    public synchronized List<Owner> owners(long pfn) {
        Map.Entry<Long, Block> e = blocks.floorEntry(pfn);
        List<Owner> out = new ArrayList<>();
        if (e != null && pfn - e.getKey() < 1L << e.getValue().order) {
            for (long[] o : e.getValue().owners) {
                out.add(new Owner(o[0], o[1] + (pfn - e.getKey())));
            }
        }
        return out;
    }

    private static boolean hasBlocks(TreeMap<Long, FileExtent> file, long start, long pages) {
        Long next = file.ceilingKey(start);
        Map.Entry<Long, FileExtent> before = file.lowerEntry(start);
        return next != null && next < start + pages
                || before != null && before.getKey() + before.getValue().pages() > start;
    }

    /** Removes one file's use of the blocks in {@code [pfn, pfn + pages)}; frees a block nobody uses. */
    private void dropOwner(long pfn, long pages, long mappingId, long index) {
        List<Long> starts = new ArrayList<>(blocks.subMap(pfn, pfn + pages).keySet());
        for (long bp : starts) {
            Block b = blocks.get(bp);
            long at = index + (bp - pfn);
            boolean removed = b.owners.removeIf(o -> o[0] == mappingId && o[1] == at);
            assert removed : "mapping " + mappingId + " did not use pfn " + bp + " at " + at;
            if (b.owners.isEmpty()) {
                blocks.remove(bp);
                allocator.free(bp, b.order);
            }
        }
    }

    /** Turns the blocks in {@code [pfn, pfn + pages)} into order-0 blocks with the same users. */
    private void splitBlocks(long pfn, long pages) {
        List<Long> starts = new ArrayList<>(blocks.subMap(pfn, pfn + pages).keySet());
        for (long bp : starts) {
            Block b = blocks.get(bp);
            if (b.order == 0) {
                continue;
            }
            for (long i = 0; i < 1L << b.order; i++) {
                Block page = new Block(0);
                for (long[] o : b.owners) {
                    page.owners.add(new long[] {o[0], o[1] + i});
                }
                blocks.put(bp + i, page);
            }
        }
    }
}
