package io.jdax.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jdax.mapping.InMemoryExtentSource.StoredBlock;
import io.jdax.mapping.InMemoryExtentSource.StoredExtent;
import io.jdax.model.StoreModel.FileM;
import io.jdax.model.StoreModel.Page;
import io.jdax.page.PageMap;
import io.jdax.store.DaxFile;
import io.jdax.store.DaxStore;
import io.jdax.store.FileView;
import io.jdax.store.StoreAccess;
import io.jdax.store.StoreStats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A store over a crash-simulation disk against {@link StoreModel}: files created, written, read, mapped
 * (zero-copy views kept open across steps, some written through), reflinked, truncated, hole-punched, synced,
 * hit by memory failures, deleted, and crashed. After every step: sizes, the touched bytes, every open view's
 * bytes; every few steps: every file's bytes, the extents against the model's pages (a page is a block iff the
 * model has it, one pfn per model page, share counts from the reverse map equal to the files using it), the
 * block accounting (free + allocated + quarantined == data pages), each file's entry map, and, with no view
 * open, every page's refcount 0. A crash reboots from the durable image: the names and sizes of the last
 * commit, and every byte acknowledged by an fsync and not changed since, must be there.
 */
final class StoreWorld implements World {

    enum Op implements WorldKind.Weighted {
        CREATE(3), DELETE(1), WRITE(20), READ(8), MAP(6), WRITE_VIEW(4), CLOSE_VIEW(5), REFLINK(5), TRUNCATE(4),
        PUNCH(4), FSYNC(5), SYNC(1), MEMORY_FAILURE(1), CRASH(1), POISONED_USE(1);

        private final int weight;

        Op(int weight) {
            this.weight = weight;
        }

        @Override
        public int weight() {
            return weight;
        }
    }

    static final long SIZE = 16L << 20;
    static final long PAGE = DaxStore.PAGE;
    static final long MAX_FILE = DaxStore.HUGE + DaxStore.HUGE / 4;
    private static final int MAX_FILES = 4;
    private static final int MAX_VIEWS = 6;
    /**
     * Reflinks within one file of ranges that do not overlap: exercised since the fix
     * of {@code StoreFindingsTest.reflinkWithinOneFile};
     * {@code -Djdax.model.sameFileReflink=false} steers around them.
     */
    private static final boolean SAME_FILE_REFLINK =
            !"false".equals(System.getProperty("jdax.model.sameFileReflink"));
    /**
     * Refused reflinks into a destination with unsynced writes: exercised since the fix
     * of {@code StoreFindingsTest.refusedReflinkKeepsTheDestinationDirty};
     * {@code -Djdax.model.refusedReflinkDirty=false} steers around them.
     */
    private static final boolean REFUSED_REFLINK_DIRTY =
            !"false".equals(System.getProperty("jdax.model.refusedReflinkDirty"));
    /**
     * Reflinks that grow a destination whose last page is partial: exercised since the fix
     * of {@code StoreFindingsTest.reflinkThatGrowsZeroesTheOldTail};
     * {@code -Djdax.model.reflinkGrowTail=false} steers around them.
     */
    private static final boolean REFLINK_GROW_TAIL =
            !"false".equals(System.getProperty("jdax.model.reflinkGrowTail"));
    /**
     * Deletes, shrinks and hole punches of a file with unsynced writes in blocks another file
     * shares: exercised since the fix of {@code StoreFindingsTest.syncFlushesSharedBytesWrittenThroughADeletedFile};
     * {@code -Djdax.model.droppedSharedDirty=false} steers around them.
     */
    private static final boolean DROPPED_SHARED_DIRTY =
            !"false".equals(System.getProperty("jdax.model.droppedSharedDirty"));
    /**
     * Shrinks and hole punches that cut a written 2 MiB entry: exercised since the fix
     * of {@code StoreFindingsTest.shrinkThroughAHugeEntryKeepsTheRestDirty};
     * {@code -Djdax.model.cutHugeDirty=false} steers around them.
     */
    private static final boolean CUT_HUGE_DIRTY =
            !"false".equals(System.getProperty("jdax.model.cutHugeDirty"));
    private static final int FULL_EVERY = Integer.getInteger("jdax.model.verifyEvery", 16) * 4;

    static WorldKind kind() {
        return new WorldKind("store", WorldKind.weightsOf(Op.class), StoreWorld::new);
    }

    /** A view the model keeps open: of one page of a file, never of a hole. */
    private record View(FileView view, FileM file, long offset, int length, boolean write) {
    }

    private final StoreAccess.Disk disk = new StoreAccess.Disk(SIZE);
    private DaxStore store;
    private final Map<String, FileM> files = new TreeMap<>();
    private final Map<String, Long> committed = new HashMap<>();
    private final Set<String> committedPoisoned = new HashSet<>();
    private final List<View> views = new ArrayList<>();
    private int names;
    private long checks;
    private boolean shared; // a reflink happened: writes must look for other users of a page
    private String last = "";
    private FileM touched;
    private long touchFrom;
    private long touchTo;

    StoreWorld() {
        store = disk.boot();
    }

    @Override
    public void apply(Step s) throws Exception {
        touched = null;
        Op op = Op.values()[s.op()];
        List<FileM> usable = new ArrayList<>();
        for (FileM f : files.values()) {
            if (!f.poisoned) {
                usable.add(f);
            }
        }
        if (usable.isEmpty() && op != Op.CRASH && op != Op.SYNC && (files.size() < MAX_FILES || op != Op.DELETE)) {
            op = files.size() < MAX_FILES ? Op.CREATE : Op.DELETE;
        }
        if (op == Op.CREATE && files.size() >= MAX_FILES) {
            op = Op.WRITE;
        }
        if (op == Op.POISONED_USE && usable.size() == files.size()) {
            op = Op.READ;
        }
        FileM f = usable.isEmpty() ? null : usable.get(Step.pick(s.a(), usable.size()));
        last = op + (f == null ? "" : "(" + f.name + ")");
        switch (op) {
            case CREATE -> create();
            case DELETE -> delete(new ArrayList<>(files.values()).get(Step.pick(s.a(), files.size())));
            case WRITE -> write(f, s);
            case READ -> read(f, s);
            case MAP -> map(f, s);
            case WRITE_VIEW -> writeView(s);
            case CLOSE_VIEW -> closeView(s);
            case REFLINK -> reflink(f, usable.get(Step.pick(s.c(), usable.size())), s);
            case TRUNCATE -> truncate(f, s);
            case PUNCH -> punch(f, s);
            case FSYNC -> fsync(f);
            case SYNC -> sync();
            case MEMORY_FAILURE -> memoryFailure(f, s);
            case CRASH -> crash();
            case POISONED_USE -> poisonedUse(s);
        }
    }

    private void create() {
        String name = "f" + names++;
        last = "CREATE(" + name + ")";
        DaxFile df = store.create(name);
        assertEquals(0, df.size());
        files.put(name, new FileM(name));
    }

    /** Syncs {@code f} if it wrote a page another file uses, unless the model is told not to steer around. */
    private void syncIfDirtyShared(FileM f) {
        if (DROPPED_SHARED_DIRTY || !shared || f.poisoned) {
            return;
        }
        for (Page p : f.pages) {
            if (p != null && p.writers.contains(f)) {
                for (FileM g : files.values()) {
                    if (g != f && g.pages.contains(p)) {
                        last += " after an fsync";
                        fsync(f);
                        return;
                    }
                }
            }
        }
    }

    /** Syncs {@code f} if pages {@code [from, to)} cut one of its huge blocks, unless told not to steer around. */
    private void syncIfCutsHuge(FileM f, long from, long to) {
        if (CUT_HUGE_DIRTY || f.poisoned) {
            return;
        }
        for (StoredExtent e : StoreAccess.extents(real(f))) {
            long end = e.index() + (1L << e.order());
            if (e.order() > 0 && e.index() < to && from < end && (e.index() < from || end > to)) {
                last += " after an fsync";
                fsync(f);
                return;
            }
        }
    }

    private void delete(FileM f) {
        last = "DELETE(" + f.name + ")";
        syncIfDirtyShared(f);
        store.delete(f.name);
        views.removeIf(v -> v.file() == f && !v.view().isOpen());
        for (View v : views) {
            assertTrue(v.file() != f, () -> "a view of deleted " + f.name + " is still open");
        }
        files.remove(f.name);
    }

    private DaxFile real(FileM f) {
        return store.open(f.name);
    }

    private void write(FileM f, Step s) {
        int len = 1 + (int) (s.b() % 16 == 0 ? s.b() / 16 % 300_000 : s.b() / 16 % 9000);
        long off = s.c() % Math.max(1, Math.min(MAX_FILE - 1, f.size + 8192));
        len = (int) Math.min(len, MAX_FILE - off);
        byte[] b = new byte[len];
        new java.util.SplittableRandom(s.a()).nextBytes(b);
        last = "WRITE(" + f.name + ", " + off + "+" + len + ")";
        real(f).write(off, b, 0, len);
        grow(f, off + len);
        learnBlocks(f);
        put(f, off, b);
        touch(f, off, off + len);
    }

    /** Applies bytes to the model's pages (which must exist: the store allocated them) and marks who changed. */
    private void put(FileM f, long off, byte[] b) {
        for (long pos = off; pos < off + b.length;) {
            long idx = pos / PAGE;
            int in = (int) (pos % PAGE);
            int n = (int) Math.min(PAGE - in, off + b.length - pos);
            Page p = f.page(idx);
            if (p == null) {
                fail("page " + idx + " of " + f.name + " written but the store gave it no block");
            }
            System.arraycopy(b, (int) (pos - off), p.data, in, n);
            p.writers.add(f);
            changedEverywhere(p, in, in + n);
            pos += n;
        }
    }

    /** Marks bytes {@code [from, to)} of page {@code p} as changed in every file that uses it. */
    private void changedEverywhere(Page p, int from, int to) {
        if (!shared) {
            return; // the caller's file marks its own range
        }
        for (FileM g : files.values()) {
            for (int i = 0; i < g.pages.size(); i++) {
                if (g.pages.get(i) == p) {
                    g.changed((long) i * PAGE + from, (long) i * PAGE + to);
                }
            }
        }
    }

    /** Gives the model a zero page for every page of {@code f} the store has a block for and the model had none. */
    private void learnBlocks(FileM f) {
        Set<Long> known = knownPfns();
        for (StoredExtent e : StoreAccess.extents(real(f))) {
            for (long i = 0; i < 1L << e.order(); i++) {
                if (f.page(e.index() + i) == null) {
                    long pfn = e.pfn() + i;
                    assertFalse(known.contains(pfn), () -> "new block page " + pfn + " of " + f.name + " in use already");
                    Page p = new Page();
                    p.pfn = pfn;
                    f.setPage(e.index() + i, p);
                }
            }
        }
    }

    private Set<Long> knownPfns() {
        Set<Long> known = new HashSet<>();
        for (FileM g : files.values()) {
            for (Page p : g.pages) {
                if (p != null) {
                    known.add(p.pfn);
                }
            }
        }
        return known;
    }

    private void touch(FileM f, long from, long to) {
        f.changed(from, to);
        touched = f;
        touchFrom = Math.max(0, from - 64);
        touchTo = Math.min(f.size, to + 64);
    }

    private void read(FileM f, Step s) {
        long off = s.b() % (f.size + 1);
        int len = (int) Math.min(1 + s.c() % 20_000, f.size - off + 100);
        byte[] b = new byte[len];
        last = "READ(" + f.name + ", " + off + "+" + len + ")";
        int n = real(f).read(off, b, 0, len);
        assertEquals(Math.min(len, f.size - off), n, "bytes read");
        assertArrayEquals(f.bytes(off, off + n), java.util.Arrays.copyOf(b, n), () -> "bytes at " + off + " of " + f.name);
    }

    private void map(FileM f, Step s) {
        if (f.size == 0 || views.size() >= MAX_VIEWS) {
            closeView(s);
            return;
        }
        long off = s.b() % f.size;
        int len = (int) Math.min(1 + s.c() % PAGE, Math.min(f.size - off, PAGE - off % PAGE));
        boolean write = s.c() % 3 == 0;
        last = "MAP(" + f.name + ", " + off + "+" + len + (write ? ", write)" : ")");
        FileView v = real(f).map(off, len, write);
        assertEquals(len, v.segment().byteSize());
        byte[] got = v.segment().toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(f.bytes(off, off + len), got, () -> "view bytes at " + off + " of " + f.name);
        if (v.pfn() < 0) {
            assertFalse(write, "a writable view of a hole");
            v.close(); // a view of the zero page: a later write replaces its entry
            return;
        }
        if (write) {
            learnBlocks(f); // a write fault fills a hole... which the model knows only from the extents
        }
        assertEquals(f.page(off / PAGE).pfn, v.pfn(), () -> "pfn of the view at " + off + " of " + f.name);
        views.add(new View(v, f, off, len, write));
    }

    private void writeView(Step s) {
        View v = null;
        for (int i = 0; i < views.size(); i++) {
            View x = views.get((int) ((s.a() + i) % views.size()));
            if (x.write()) {
                v = x;
                break;
            }
        }
        if (v == null) {
            last = "WRITE_VIEW: none writable";
            return;
        }
        last = "WRITE_VIEW(" + v.file().name + ", " + v.offset() + "+" + v.length() + ")";
        long at = s.b() % v.length();
        byte value = (byte) s.c();
        if (!v.view().isOpen()) {
            View gone = v;
            assertThrows(IllegalStateException.class, () -> gone.view().segment().set(ValueLayout.JAVA_BYTE, at, value));
            views.remove(v);
            return;
        }
        v.view().segment().set(ValueLayout.JAVA_BYTE, at, value);
        put(v.file(), v.offset() + at, new byte[] {value});
        touch(v.file(), v.offset() + at, v.offset() + at + 1);
    }

    private void closeView(Step s) {
        if (views.isEmpty()) {
            last = "CLOSE_VIEW: none";
            return;
        }
        View v = views.remove(Step.pick(s.a(), views.size()));
        last = "CLOSE_VIEW(" + v.file().name + ", " + v.offset() + ")";
        v.view().close();
        assertFalse(v.view().isOpen());
    }

    /** Views of pages {@code [fromPage, toPage)} of {@code f} must be revoked; drops them. */
    private void revoked(FileM f, long fromPage, long toPage, String why) {
        for (var it = views.iterator(); it.hasNext();) {
            View v = it.next();
            long p = v.offset() / PAGE;
            if (v.file() == f && p >= fromPage && p < toPage) {
                assertFalse(v.view().isOpen(), () -> why + " left the view at " + v.offset() + " of " + f.name + " open");
                it.remove();
            }
        }
    }

    private void reflink(FileM src, FileM dst, Step s) throws InterruptedException {
        long srcPages = src.size / PAGE;
        if (srcPages == 0) {
            write(src, s);
            return;
        }
        long first = s.a() % srcPages;
        long pages = 1 + s.b() % Math.min(srcPages - first, 64);
        if (s.b() % 8 == 0 && srcPages - first >= 512) {
            first &= ~511L;
            pages = 512;
        }
        long dstFirst = s.c() % (MAX_FILE / PAGE - pages);
        if (s.c() % 4 == 0) {
            dstFirst = first; // keeps a huge block's alignment
        }
        long from = first;
        long n = pages;
        long to = dstFirst;
        last = "REFLINK(" + src.name + "@" + from + " -> " + dst.name + "@" + to + ", " + n + " pages)";
        DaxFile rs = real(src);
        DaxFile rd = real(dst);
        boolean overlap = src == dst && from < to + n && to < from + n;
        if (!REFUSED_REFLINK_DIRTY && (overlap || refusal(src, from, dst, to, n) != null)) {
            fsync(dst);
        }
        if (overlap) {
            assertThrows(IllegalArgumentException.class, () -> store.reflink(rs, from * PAGE, rd, to * PAGE, n * PAGE));
            return;
        }
        if (src == dst && !SAME_FILE_REFLINK) {
            last += " skipped";
            return;
        }
        // the destination range must be a hole: punch what of it lies inside the file's whole pages
        long punchTo = Math.min(to + n, dst.size / PAGE);
        if (punchTo > to) {
            syncIfCutsHuge(dst, to, punchTo);
            rd.punchHole(to * PAGE, (punchTo - to) * PAGE);
            for (long i = to; i < punchTo; i++) {
                dst.setPage(i, null);
            }
            revoked(dst, to, punchTo, "a hole punch");
            dst.changed(to * PAGE, punchTo * PAGE);
        }
        String why = refusal(src, from, dst, to, n);
        if (why != null) {
            last += " refused: " + why;
            long before = dst.size;
            assertThrows(IllegalArgumentException.class, () -> store.reflink(rs, from * PAGE, rd, to * PAGE, n * PAGE));
            assertEquals(before, rd.size(), "size of a reflink's refused destination");
            return;
        }
        if (!REFLINK_GROW_TAIL && dst.size % PAGE != 0 && (to + n) * PAGE > dst.size) {
            long whole = (dst.size / PAGE + 1) * PAGE;
            last += " after growing " + dst.name + " to " + whole;
            rd.truncate(whole);
            grow(dst, whole);
        }
        store.reflink(rs, from * PAGE, rd, to * PAGE, n * PAGE);
        shared = true;
        grow(dst, (to + n) * PAGE);
        for (long i = 0; i < n; i++) {
            dst.setPage(to + i, src.page(from + i));
        }
        touch(dst, to * PAGE, (to + n) * PAGE);
    }

    /** Why the store must refuse this reflink, from the source's blocks; null if it must not. */
    private String refusal(FileM src, long from, FileM dst, long to, long n) {
        for (StoredExtent e : StoreAccess.extents(real(src))) {
            long pages = 1L << e.order();
            boolean inside = e.index() < from + n && from < e.index() + pages;
            if (inside && (e.index() < from || e.index() + pages > from + n)) {
                return "the range cuts the order-" + e.order() + " block at " + e.index();
            }
            if (inside && ((to - from) & (pages - 1)) != 0) {
                return "the destination breaks the alignment of the block at " + e.index();
            }
        }
        for (long i = to; i < to + n; i++) {
            if (dst.page(i) != null) {
                return "destination page " + i + " (past the last whole page) has a block";
            }
        }
        return null;
    }

    private void truncate(FileM f, Step s) throws InterruptedException {
        long size = s.b() % (f.size + 1);
        if (s.b() % 4 == 0) {
            size = Math.min(MAX_FILE, f.size + s.c() % (DaxStore.HUGE + 20_000));
        }
        last = "TRUNCATE(" + f.name + ", " + f.size + " -> " + size + ")";
        if (size < f.size) {
            syncIfDirtyShared(f);
            syncIfCutsHuge(f, (size + PAGE - 1) / PAGE, Long.MAX_VALUE);
        }
        real(f).truncate(size);
        if (size < f.size) {
            long keep = (size + PAGE - 1) / PAGE;
            f.dropPagesFrom(keep);
            revoked(f, keep, Long.MAX_VALUE, "a shrink");
            f.changed(size, f.size);
            f.size = size;
        } else {
            grow(f, size);
        }
        touch(f, Math.max(0, size - PAGE), size);
    }

    private void punch(FileM f, Step s) throws InterruptedException {
        long pages = f.size / PAGE;
        if (pages == 0) {
            truncate(f, s);
            return;
        }
        long first = s.b() % pages;
        long n = 1 + s.c() % (pages - first);
        last = "PUNCH(" + f.name + ", pages " + first + "+" + n + ")";
        syncIfDirtyShared(f);
        syncIfCutsHuge(f, first, first + n);
        real(f).punchHole(first * PAGE, n * PAGE);
        for (long i = first; i < first + n; i++) {
            f.setPage(i, null);
        }
        revoked(f, first, first + n, "a hole punch");
        touch(f, first * PAGE, (first + n) * PAGE);
    }

    private void fsync(FileM f) {
        real(f).fsync();
        writableViewsRevoked(f);
        f.acked = f.bytes(0, f.size);
        // durable now: what this file wrote; a page another file wrote stays uncertain until that one syncs
        BitSet keep = new BitSet();
        for (int i = 0; i < f.pages.size(); i++) {
            Page p = f.pages.get(i);
            if (p != null && !p.writers.isEmpty() && !(p.writers.size() == 1 && p.writers.contains(f))) {
                keep.set(i * (int) PAGE, (i + 1) * (int) PAGE);
            } else if (p != null) {
                p.writers.clear();
            }
        }
        f.uncertain.and(keep);
        commit();
    }

    private void sync() {
        store.sync();
        for (FileM f : files.values()) {
            writableViewsRevoked(f);
            f.acked = f.bytes(0, f.size);
            f.uncertain.clear();
            for (Page p : f.pages) {
                if (p != null) {
                    p.writers.clear();
                }
            }
        }
        commit();
    }

    private void commit() {
        committed.clear();
        committedPoisoned.clear();
        for (FileM f : files.values()) {
            committed.put(f.name, f.size);
            if (f.poisoned) {
                committedPoisoned.add(f.name);
            }
        }
    }

    /** Grows the model's file as the store does, marking the zeroed tail of a shared last page in its other users. */
    private void grow(FileM f, long newSize) {
        if (newSize > f.size && f.size % PAGE != 0) {
            Page tail = f.page(f.size / PAGE);
            if (tail != null) {
                int from = (int) (f.size % PAGE);
                changedEverywhere(tail, from, (int) Math.min(PAGE, from + (newSize - f.size)));
            }
        }
        f.grow(newSize);
    }

    /** Writeback write-protects: every writable view of {@code f} is revoked. */
    private void writableViewsRevoked(FileM f) {
        for (var it = views.iterator(); it.hasNext();) {
            View v = it.next();
            if (v.file() == f && v.write()) {
                assertFalse(v.view().isOpen(), () -> "writeback left a writable view of " + f.name + " open");
                it.remove();
            }
        }
    }

    private void memoryFailure(FileM f, Step s) {
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < f.pages.size(); i++) {
            if (f.pages.get(i) != null) {
                blocks.add((long) i);
            }
        }
        if (blocks.isEmpty()) {
            last = "MEMORY_FAILURE(" + f.name + "): no block";
            return;
        }
        long idx = blocks.get(Step.pick(s.b(), blocks.size()));
        Page p = f.page(idx);
        Set<String> expected = new HashSet<>();
        for (FileM g : files.values()) {
            if (g.pages.contains(p)) {
                expected.add(g.name);
            }
        }
        last = "MEMORY_FAILURE(" + f.name + "@" + idx + ", pfn " + p.pfn + ")";
        assertEquals(expected, new HashSet<>(store.memoryFailure(p.pfn, 1)), "files a memory failure hits");
        for (String name : expected) {
            FileM g = files.get(name);
            g.poisoned = true;
            assertTrue(real(g).isPoisoned());
            for (var it = views.iterator(); it.hasNext();) {
                View v = it.next();
                if (v.file() == g) {
                    if (g.page(v.offset() / PAGE) == p) {
                        assertFalse(v.view().isOpen(), "a view of the failed page is open");
                    }
                    v.view().close();
                    it.remove();
                }
            }
        }
    }

    private void poisonedUse(Step s) {
        List<FileM> poisoned = new ArrayList<>();
        for (FileM f : files.values()) {
            if (f.poisoned) {
                poisoned.add(f);
            }
        }
        FileM f = poisoned.get(Step.pick(s.a(), poisoned.size()));
        DaxFile df = real(f);
        last = "POISONED_USE(" + f.name + ", " + s.b() % 3 + ")";
        switch ((int) (s.b() % 3)) {
            case 0 -> assertThrows(IllegalStateException.class, () -> df.read(0, new byte[1], 0, 1));
            case 1 -> assertThrows(IllegalStateException.class, () -> df.write(0, new byte[1], 0, 1));
            default -> assertThrows(IllegalStateException.class, () -> df.map(0, 1, false));
        }
        assertEquals(f.size, df.size(), "size of a poisoned file after its misuse");
    }

    private void crash() {
        for (View v : views) {
            v.view().close();
        }
        views.clear();
        disk.crash(store);
        store = disk.boot();
        assertEquals(new TreeMap<>(committed).keySet(), new java.util.TreeSet<>(store.names()), "files after a crash");
        Map<String, FileM> next = new TreeMap<>();
        for (String name : store.names()) {
            DaxFile df = store.open(name);
            long size = committed.get(name);
            assertEquals(size, df.size(), () -> "size of " + name + " after a crash");
            FileM old = files.get(name);
            FileM f = new FileM(name);
            f.size = size;
            f.poisoned = df.isPoisoned();
            if (committedPoisoned.contains(name)) {
                assertTrue(f.poisoned, () -> name + " lost its committed poison mark in a crash");
            }
            if (!f.poisoned) {
                byte[] actual = new byte[(int) size];
                df.read(0, actual, 0, actual.length);
                if (old != null) {
                    for (int i = 0; i < actual.length && i < old.acked.length; i++) {
                        if (!old.uncertain.get(i) && actual[i] != old.acked[i]) {
                            fail("byte " + i + " of " + name + " was " + old.acked[i] + " at its last fsync and is "
                                    + actual[i] + " after the crash");
                        }
                    }
                }
                f.acked = actual;
            }
            next.put(name, f);
        }
        files.clear();
        files.putAll(next);
        // the model's pages, rebuilt from the store's extents: pages of one pfn are one page, shared
        Map<Long, Page> byPfn = new HashMap<>();
        for (FileM f : files.values()) {
            for (StoredExtent e : StoreAccess.extents(store.open(f.name))) {
                for (long i = 0; i < 1L << e.order(); i++) {
                    long pfn = e.pfn() + i;
                    Page p = byPfn.computeIfAbsent(pfn, k -> new Page());
                    p.pfn = pfn;
                    f.setPage(e.index() + i, p);
                }
            }
        }
        for (FileM f : files.values()) {
            if (!f.poisoned) {
                for (int i = 0; i < f.pages.size(); i++) {
                    Page p = f.pages.get(i);
                    if (p != null) {
                        int n = (int) Math.min(PAGE, Math.max(0, f.size - (long) i * PAGE));
                        System.arraycopy(f.acked, i * (int) PAGE, p.data, 0, n);
                    }
                }
            }
        }
        shared = true;
        commit();
    }

    @Override
    public void check() {
        for (FileM f : files.values()) {
            assertEquals(f.size, real(f).size(), () -> "size of " + f.name);
        }
        if (touched != null && !touched.poisoned && files.containsValue(touched)) {
            byte[] b = new byte[(int) (touchTo - touchFrom)];
            real(touched).read(touchFrom, b, 0, b.length);
            assertArrayEquals(touched.bytes(touchFrom, touchTo), b, () -> "bytes of " + touched.name + " at "
                    + touchFrom);
        }
        for (View v : views) {
            if (v.view().isOpen()) {
                assertArrayEquals(v.file().bytes(v.offset(), v.offset() + v.length()),
                        v.view().segment().toArray(ValueLayout.JAVA_BYTE), () -> "bytes of the view at " + v.offset()
                                + " of " + v.file().name);
            }
        }
        if (ModelRunner.thorough() || ++checks % FULL_EVERY == 0) {
            checkFully();
        }
    }

    private void checkFully() {
        Map<Long, Integer> users = new HashMap<>();
        Map<Long, Page> pageOf = new HashMap<>();
        for (FileM f : files.values()) {
            DaxFile df = real(f);
            StoreAccess.verify(df);
            if (!f.poisoned) {
                byte[] b = new byte[(int) f.size];
                df.read(0, b, 0, b.length);
                assertArrayEquals(f.bytes(0, f.size), b, () -> "bytes of " + f.name);
            }
            long blockPages = 0;
            for (StoredExtent e : StoreAccess.extents(df)) {
                for (long i = 0; i < 1L << e.order(); i++) {
                    long idx = e.index() + i;
                    long pfn = e.pfn() + i;
                    Page p = f.page(idx);
                    if (p == null) {
                        fail("page " + idx + " of " + f.name + " has block " + pfn + ", the model a hole");
                    }
                    assertEquals(p.pfn, pfn, () -> "pfn of page " + idx + " of " + f.name);
                    Page was = pageOf.put(pfn, p);
                    assertTrue(was == null || was == p, () -> "pfn " + pfn + " stands for two pages");
                    users.merge(pfn, 1, Integer::sum);
                    blockPages++;
                }
            }
            long modelPages = f.pages.stream().filter(p -> p != null).count();
            assertEquals(modelPages, blockPages, () -> "block pages of " + f.name);
        }
        DaxStore s = store;
        for (Map.Entry<Long, Integer> u : users.entrySet()) {
            assertEquals(u.getValue(), StoreAccess.owners(s, u.getKey()), () -> "share count of pfn " + u.getKey());
        }
        long allocated = 0;
        for (StoredBlock b : StoreAccess.blocks(store)) {
            allocated += 1L << b.order();
        }
        StoreStats st = store.stats();
        assertEquals(st.dataPages(), st.freePages() + allocated + StoreAccess.quarantinedPages(store),
                "free + allocated + quarantined == data pages");
        assertEquals(users.size(), allocated, "pages of allocated blocks == pages files use");
        if (views.isEmpty()) {
            PageMap map = StoreAccess.pageMap(store);
            for (long pfn = 0; pfn < map.nrPages(); pfn++) {
                if (map.refCount(pfn) != 0) {
                    fail("page " + pfn + " has refcount " + map.refCount(pfn) + " with no view open");
                }
            }
        }
    }

    /**
     * Closes every view, checks everything, syncs and closes the store, and boots it again: every
     * file must be back, byte for byte.
     */
    @Override
    public void finish() {
        for (View v : views) {
            v.view().close();
        }
        views.clear();
        checkFully();
        store.sync(); // a store on anonymous memory does not sync on close: the disk is one
        store.close();
        store = disk.boot();
        assertEquals(files.keySet(), new java.util.TreeSet<>(store.names()), "files after a clean close");
        for (FileM f : files.values()) {
            DaxFile df = store.open(f.name);
            assertEquals(f.size, df.size(), () -> "size of " + f.name + " after a clean close");
            if (!f.poisoned) {
                byte[] b = new byte[(int) f.size];
                df.read(0, b, 0, b.length);
                assertArrayEquals(f.bytes(0, f.size), b, () -> "bytes of " + f.name + " after a clean close");
            }
        }
    }

    @Override
    public String lastStep() {
        return last;
    }

    @Override
    public void close() {
        try {
            store.close();
        } catch (RuntimeException ignored) {
            // a failure may have left the store unable to sync: the disk goes anyway
        }
        disk.close();
    }
}
