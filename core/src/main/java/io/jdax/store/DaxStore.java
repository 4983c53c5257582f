package io.jdax.store;

import io.jdax.mapping.InMemoryExtentSource;
import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingSpace;
import io.jdax.memory.Persistence;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A flat filesystem of named files over one region: a pmem-style file mapped {@link Persistence#SYNC} where
 * the filesystem allows and {@link Persistence#MSYNC} elsewhere, or anonymous memory. Each file is a
 * {@link Mapping} over the region's dax page map; its blocks come from one {@link InMemoryExtentSource}, 2 MiB
 * blocks wherever the file's size and the offset's alignment allow. Reads and writes copy through the file's
 * entries; {@link DaxFile#map} hands out zero-copy views.
 *
 * <h2>Durability</h2>
 * {@link DaxFile#fsync} writes back the file's dirty entries (exactly their extents) and then commits the
 * store's metadata (names, sizes, extents) to the metadata area at the start of the region, two slots written
 * in turn, each flushed and checksummed; {@link #sync} does so for every file. What a completed fsync
 * acknowledged survives a crash; a clean {@link #close} syncs everything. On an anonymous store nothing
 * survives the process, and a flush only counts.
 *
 * <p>Thread-safe. Namespace changes and metadata commits take the store's lock; reads and writes of a file do
 * not, and run in parallel.
 */
public final class DaxStore implements AutoCloseable {

    /** Bytes of a page: the unit of extents, reflinks and hole punches. */
    public static final long PAGE = PageMap.DEFAULT_PAGE_SIZE;
    /** Bytes of a huge extent. */
    public static final long HUGE = PAGE << Mapping.PMD_ORDER;
    /** Longest file name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;

    private final Region region;
    private final PageMap map;
    private final MappingSpace space;
    private final InMemoryExtentSource source;
    private final StoreMetadata metadata;
    private final long metadataBytes;
    private final Map<String, DaxFile> files = new LinkedHashMap<>(); // guarded by this
    private final Map<Long, DaxFile> byMapping = new java.util.concurrent.ConcurrentHashMap<>();
    private final MemoryFailures failures;
    private volatile boolean closed;
    /** The backing file's key in {@link #OPEN_FILES}, or null for anonymous memory. */
    private final Object fileKey;
    private final java.util.concurrent.atomic.AtomicLong namespaceChanges = new java.util.concurrent.atomic.AtomicLong();
    private long committedSource = -1;    // guarded by this: source changes at the last commit
    private long committedNamespace = -1; // guarded by this: namespace and size changes at the last commit

    /**
     * The files a store of this JVM has open: a second store over the same file would hand out the blocks the
     * first one allocates, and each would commit metadata that drops the other's files. (Other processes are
     * not seen: the file is not locked.)
     */
    private static final Set<Object> OPEN_FILES = ConcurrentHashMap.newKeySet();

    private DaxStore(Region region, Object fileKey) {
        this.region = region;
        this.fileKey = fileKey;
        this.map = PageMap.dax(region);
        this.space = new MappingSpace(map);
        this.metadataBytes = metadataBytes(region.byteSize());
        this.metadata = new StoreMetadata(region, metadataBytes);
        StoreMetadata.Snapshot s = metadata.load();
        long firstPfn = metadataBytes / PAGE;
        // a new block's zeros are flushed at once, so that after a crash its unwritten pages never show what a
        // deleted file left there (on anonymous memory the flush only counts, and keeps crash simulation exact)
        this.source = InMemoryExtentSource.restore(map, firstPfn, true, s.blocks());
        for (StoreMetadata.FileRecord f : s.files()) {
            Mapping m = space.open(source, f.size());
            source.adopt(m, f.extents());
            DaxFile file = new DaxFile(this, f.name(), m, f.poisoned());
            files.put(f.name(), file);
            byMapping.put(m.id(), file);
        }
        source.freeUnowned();
        this.failures = new MemoryFailures(this, map, source);
    }

    /** Metadata area: 1/64 of the region in whole 2 MiB blocks, at least one, at most 64 MiB. */
    static long metadataBytes(long regionBytes) {
        long blocks = Math.max(1, Math.min(32, regionBytes / 64 / HUGE));
        return blocks * HUGE;
    }

    /**
     * Opens the store in {@code file}, creating it (with an empty store) if it holds none: the file is mapped
     * with {@link Persistence#AUTO}, so {@code SYNC} on a DAX mount and {@code MSYNC} elsewhere.
     *
     * @param file     the backing file
     * @param byteSize the region's size, a multiple of {@link #HUGE}, at least two of them
     * @return the store, owning the region
     * @throws IllegalArgumentException if {@code byteSize} is not a multiple of {@link #HUGE} or too small, or is
     *                                  not the length of an existing, non-empty file, or the file holds something
     *                                  else than a store (its metadata headers hold neither
     *                                  a commit nor zeros): it is left as it was
     * @throws IllegalStateException    if a store of this JVM has the file open, or its metadata is corrupt
     *                                  (commits were made and neither copy is valid)
     * @throws IOException              if the file cannot be opened or mapped
     */
    public static DaxStore open(Path file, long byteSize) throws IOException {
        Objects.requireNonNull(file, "file");
        checkSize(byteSize);
        // the metadata area's size, so where its second copy and the first data block lie, follows from the
        // store's size: opened at another size, a store would read a stale copy or find its blocks displaced
        long length = Files.isRegularFile(file) ? Files.size(file) : 0;
        if (length != 0 && length != byteSize) {
            throw new IllegalArgumentException(file + " is " + length + " bytes: a store file opens at the size it "
                    + "was made with, not " + byteSize + " (a store cannot grow or shrink)");
        }
        return open(Region.mapFile(file, byteSize, Persistence.AUTO));
    }

    /**
     * An empty store in anonymous memory, gone when closed.
     *
     * @param byteSize the region's size, a multiple of {@link #HUGE}, at least two of them
     * @return the store
     * @throws IllegalArgumentException if {@code byteSize} is not a multiple of {@link #HUGE} or too small
     */
    public static DaxStore anonymous(long byteSize) {
        checkSize(byteSize);
        return open(Region.anonymous(byteSize));
    }

    /**
     * Opens the store held by {@code region} (an empty one if it holds none) and takes the region over: it is
     * closed with the store, or at once if opening fails.
     *
     * @param region an open region, its size a multiple of {@link #HUGE} and at least two of them
     * @return the store
     * @throws IllegalArgumentException if the region's size does not fit, or it holds something else than a store
     * @throws IllegalStateException    if the region is closed or claimed by someone else, its file is open as a
     *                                  store of this JVM already, or its store metadata is corrupt
     */
    public static DaxStore open(Region region) {
        Objects.requireNonNull(region, "region");
        Object key = null;
        try {
            checkSize(region.byteSize());
            Optional<Path> file = region.file();
            if (file.isPresent()) {
                Object k = fileKey(file.get());
                if (!OPEN_FILES.add(k)) {
                    throw new IllegalStateException(file.get() + " is open as a store in this JVM already: close that "
                            + "store first (two stores over one file would hand out the same blocks)");
                }
                key = k;
            }
            return new DaxStore(region, key);
        } catch (RuntimeException | Error e) {
            if (key != null) {
                OPEN_FILES.remove(key);
            }
            region.close();
            throw e;
        }
    }

    /** The file's identity (device and inode where the platform has them), else its normalized absolute path. */
    private static Object fileKey(Path file) {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            if (key != null) {
                return key;
            }
        } catch (IOException e) {
            // fall back to the path
        }
        return file.toAbsolutePath().normalize();
    }

    private static void checkSize(long byteSize) {
        if (byteSize < 2 * HUGE || byteSize % HUGE != 0) {
            throw new IllegalArgumentException("store size " + byteSize + " must be a multiple of " + HUGE
                    + " and at least " + 2 * HUGE);
        }
    }

    // ------------------------------------------------------------------ namespace

    /**
     * Creates an empty file.
     *
     * @param name its name: 1 to {@link #MAX_NAME_BYTES} UTF-8 bytes
     * @return the file
     * @throws IllegalArgumentException if the name is empty, too long, or taken; nothing is changed
     * @throws IllegalStateException    if the store is closed
     */
    public synchronized DaxFile create(String name) {
        checkName(name);
        checkOpen();
        if (files.containsKey(name)) {
            throw new IllegalArgumentException("file '" + name + "' exists already");
        }
        Mapping m = space.open(source, 0);
        DaxFile f = new DaxFile(this, name, m, false);
        files.put(name, f);
        byMapping.put(m.id(), f);
        metadataChanged();
        return f;
    }

    /**
     * The file called {@code name}.
     *
     * @param name its name
     * @return the file
     * @throws IllegalArgumentException if no file has that name
     * @throws IllegalStateException    if the store is closed
     */
    public synchronized DaxFile open(String name) {
        Objects.requireNonNull(name, "name");
        checkOpen();
        DaxFile f = files.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no file '" + name + "' in " + this);
        }
        return f;
    }

    /**
     * Whether a file is called {@code name}.
     *
     * @param name the name
     * @return whether it exists
     */
    public synchronized boolean exists(String name) {
        return files.containsKey(Objects.requireNonNull(name, "name"));
    }

    /**
     * The names of the files, in creation order.
     *
     * @return a copy of the names
     */
    public synchronized List<String> names() {
        return new ArrayList<>(files.keySet());
    }

    /**
     * Deletes the file: revokes its views, waits (uninterruptibly) until none of its pages is pinned, and gives
     * its blocks back (a block reflinked into another file stays with it). Later use of the file's handle
     * throws. Durable at the next metadata commit (an fsync of any file, or {@link #sync}).
     *
     * @param name the file's name
     * @throws IllegalArgumentException if no file has that name; nothing is changed
     * @throws IllegalStateException    if the store is closed
     */
    public synchronized void delete(String name) {
        DaxFile f = open(name);
        f.markDeleted();
        f.mapping().close();
        files.remove(name);
        byMapping.remove(f.mapping().id());
        metadataChanged();
    }

    /**
     * Makes bytes {@code [dstOff, dstOff + length)} of {@code dst} share the blocks of bytes
     * {@code [srcOff, srcOff + length)} of {@code src} (kernel: {@code FICLONERANGE}); the destination grows if
     * the range ends past its size. Writes to a shared block are seen by both files (no copy-on-write).
     *
     * @param src    the source file
     * @param srcOff first byte of the source range, a multiple of {@link #PAGE}
     * @param dst    the destination file, of this store
     * @param dstOff first byte of the destination range, a multiple of {@link #PAGE}; the range must hold no
     *               block (punch a hole first)
     * @param length bytes, a positive multiple of {@link #PAGE}, within the source file's size
     * @throws IllegalArgumentException naming the value: files of another store, unaligned or negative values,
     *                                  a source range past the end, overlapping ranges of one file, source
     *                                  blocks cut by the range, a destination with blocks; nothing is changed
     * @throws IllegalStateException    if the store is closed or a file deleted or poisoned
     * @throws InterruptedException     not thrown any more (the destination's hole is invalidated, which does not
     *                                  wait); kept so that callers compiled against it still compile
     */
    public void reflink(DaxFile src, long srcOff, DaxFile dst, long dstOff, long length) throws InterruptedException {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (src.store() != this || dst.store() != this) {
            throw new IllegalArgumentException("reflink across stores: " + src + " and " + dst + ", this is " + this);
        }
        if (length <= 0 || length % PAGE != 0 || srcOff < 0 || srcOff % PAGE != 0 || dstOff < 0
                || dstOff % PAGE != 0) {
            throw new IllegalArgumentException("reflink of " + length + " bytes from offset " + srcOff + " to offset "
                    + dstOff + ": all must be non-negative multiples of " + PAGE + ", the length positive");
        }
        if (srcOff > src.size() - length) {
            throw new IllegalArgumentException("reflink source range [" + srcOff + ", " + (srcOff + length)
                    + ") passes the end of " + src + " (" + src.size() + " bytes)");
        }
        if (dstOff > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("reflink destination offset " + dstOff + " + " + length + " overflows");
        }
        synchronized (this) {
            checkOpen();
            src.checkUsable();
            dst.checkUsable();
            // refuse what the source refuses before touching the destination, then drop the zero-page entries of
            // its hole: an invalidate, which keeps DIRTY entries (a racing write's block makes the reflink refuse
            // below, and its bytes must still reach the next writeback)
            source.checkReflink(src.mapping(), srcOff / PAGE, dst.mapping(), dstOff / PAGE, length / PAGE);
            dst.mapping().invalidate(dstOff, dstOff + length);
            source.reflink(src.mapping(), srcOff / PAGE, dst.mapping(), dstOff / PAGE, length / PAGE);
            dst.grow(dstOff + length, dstOff); // zeroes the old last page up to the range, not into it
            metadataChanged();
        }
    }

    // ------------------------------------------------------------------ durability

    /**
     * Writes back every file and commits the metadata.
     *
     * @return bytes of file data flushed
     * @throws IllegalStateException if the store is closed, or a writable view is in use by I/O in flight
     */
    public synchronized long sync() {
        checkOpen();
        long flushed = 0;
        for (DaxFile f : files.values()) {
            flushed += f.writebackData();
        }
        commit();
        return flushed;
    }

    /** Counts a change of names, sizes or poison flags, which the next commit must write. */
    void metadataChanged() {
        namespaceChanges.incrementAndGet();
    }

    /**
     * Commits the metadata: names, sizes, poison flags, extents; nothing when none of them changed since the
     * last commit (an fsync of overwritten data writes back the data only).
     */
    synchronized void commit() {
        checkOpen();
        long src = source.changes();
        long ns = namespaceChanges.get();
        if (src == committedSource && ns == committedNamespace) {
            return;
        }
        List<StoreMetadata.FileRecord> records = new ArrayList<>(files.size());
        for (DaxFile f : files.values()) {
            records.add(new StoreMetadata.FileRecord(f.name(), f.size(), f.isPoisoned(),
                    source.extents(f.mapping())));
        }
        source.flushZeroed(); // after the extents were read: every block they name has its zeros queued
        metadata.commit(source.blocks(), records);
        committedSource = src;
        committedNamespace = ns;
    }

    // ------------------------------------------------------------------ memory failure

    /**
     * Handles a memory failure of pages {@code [pfn, pfn + count)} (kernel: {@code memory_failure} on a dax
     * device, {@code dax_holder_notify_failure}); see {@link MemoryFailures}.
     *
     * @param pfn   first failed page of the region
     * @param count pages
     * @return the files hit, by name
     * @throws IllegalArgumentException if the range is outside the region
     * @throws IllegalStateException    if the store is closed
     */
    public List<String> memoryFailure(long pfn, long count) {
        checkOpen();
        return failures.fail(pfn, count);
    }

    /**
     * Clears the poison mark of page {@code pfn} (kernel: {@code unpoison_memory}, a testing aid), so that the
     * page can be handed out again once free. A block the allocator already quarantined for it stays out of use,
     * and files already poisoned stay poisoned.
     *
     * @param pfn the page
     * @return whether it was poisoned
     * @throws IllegalArgumentException if {@code pfn} is outside the region
     */
    public boolean unpoison(long pfn) {
        return failures.unpoison(pfn);
    }

    /**
     * Adds a listener told of every file a memory failure hits, with the file offset of the failed page.
     *
     * @param listener the listener
     */
    public void addFailureListener(FailureListener listener) {
        failures.addListener(Objects.requireNonNull(listener, "listener"));
    }

    DaxFile fileOf(long mappingId) {
        return byMapping.get(mappingId);
    }

    // ------------------------------------------------------------------ state

    /**
     * The store's statistics.
     *
     * @return a snapshot
     */
    public synchronized StoreStats stats() {
        return new StoreStats(files.size(), map.nrPages() - metadataBytes / PAGE, source.freePages(), metadataBytes,
                metadata.generation(), region.flushedBytes(), failures.poisonedPages());
    }

    /**
     * The region under the store.
     *
     * @return the region
     */
    public Region region() {
        return region;
    }

    PageMap pageMap() {
        return map;
    }

    InMemoryExtentSource source() {
        return source;
    }

    /**
     * Whether the store is open.
     *
     * @return false once closed
     */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Syncs every file (for a file-backed store), closes every file and the region. Idempotent.
     *
     * @throws IllegalStateException if the final sync fails (the region is closed anyway)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            if (region.persistence() != Persistence.NONE) {
                sync();
            }
        } finally {
            closed = true;
            try {
                region.close(); // closes the page map and revokes every view with it
            } finally {
                releaseFile();
            }
        }
    }

    private void releaseFile() {
        if (fileKey != null) {
            OPEN_FILES.remove(fileKey);
        }
    }

    /**
     * Abandons the store without a sync and without closing the region: what a crash leaves (tests only). The
     * file may be opened again, as after a crash.
     */
    synchronized void abandon() {
        closed = true;
        releaseFile();
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("file name '" + name + "' has " + bytes + " UTF-8 bytes: 1 to "
                    + MAX_NAME_BYTES + " allowed");
        }
    }

    @Override
    public String toString() {
        return "DaxStore[" + region + (closed ? ", closed" : "") + "]";
    }
}
