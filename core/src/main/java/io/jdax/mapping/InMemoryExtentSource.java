package io.jdax.mapping;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jdax.internal.Internals;
import io.jdax.internal.PageDescriptor;
import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;

import java.util.ArrayList;
import java.util.BitSet;
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

    /**
     * One file of the source's reverse map: mapping id and the index of a page within it.
     *
     * @param mappingId the {@link Mapping#id()} of the file using the page
     * @param index     the file page that uses it
     */
    public record Owner(long mappingId, long index) {
    }

    /**
     * A sorted map (the ordered walks of release, reflink and the metadata) with a hash index beside it, for the
     * point lookups of every fault and copy: a tree walk over a large file's extents misses the cache at every
     * level. Change it through {@link #put} and {@link #remove} only.
     *
     * @param <V> the values
     */
    private static final class Indexed<V> extends TreeMap<Long, V> {
        private final HashMap<Long, V> index = new HashMap<>();

        @Override
        public V put(Long key, V value) {
            index.put(key, value);
            return super.put(key, value);
        }

        @Override
        public V remove(Object key) {
            index.remove(key);
            return super.remove(key);
        }

        /** The value stored at exactly {@code key}, or null. */
        V at(long key) {
            return index.get(key);
        }
    }

    private static final long PMD_MASK = ~((1L << DaxEntry.PMD_ORDER) - 1);

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

    /**
     * One block of a file as its metadata keeps it.
     *
     * @param index the file page the block starts at
     * @param pfn   the block's first page in the page map
     * @param order the block's order: 2^order pages
     */
    public record StoredExtent(long index, long pfn, int order) {
    }

    /**
     * One allocated block of the page map as metadata keeps it (a reflinked block is listed once).
     *
     * @param pfn   the block's first page
     * @param order the block's order
     */
    public record StoredBlock(long pfn, int order) {
    }

    private final PageMap map;
    private final ExtentAllocator allocator;
    private final boolean durableZeroing;
    private final ZeroedBlocks zeroed = new ZeroedBlocks(); // guarded by this
    private long quarantined; // guarded by this
    private long changes;     // guarded by this: allocations, releases, reflinks, adoptions
    private final Map<Long, Indexed<FileExtent>> files = new HashMap<>(); // guarded by this
    private final Indexed<Block> blocks = new Indexed<>();                // guarded by this, by first pfn

    /**
     * A source handing out blocks of up to the PMD order from every page of {@code map}.
     *
     * @param map a dax page map
     * @throws IllegalArgumentException if {@code map} is not a {@link PageMap.Kind#DAX dax} map, or has more
     *                                  than 2^31 - 1 pages
     */
    public InMemoryExtentSource(PageMap map) {
        this(map, 0, false, new BitSet());
    }

    /**
     * A source handing out blocks of up to the PMD order from pages {@code [firstPfn, nrPages)} of {@code map}
     * (the pages below are kept for the caller's metadata).
     *
     * @param map            a dax page map
     * @param firstPfn       first page handed out, aligned to the PMD order
     * @param durableZeroing whether a new block's zeros are made durable (by {@link #flushZeroed}, which a store
     *                       calls before it commits metadata naming the block), so that after a crash its
     *                       unwritten pages read as zeros, not as a deleted file's bytes
     * @throws IllegalArgumentException if {@code map} is not a dax map, has more than 2^31 - 1 pages, or
     *                                  {@code firstPfn} is misaligned or leaves no page
     */
    public InMemoryExtentSource(PageMap map, long firstPfn, boolean durableZeroing) {
        this(map, firstPfn, durableZeroing, new BitSet());
    }

    private InMemoryExtentSource(PageMap map, long firstPfn, boolean durableZeroing, BitSet used) {
        Objects.requireNonNull(map, "map");
        if (map.kind() != PageMap.Kind.DAX) {
            throw new IllegalArgumentException("an extent source needs a DAX page map, not " + map);
        }
        if (firstPfn < 0 || firstPfn >= map.nrPages()) {
            throw new IllegalArgumentException("first pfn " + firstPfn + " outside [0, " + map.nrPages() + ")");
        }
        this.map = map;
        this.durableZeroing = durableZeroing;
        this.allocator = new ExtentAllocator(firstPfn, map.nrPages() - firstPfn, DaxEntry.PMD_ORDER, used);
    }

    /**
     * A source whose allocated blocks are {@code stored}, as {@link #blocks()} listed them; files then take
     * their extents back with {@link #adopt}.
     *
     * @param map            a dax page map
     * @param firstPfn       first page handed out, as the source was made with
     * @param durableZeroing as {@link #InMemoryExtentSource(PageMap, long, boolean)}
     * @param stored         the allocated blocks
     * @return the source
     * @throws IllegalArgumentException if a block is misaligned, outside the range, or overlaps another
     */
    public static InMemoryExtentSource restore(PageMap map, long firstPfn, boolean durableZeroing,
                                               List<StoredBlock> stored) {
        BitSet used = new BitSet();
        for (StoredBlock b : stored) {
            if (b.order() < 0 || b.order() > DaxEntry.PMD_ORDER || b.pfn() < firstPfn
                    || b.pfn() > map.nrPages() - (1L << b.order()) || (b.pfn() & ((1L << b.order()) - 1)) != 0) {
                throw new IllegalArgumentException("stored block " + b + " is misaligned or outside [" + firstPfn
                        + ", " + map.nrPages() + ")");
            }
            int from = (int) (b.pfn() - firstPfn);
            int to = from + (1 << b.order());
            if (used.nextSetBit(from) >= 0 && used.nextSetBit(from) < to) {
                throw new IllegalArgumentException("stored block " + b + " overlaps another");
            }
            used.set(from, to);
        }
        InMemoryExtentSource source = new InMemoryExtentSource(map, firstPfn, durableZeroing, used);
        synchronized (source) {
            for (StoredBlock b : stored) {
                source.blocks.put(b.pfn(), new Block(b.order()));
            }
        }
        return source;
    }

    /**
     * Gives {@code mapping} the extents its metadata lists (after {@link #restore}); each must lie in stored
     * blocks, which then count the mapping among their users.
     *
     * @param mapping the file
     * @param extents its blocks, as {@link #extents} listed them
     * @throws IllegalArgumentException if an extent is not inside stored blocks or the mapping has extents;
     *                                  nothing is changed
     */
    public synchronized void adopt(Mapping mapping, List<StoredExtent> extents) {
        Objects.requireNonNull(mapping, "mapping");
        if (files.containsKey(mapping.id())) {
            throw new IllegalArgumentException("mapping " + mapping.id() + " has extents already");
        }
        for (StoredExtent e : extents) {
            Map.Entry<Long, Block> b = blocks.floorEntry(e.pfn());
            long end = e.pfn() + (1L << e.order());
            if (e.order() < 0 || e.order() > DaxEntry.PMD_ORDER || e.index() < 0 || b == null
                    || b.getKey() != e.pfn() || blocks.subMap(e.pfn(), end).entrySet().stream()
                            .anyMatch(x -> x.getKey() + (1L << x.getValue().order) > end)) {
                throw new IllegalArgumentException("extent " + e + " of mapping " + mapping.id()
                        + " is not made of whole stored blocks");
            }
        }
        if (extents.isEmpty()) {
            return;
        }
        Indexed<FileExtent> file = new Indexed<>();
        for (StoredExtent e : extents) {
            file.put(e.index(), new FileExtent(e.pfn(), e.order()));
            for (Map.Entry<Long, Block> b : blocks.subMap(e.pfn(), e.pfn() + (1L << e.order())).entrySet()) {
                b.getValue().owners.add(new long[] {mapping.id(), e.index() + (b.getKey() - e.pfn())});
            }
        }
        files.put(mapping.id(), file);
    }

    /**
     * The blocks of {@code mapping}, in file order.
     *
     * @param mapping the file
     * @return its extents (empty for a file of holes only)
     */
    public synchronized List<StoredExtent> extents(Mapping mapping) {
        List<StoredExtent> out = new ArrayList<>();
        Indexed<FileExtent> file = files.get(mapping.id());
        if (file != null) {
            for (Map.Entry<Long, FileExtent> e : file.entrySet()) {
                out.add(new StoredExtent(e.getKey(), e.getValue().pfn, e.getValue().order));
            }
        }
        return out;
    }

    /**
     * Every allocated block, by pfn.
     *
     * @return the blocks
     */
    public synchronized List<StoredBlock> blocks() {
        List<StoredBlock> out = new ArrayList<>(blocks.size());
        for (Map.Entry<Long, Block> e : blocks.entrySet()) {
            out.add(new StoredBlock(e.getKey(), e.getValue().order));
        }
        return out;
    }

    /**
     * Drops stored blocks no file adopted (after {@link #restore} and every {@link #adopt}).
     *
     * @return the pages freed
     */
    public synchronized long freeUnowned() {
        long freed = 0;
        for (var e : new ArrayList<>(blocks.entrySet())) {
            if (e.getValue().owners.isEmpty()) {
                blocks.remove(e.getKey());
                allocator.free(e.getKey(), e.getValue().order);
                freed += 1L << e.getValue().order;
            }
        }
        return freed;
    }

    @Override
    public PageMap pageMap() {
        return map;
    }

    /**
     * Flushes the zeros of every block allocated since the last call (with durable zeroing; nothing otherwise),
     * merged into runs of adjacent pages. Call it after reading the extents a metadata commit will name and
     * before writing that metadata: each block those extents name was allocated, and queued, before.
     *
     * @return the pages flushed
     * @throws IllegalStateException if the region is closed
     */
    public long flushZeroed() {
        long[][] ranges;
        synchronized (this) {
            if (zeroed.isEmpty()) {
                return 0;
            }
            ranges = zeroed.take();
        }
        return ZeroedBlocks.flush(map.region(), map.pageShift(), ranges); // outside the lock: faults go on
    }

    /** {@return the number of pages not allocated to any file} */
    public synchronized long freePages() {
        return allocator.freePages();
    }

    @Override
    public synchronized Extent extent(Mapping mapping, long index, int order, boolean write) {
        Indexed<FileExtent> file = files.get(mapping.id());
        if (file != null) {
            long start = index;
            FileExtent fe = file.at(index);
            if (fe == null) {
                start = index & PMD_MASK;
                fe = file.at(start);
                if (fe == null || index - start >= fe.pages()) {
                    Map.Entry<Long, FileExtent> e = file.floorEntry(index); // an order between 0 and the PMD's
                    fe = e == null || index - e.getKey() >= e.getValue().pages() ? null : e.getValue();
                    start = e == null ? -1 : e.getKey();
                }
            }
            if (fe != null) {
                long pfn = fe.pfn + (index - start);
                return new Extent(pfn, fe.order, blockOf(pfn).owners.size() > 1);
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
            file = new Indexed<>();
            files.put(mapping.id(), file);
        }
        if (o > 0 && o < order) {
            o = 0; // the allocator's orders are the PMD order and 0
        }
        long start = index & -(1L << o);
        long pfn = allocateHealthy(o);
        if (pfn < 0 && o > 0) {
            o = 0;
            start = index;
            pfn = allocateHealthy(0);
        }
        if (pfn < 0) {
            throw new OutOfSpaceException("no free block for page " + index + " of mapping " + mapping.id()
                    + ": all " + map.nrPages() + " pages of " + map + " are allocated", 0, null);
        }
        map.pages(pfn, 1L << o).fill((byte) 0); // a new block reads as zeros, whatever it held before
        if (durableZeroing && zeroed.add(pfn, 1L << o)) {
            ZeroedBlocks.flush(map.region(), map.pageShift(), zeroed.take()); // bound the list: flush now
        }
        file.put(start, new FileExtent(pfn, o));
        changes++;
        Block b = new Block(o);
        b.owners.add(new long[] {mapping.id(), start});
        blocks.put(pfn, b);
        return new Extent(pfn + (index - start), o, false);
    }

    @Override
    public synchronized void release(Mapping mapping, long start, long end) {
        Indexed<FileExtent> file = files.get(mapping.id());
        if (file == null || start >= end) {
            return;
        }
        changes++;
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
     * @param src      the file whose blocks are shared
     * @param srcIndex first page of the source range, {@code >= 0}, at a block's start
     * @param dst      the file receiving the blocks; may be {@code src} if the ranges do not overlap
     * @param dstIndex first page of the destination range, {@code >= 0}, keeping each block's alignment
     * @param pages    length of both ranges in pages, {@code >= 1}; both ranges end by {@link Mapping#MAX_INDEX}
     * @throws NullPointerException     if {@code src} or {@code dst} is null
     * @throws IllegalArgumentException naming the offending value; nothing is changed
     */
    public synchronized void reflink(Mapping src, long srcIndex, Mapping dst, long dstIndex, long pages) {
        checkReflink(src, srcIndex, dst, dstIndex, pages);
        if (dst.hasEntries(dstIndex, dstIndex + pages)) {
            throw new IllegalArgumentException("reflink destination range [" + dstIndex + ", " + (dstIndex + pages)
                    + ") of mapping " + dst.id() + " has entries (zero-page views of the hole): break its layout first");
        }
        Indexed<FileExtent> from = files.getOrDefault(src.id(), new Indexed<>());
        Indexed<FileExtent> to = files.getOrDefault(dst.id(), new Indexed<>());
        Map<Long, FileExtent> range = from.subMap(srcIndex, srcIndex + pages);
        if (range.isEmpty()) {
            return;
        }
        files.put(dst.id(), to);
        changes++;
        // a copy: with src == dst the puts below land in the map the range is a view of
        for (Map.Entry<Long, FileExtent> e : new ArrayList<>(range.entrySet())) {
            long at = e.getKey() - srcIndex + dstIndex;
            FileExtent fe = e.getValue();
            to.put(at, fe);
            for (Map.Entry<Long, Block> b : blocks.subMap(fe.pfn, fe.pfn + fe.pages()).entrySet()) {
                b.getValue().owners.add(new long[] {dst.id(), at + (b.getKey() - fe.pfn)});
            }
        }
    }

    /**
     * Throws what {@link #reflink} would throw for these arguments, changing nothing, except for entries in the
     * destination range (zero-page entries of its hole), which the caller may still be about to drop.
     *
     * @param src      the file whose blocks are shared
     * @param srcIndex first page of the source range
     * @param dst      the file receiving the blocks
     * @param dstIndex first page of the destination range
     * @param pages    length of both ranges in pages
     * @throws NullPointerException     if {@code src} or {@code dst} is null
     * @throws IllegalArgumentException naming the offending value
     */
    public synchronized void checkReflink(Mapping src, long srcIndex, Mapping dst, long dstIndex, long pages) {
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
        Indexed<FileExtent> from = files.getOrDefault(src.id(), new Indexed<>());
        Indexed<FileExtent> to = files.getOrDefault(dst.id(), new Indexed<>());
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
    }

    /**
     * Every (mapping, index) that uses page {@code pfn}, reflinked sharers included (kernel: the filesystem's
     * reverse map that {@code dax_holder_notify_failure} consults); empty if no file uses it.
     *
     * @param pfn a page of the source's page map
     * @return a new list of the page's owners, empty if no file uses it
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

    /**
     * A block of {@code order} none of whose pages is poisoned, or -1. A block with a poisoned page (a memory
     * failure hit it while it was free, or after its owner let it go) is kept out of use for good.
     */
    private long allocateHealthy(int order) {
        for (;;) {
            long pfn = allocator.allocate(order);
            if (pfn < 0 || !poisoned(pfn, 1L << order)) {
                return pfn;
            }
            quarantined += 1L << order;
        }
    }

    private boolean poisoned(long pfn, long pages) {
        MemorySegment memmap = Internals.memmap(map);
        for (long p = pfn; p < pfn + pages; p++) {
            if ((memmap.get(JAVA_LONG, p * PageDescriptor.SIZE + PageDescriptor.INFO_OFFSET)
                    & PageDescriptor.HWPOISON) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A counter of changes to the extents and blocks (allocations, releases, reflinks): metadata committed at
     * one value need not be committed again while it stays.
     *
     * @return the count so far
     */
    public synchronized long changes() {
        return changes;
    }

    /**
     * Pages kept out of use because a memory failure poisoned them.
     *
     * @return the quarantined pages
     */
    public synchronized long quarantinedPages() {
        return quarantined;
    }

    /** The block holding page {@code pfn}, which one must. */
    private Block blockOf(long pfn) {
        Block b = blocks.at(pfn);
        if (b == null) {
            b = blocks.at(pfn & PMD_MASK);
            if (b == null || pfn - (pfn & PMD_MASK) >= 1L << b.order) {
                b = blocks.floorEntry(pfn).getValue();
            }
        }
        return b;
    }

    private static boolean hasBlocks(Indexed<FileExtent> file, long start, long pages) {
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
