package io.jdax.mapping;

/**
 * Marks a mapping keeps on its entries, in the entry map rather than in page bits (kernel: the XArray marks
 * {@code PAGECACHE_TAG_DIRTY} and {@code PAGECACHE_TAG_TOWRITE} that fs/dax.c sets on its value entries).
 */
public enum Mark {
    /** Written through a writable view since the last writeback (kernel: {@code PAGECACHE_TAG_DIRTY}). */
    DIRTY,
    /** Chosen for the writeback in progress (kernel: {@code PAGECACHE_TAG_TOWRITE}). */
    TOWRITE
}
