package io.jdax.memory;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

import jdk.nio.mapmode.ExtendedMapMode;

/**
 * Maps a file for {@link Region#mapFile}. A failed mapping leaves the filesystem as it found it: a file
 * this call created is deleted, a file it grew is cut back to its old size. The work runs on
 * {@link ChannelWork}'s thread so that the caller's interrupt status cannot fail it.
 */
final class FileBacking {

    private FileBacking() {
    }

    static Region create(Path file, long byteSize, Persistence persistence) throws IOException {
        KernelMappings.reserve(file + " (" + byteSize + " bytes)");
        Arena arena = Arena.ofShared();
        boolean tracked = false;
        try {
            Region region = ChannelWork.run(() -> map(file, byteSize, persistence, arena));
            KernelMappings.track(arena.scope());
            tracked = true;
            return region;
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            if (!tracked) {
                KernelMappings.cancel();
            }
            throw e;
        }
    }

    /** On the channel thread. */
    private static Region map(Path file, long byteSize, Persistence persistence, Arena arena) throws IOException {
        FileChannel channel;
        long oldSize; // -1: this call created the file
        try {
            channel = FileChannel.open(file, CREATE_NEW, READ, WRITE);
            oldSize = -1;
        } catch (FileAlreadyExistsException exists) {
            channel = FileChannel.open(file, READ, WRITE);
            oldSize = channel.size();
        }
        try {
            if (channel.size() < byteSize) {
                // one zero byte at the end, the rest a hole
                channel.write(ByteBuffer.allocate(1), byteSize - 1);
            }
            MemorySegment segment;
            Persistence chosen = persistence;
            if (persistence == Persistence.MSYNC) {
                segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, byteSize, arena);
            } else {
                try {
                    segment = channel.map(ExtendedMapMode.READ_WRITE_SYNC, 0, byteSize, arena);
                    chosen = Persistence.SYNC;
                } catch (IOException notDax) {
                    if (persistence == Persistence.SYNC) {
                        throw new IOException("cannot map " + file + " with MAP_SYNC (" + notDax.getMessage()
                                + "): its filesystem is not mounted with DAX; use Persistence.MSYNC or AUTO", notDax);
                    }
                    segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, byteSize, arena);
                    chosen = Persistence.MSYNC;
                }
            }
            return Region.fileRegion(arena, channel, segment, chosen, file);
        } catch (IOException | RuntimeException | Error e) {
            undo(channel, file, oldSize, e);
            throw e;
        }
    }

    /** Puts the file back as it was before the call, then closes the channel. */
    private static void undo(FileChannel channel, Path file, long oldSize, Throwable failure) {
        try {
            if (oldSize < 0) {
                Files.deleteIfExists(file);
            } else if (channel.size() > oldSize) {
                channel.truncate(oldSize);
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        Region.closeQuietly(channel, failure);
    }
}
