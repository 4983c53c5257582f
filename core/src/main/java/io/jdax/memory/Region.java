package io.jdax.memory;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import jdk.nio.mapmode.ExtendedMapMode;

/**
 * A contiguous range of memory that page maps cut into pages: anonymous off-heap memory, or a file
 * mapped in shared mode (a "pmem-backed" region).
 *
 * <p>Both kinds are file mappings. Anonymous memory is an unlinked file in {@code /dev/shm} (tmpfs), so
 * that it is committed lazily (no zeroing of a multi-gigabyte range up front) and so that a range can be
 * mapped a second time into an arena of the caller's: {@link #mapView} hands out views that the caller
 * revokes by closing that arena, with no restricted method and no JVM flag.
 *
 * <p>Lifetime: {@link #close()} first closes everything {@link #attach attached} to the region (the page
 * maps over it), then unmaps. A later access through {@link #segment()}, a slice of it, or an attached page
 * map throws {@link IllegalStateException}; it never touches unmapped memory. Closing twice is harmless.
 * A region is safe for concurrent use; closing it while other threads still access it makes their
 * accesses throw (the JDK performs a thread handshake, like a TLB shootdown). Views made by
 * {@link #mapView} belong to the caller's arena and stay valid until that arena closes.
 */
public final class Region implements AutoCloseable {

    /** Alignment of an anonymous region's first byte: the PMD size, so that 2 MiB folios are 2 MiB aligned. */
    public static final long ANONYMOUS_ALIGNMENT = 2L << 20;

    /** Granule of {@link #flush}: a range is widened to whole 4 KiB pages, as msync and the kernel do. */
    public static final long FLUSH_GRANULE = 4096;

    private static final Path SHM = Path.of("/dev/shm");

    private final Arena arena;
    private final FileChannel channel;
    private final MemorySegment segment;
    private final long fileOffset;
    private final Persistence persistence;
    private final Path path;
    private final LongAdder flushedBytes = new LongAdder();
    private final Deque<AutoCloseable> attached = new ArrayDeque<>(); // guarded by this
    private boolean closed;                                            // guarded by this

    private Region(Arena arena, FileChannel channel, MemorySegment segment, long fileOffset,
                   Persistence persistence, Path path) {
        this.arena = arena;
        this.channel = channel;
        this.segment = segment;
        this.fileOffset = fileOffset;
        this.persistence = persistence;
        this.path = path;
    }

    /**
     * Creates an anonymous region of {@code byteSize} bytes: zero-filled, committed as it is touched, its
     * first byte aligned to {@link #ANONYMOUS_ALIGNMENT}. Sizes above 2 GiB are fine. The backing file lives
     * in {@code /dev/shm} (else {@code java.io.tmpdir}) and is unlinked at once, so nothing is left behind.
     *
     * @throws IllegalArgumentException if {@code byteSize <= 0}
     * @throws IllegalStateException    if the backing memory cannot be created or mapped
     */
    public static Region anonymous(long byteSize) {
        requirePositive(byteSize);
        Path dir = Files.isDirectory(SHM) && Files.isWritable(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
        long mapped = Math.addExact(byteSize, ANONYMOUS_ALIGNMENT); // room to slide to an aligned start
        FileChannel channel = null;
        Arena arena = Arena.ofShared();
        try {
            // a fresh unique name, created atomically (a name made of pid and nanoTime once collided
            // between two threads: jcstress's quick mode found it)
            Path file = Files.createTempFile(dir, "jdax-anon-", ".region");
            try {
                channel = FileChannel.open(file, READ, WRITE);
            } finally {
                Files.delete(file); // unlinked: the memory goes away with the mapping and the channel
            }
            extend(channel, mapped);
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, mapped, arena);
            long pad = -whole.address() & (ANONYMOUS_ALIGNMENT - 1);
            return new Region(arena, channel, whole.asSlice(pad, byteSize), pad, Persistence.NONE, null);
        } catch (IOException | RuntimeException e) {
            arena.close();
            closeQuietly(channel, e);
            throw new IllegalStateException("cannot create an anonymous region of " + byteSize + " bytes in " + dir
                    + ": " + e, e);
        }
    }

    /**
     * Maps the first {@code byteSize} bytes of {@code file} in shared mode, creating the file or extending it
     * (with zeros, sparsely) if it is shorter; a longer file keeps its tail untouched. Sizes above 2 GiB are
     * fine.
     *
     * @param persistence {@link Persistence#SYNC}, {@link Persistence#MSYNC} or {@link Persistence#AUTO}; the
     *                    region's {@link #persistence()} reports the mode chosen
     * @throws IllegalArgumentException if {@code byteSize <= 0} or {@code persistence} is {@code NONE}
     * @throws IOException              if the file cannot be opened or mapped; for {@code SYNC}, also when the
     *                                  filesystem is not mounted with DAX (the message says so)
     */
    public static Region mapFile(Path file, long byteSize, Persistence persistence) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(persistence, "persistence");
        requirePositive(byteSize);
        if (persistence == Persistence.NONE) {
            throw new IllegalArgumentException("a file region persists with SYNC, MSYNC or AUTO, not " + persistence);
        }
        FileChannel channel = FileChannel.open(file, CREATE, READ, WRITE);
        Arena arena = Arena.ofShared();
        try {
            if (channel.size() < byteSize) {
                extend(channel, byteSize);
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
            return new Region(arena, channel, segment, 0, chosen, file);
        } catch (IOException | RuntimeException e) {
            arena.close();
            closeQuietly(channel, e);
            throw e;
        }
    }

    /** Grows a file to {@code size} bytes without writing its body: one zero byte at the end, the rest a hole. */
    private static void extend(FileChannel channel, long size) throws IOException {
        channel.write(ByteBuffer.allocate(1), size - 1);
    }

    private static void requirePositive(long byteSize) {
        if (byteSize <= 0) {
            throw new IllegalArgumentException("region size must be positive: " + byteSize);
        }
    }

    private static void closeQuietly(AutoCloseable c, Exception into) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                into.addSuppressed(e);
            }
        }
    }

    /** The size in bytes. */
    public long byteSize() {
        return segment.byteSize();
    }

    /** The persistence mode in force: {@code SYNC} or {@code MSYNC} for a file, {@code NONE} when anonymous. */
    public Persistence persistence() {
        return persistence;
    }

    /** The mapped file, or empty for an anonymous region. */
    public Optional<Path> file() {
        return Optional.ofNullable(path);
    }

    /**
     * The whole region as one segment. It, and every slice of it, becomes inaccessible when the region
     * closes.
     */
    public MemorySegment segment() {
        return segment;
    }

    /** The bytes {@code [offset, offset + length)}, checked against the region's bounds. */
    public MemorySegment slice(long offset, long length) {
        checkRange(offset, length);
        return segment.asSlice(offset, length);
    }

    /**
     * Maps {@code [offset, offset + length)} again, into {@code viewArena}: the view sees the same bytes (a
     * second mapping of a shared file is coherent with the first) and is revoked by closing
     * {@code viewArena}; later accesses through it throw {@link IllegalStateException} and the region is
     * untouched. Grouping many views in one arena makes one close (one thread handshake) revoke them all.
     *
     * @throws IndexOutOfBoundsException if the range is outside the region
     * @throws IllegalStateException     if the region is closed or the range cannot be mapped
     */
    public MemorySegment mapView(long offset, long length, Arena viewArena) {
        Objects.requireNonNull(viewArena, "viewArena");
        checkRange(offset, length);
        FileChannel.MapMode mode = persistence == Persistence.SYNC
                ? ExtendedMapMode.READ_WRITE_SYNC : FileChannel.MapMode.READ_WRITE;
        try {
            return channel.map(mode, fileOffset + offset, length, viewArena);
        } catch (IOException e) {
            throw new IllegalStateException("cannot map a view of [" + offset + ", " + (offset + length)
                    + ") of " + this + ": " + e, e);
        } catch (RuntimeException e) {
            if (!channel.isOpen()) {
                throw new IllegalStateException("region is closed: " + this, e);
            }
            throw e;
        }
    }

    /**
     * Makes {@code [offset, offset + length)} durable, widened to whole {@link #FLUSH_GRANULE} pages and no
     * more: cache-line writeback and a fence for {@code SYNC}, msync for {@code MSYNC}, nothing for an
     * anonymous region. A zero length flushes nothing.
     *
     * @throws IndexOutOfBoundsException if the range is outside the region
     * @throws IllegalStateException     if the region is closed
     */
    public void flush(long offset, long length) {
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        long start = offset & -FLUSH_GRANULE;
        long end = Math.min(byteSize(), (offset + length + FLUSH_GRANULE - 1) & -FLUSH_GRANULE);
        if (persistence != Persistence.NONE) {
            segment.asSlice(start, end - start).force();
        } else if (!segment.scope().isAlive()) {
            throw new IllegalStateException("region is closed: " + this);
        }
        flushedBytes.add(end - start);
    }

    /** Bytes flushed so far, after widening to pages: what {@link #flush} really asked the system to write back. */
    public long flushedBytes() {
        return flushedBytes.sum();
    }

    /** Whether the region is still mapped. */
    public boolean isOpen() {
        return segment.scope().isAlive();
    }

    /**
     * Registers a structure built over this region (a page map, say) to be closed, most recent first,
     * before the region unmaps. A structure closed on its own should {@link #detach} itself.
     *
     * @throws IllegalStateException if the region is already closed
     */
    public synchronized void attach(AutoCloseable dependent) {
        Objects.requireNonNull(dependent, "dependent");
        if (closed) {
            throw new IllegalStateException("region is closed: " + this);
        }
        attached.push(dependent);
    }

    /** Forgets a structure registered with {@link #attach}; unknown ones are ignored. */
    public synchronized void detach(AutoCloseable dependent) {
        attached.remove(dependent);
    }

    /**
     * Closes the attached structures, then unmaps the region and closes its file. Idempotent. Exceptions
     * from attached structures do not stop the unmap; they are rethrown afterwards, the first with the
     * others suppressed. While a channel read or write uses the region's memory the JDK refuses to unmap it:
     * this then throws, the region stays open, and calling close again once the I/O completes finishes.
     */
    @Override
    public void close() {
        Deque<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayDeque<>(attached);
            attached.clear();
        }
        RuntimeException failure = null;
        for (AutoCloseable dependent : toClose) {
            try {
                dependent.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing " + dependent + " while closing " + this, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            arena.close();
        } catch (IllegalStateException inUse) {
            // an I/O operation is using the region's memory: the JDK refuses to unmap under it. Stay open so
            // that a later close can finish (the attached structures are closed already).
            synchronized (this) {
                closed = false;
            }
            IllegalStateException retry = new IllegalStateException("cannot unmap " + this + " while an I/O operation"
                    + " uses its memory; close again once it completes", inUse);
            if (failure != null) {
                retry.addSuppressed(failure);
            }
            throw retry;
        }
        try {
            channel.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = new IllegalStateException("closing the file of " + this, e);
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > byteSize() - length) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + offset + " + " + length
                    + ") is outside region of " + byteSize() + " bytes");
        }
    }

    @Override
    public String toString() {
        return "Region[" + (path == null ? "anonymous" : path.toString()) + ", " + byteSize() + " bytes, "
                + persistence + (isOpen() ? "" : ", closed") + "]";
    }
}
