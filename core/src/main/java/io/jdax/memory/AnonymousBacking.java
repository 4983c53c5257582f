package io.jdax.memory;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * Creates the memory of an anonymous {@link Region}: an unlinked file in a memory filesystem, mapped shared.
 * Creation fails cleanly, with nothing left behind, when the filesystem has less free space than the region
 * needs, and runs on {@link ChannelWork}'s thread so that the caller's interrupt status cannot fail it.
 */
final class AnonymousBacking {

    /** Free bytes of the filesystem holding a directory; replaced by tests to simulate a small filesystem. */
    static volatile ToLongFunction<Path> freeSpace = AnonymousBacking::usableSpace;

    private AnonymousBacking() {
    }

    /** The caller has checked that {@code byteSize + ANONYMOUS_ALIGNMENT} does not overflow. */
    static Region create(long byteSize, Path dir) {
        long mapped = byteSize + Region.ANONYMOUS_ALIGNMENT; // room to slide to an aligned start
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IllegalStateException("cannot create an anonymous region of " + byteSize + " bytes in " + dir
                    + ": not a writable directory (choose one with Region.anonymous(size, directory) or -D"
                    + Region.SHM_DIR_PROPERTY + "=DIR)");
        }
        long free = freeSpace.applyAsLong(dir);
        if (free < mapped) {
            throw new IllegalStateException("cannot create an anonymous region of " + byteSize + " bytes (" + mapped
                    + " with alignment padding) in " + dir + ": its filesystem has " + free + " bytes free, and"
                    + " memory committed past that would kill the process with SIGBUS at first write. Give it more"
                    + " space (in a container, a larger --shm-size for /dev/shm), or back regions elsewhere:"
                    + " Region.anonymous(size, directory) or -D" + Region.SHM_DIR_PROPERTY + "=DIR (a tmpfs or"
                    + " hugetlbfs mount with room)");
        }
        KernelMappings.reserve("an anonymous region of " + byteSize + " bytes");
        Arena arena = Arena.ofShared();
        boolean tracked = false;
        try {
            Region region = ChannelWork.run(() -> map(byteSize, mapped, dir, arena));
            KernelMappings.track(arena.scope());
            tracked = true;
            return region;
        } catch (IOException | RuntimeException | Error e) {
            arena.close(); // unmaps, if the mapping was made
            if (!tracked) {
                KernelMappings.cancel();
            }
            if (e instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("cannot create an anonymous region of " + byteSize + " bytes in " + dir
                    + ": " + e, e);
        }
    }

    /** On the channel thread: create, unlink, map (which grows the file, sparsely), wrap. */
    private static Region map(long byteSize, long mapped, Path dir, Arena arena) throws IOException {
        // a fresh unique name, created atomically (a name made of pid and nanoTime once collided
        // between two threads: jcstress's quick mode found it)
        Path file = Files.createTempFile(dir, "jdax-anon-", ".region");
        FileChannel channel;
        try {
            channel = FileChannel.open(file, READ, WRITE);
        } finally {
            Files.delete(file); // unlinked: the memory goes away with the mapping and the channel
        }
        try {
            // map grows the file with ftruncate, which every memory filesystem supports (hugetlbfs has no write)
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, mapped, arena);
            long pad = -whole.address() & (Region.ANONYMOUS_ALIGNMENT - 1);
            return Region.anonymousRegion(arena, channel, whole.asSlice(pad, byteSize), pad);
        } catch (IOException | RuntimeException | Error e) {
            Region.closeQuietly(channel, e);
            throw e;
        }
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + dir, e);
        }
    }
}
