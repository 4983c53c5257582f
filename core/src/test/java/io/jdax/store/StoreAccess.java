package io.jdax.store;

import io.jdax.mapping.InMemoryExtentSource;
import io.jdax.page.PageMap;

import java.util.List;

/**
 * What tests outside this package may see of a store's insides: a file's extents, the owners of a page, the
 * source's block accounting and the page map, and a crash-simulation disk. Read-only apart from the disk.
 */
public final class StoreAccess {

    private StoreAccess() {
    }

    /** The extents of {@code f}, ordered by file index. */
    public static List<InMemoryExtentSource.StoredExtent> extents(DaxFile f) {
        return f.store().source().extents(f.mapping());
    }

    /** The allocated blocks of the store (a reflinked block once). */
    public static List<InMemoryExtentSource.StoredBlock> blocks(DaxStore store) {
        return store.source().blocks();
    }

    /** How many (file, index) pairs use page {@code pfn}: its share count as the reverse map keeps it. */
    public static int owners(DaxStore store, long pfn) {
        return store.source().owners(pfn).size();
    }

    /** Pages the source keeps out of use because a memory failure poisoned them. */
    public static long quarantinedPages(DaxStore store) {
        return store.source().quarantinedPages();
    }

    /** The dax page map under the store. */
    public static PageMap pageMap(DaxStore store) {
        return store.pageMap();
    }

    /** Checks the entry map of {@code f} ({@code Mapping.verify}). */
    public static void verify(DaxFile f) {
        f.mapping().verify();
    }

    /** Live views of {@code f}'s mapping. */
    public static long liveViews(DaxFile f) {
        return f.mapping().liveViews();
    }

    /** A crash-simulation disk: a durable image apart from the working memory (see {@code CrashImage}). */
    public static final class Disk implements AutoCloseable {
        private final CrashImage image;

        public Disk(long size) {
            this.image = new CrashImage(size);
        }

        /** A store over a working copy of the durable image. */
        public DaxStore boot() {
            return image.boot();
        }

        /** Throws the store's working memory away: only what was flushed survives. */
        public void crash(DaxStore store) {
            image.crash(store);
        }

        @Override
        public void close() {
            image.close();
        }
    }
}
