package io.jdax.store;

/**
 * What one file of a {@link DaxStore} holds and did.
 *
 * @param name         the file's name
 * @param size         its size in bytes
 * @param extents      blocks it uses
 * @param hugeExtents  of those, 2 MiB blocks
 * @param dirtyEntries entries written since their last writeback
 * @param bytesRead    bytes copied out by {@link DaxFile#read}
 * @param bytesWritten bytes copied in by {@link DaxFile#write}
 * @param bytesFlushed bytes flushed by {@link DaxFile#fsync}
 * @param poisoned     whether a memory failure hit it
 */
public record FileStats(String name, long size, long extents, long hugeExtents, long dirtyEntries, long bytesRead,
                        long bytesWritten, long bytesFlushed, boolean poisoned) {
}
