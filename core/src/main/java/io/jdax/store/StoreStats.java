package io.jdax.store;

/**
 * What a {@link DaxStore} holds.
 *
 * @param files         files in it
 * @param dataPages     pages for file data
 * @param freePages     of those, pages no file uses
 * @param metadataBytes bytes of the metadata area
 * @param commits       metadata generation: commits so far on this store's media
 * @param flushedBytes  bytes flushed through the region since it was opened
 * @param poisonedPages pages marked poisoned by memory failures since it was opened
 */
public record StoreStats(int files, long dataPages, long freePages, long metadataBytes, long commits,
                         long flushedBytes, long poisonedPages) {
}
