package io.jdax.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

import io.jdax.internal.Internals;

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
 *
 * <p>Interrupts: creation, {@link #mapView} and {@link #flush} never look at the calling thread's interrupt
 * status, and leave it as they found it. (Their file-channel work runs on a thread of jdax's own: a
 * {@code FileChannel} closes itself for every user when a thread using it is interrupted.) The one exception
 * is a {@link #mapView} into a <em>confined</em> arena, which only its owner thread may map into: that call
 * runs on the caller's thread with the flag cleared for its duration, so a flag already set is harmless, but
 * another thread interrupting the caller during that call would close the region's channel; map into shared
 * arenas where threads interrupt each other.
 *
 * <p>Kernel mappings: a region is one mapping, and each {@link #mapView} one more; every one counts against
 * the process-wide {@link KernelMappings} budget, which refuses with a clear exception long before the
 * kernel's {@code vm.max_map_count} would abort the JVM.
 */
public final class Region implements AutoCloseable {

    /** Alignment of an anonymous region's first byte: the PMD size, so that 2 MiB folios are 2 MiB aligned. */
    public static final long ANONYMOUS_ALIGNMENT = 2L << 20;

    /** Granule of {@link #flush}: a range is widened to whole 4 KiB pages, as msync and the kernel do. */
    public static final long FLUSH_GRANULE = 4096;

    /**
     * System property naming the directory that {@link #anonymous(long)} backs regions in (a tmpfs or hugetlbfs
     * mount); unset, {@code /dev/shm} is used, or {@code java.io.tmpdir} where that is missing.
     */
    public static final String SHM_DIR_PROPERTY = "jdax.shm.dir";

    private static final Path SHM = Path.of("/dev/shm");

    private final Arena arena;
    private final FileChannel channel;
    private final MemorySegment segment;
    private final long fileOffset;
    private final Persistence persistence;
    private final Path path;
    private final LongAdder flushedBytes = new LongAdder();
    private volatile Internals.FlushListener flushListener; // tests only: sees each flushed range

    static {
        // lets tests (crash simulation, stress) watch flushes without a public hook
        Internals.registerFlushListenerAccess((region, listener) -> region.flushListener = listener);
    }
    private final Deque<AutoCloseable> attached = new ArrayDeque<>(); // guarded by this
    private AutoCloseable claimant;                                    // guarded by this
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
     * Creates an anonymous region of {@code byteSize} bytes in the default backing directory; see
     * {@link #anonymous(long, Path)}. The default is the directory named by the system property
     * {@value #SHM_DIR_PROPERTY} if it is set, else {@code /dev/shm} if it is a writable directory, else
     * {@code java.io.tmpdir}.
     *
     * @param byteSize the region's size in bytes, {@code >= 1}
     * @return the region, zero-filled and open
     * @throws IllegalArgumentException if {@code byteSize <= 0}, or too large to map with its alignment padding
     * @throws IllegalStateException    if the backing memory cannot be created or mapped, its filesystem has
     *                                  less free space than the region needs (the message says how to give it
     *                                  more), or the process-wide {@link KernelMappings mapping budget} is spent
     */
    public static Region anonymous(long byteSize) {
        requireAnonymousSize(byteSize);
        return anonymous(byteSize, defaultBackingDirectory());
    }

    /**
     * Creates an anonymous region of {@code byteSize} bytes backed by a file in {@code directory}: zero-filled,
     * committed as it is touched, its first byte aligned to {@link #ANONYMOUS_ALIGNMENT}. Sizes above 2 GiB
     * are fine. The file is unlinked at once, so nothing is left behind, even when creation fails.
     *
     * <p>The directory should be on a memory filesystem: a tmpfs such as {@code /dev/shm}, or a hugetlbfs
     * mount for huge pages (then make {@code byteSize} plus {@link #ANONYMOUS_ALIGNMENT} a multiple of its
     * page size). Because the memory is committed lazily, a filesystem that runs out of space does not fail
     * an allocation: the first write past its capacity gets {@code SIGBUS}, which the JVM reports as an
     * {@link InternalError} at whatever access crosses the limit. So creation refuses a region larger than the
     * filesystem's free space at that moment (a container's default {@code /dev/shm} is only 64 MiB). The
     * check cannot see what others, including other regions of the same filesystem not yet touched, take
     * later: size a shared filesystem for all of them.
     *
     * @param byteSize  the region's size in bytes, {@code >= 1}
     * @param directory where the backing file is made (and at once unlinked); not null
     * @return the region, zero-filled and open
     * @throws IllegalArgumentException if {@code byteSize <= 0}, or too large to map with its alignment padding
     * @throws IllegalStateException    if the directory is not writable, has less free space than the region
     *                                  needs (the message names the size, the directory, its free space and
     *                                  what to do), the memory cannot be mapped, or the process-wide
     *                                  {@link KernelMappings mapping budget} is spent
     */
    public static Region anonymous(long byteSize, Path directory) {
        Objects.requireNonNull(directory, "directory");
        requireAnonymousSize(byteSize);
        return AnonymousBacking.create(byteSize, directory);
    }

    /** Throws unless {@code byteSize} is positive and can carry the alignment padding without overflow. */
    private static void requireAnonymousSize(long byteSize) {
        requirePositive(byteSize);
        if (byteSize > Long.MAX_VALUE - ANONYMOUS_ALIGNMENT) {
            throw new IllegalArgumentException("anonymous region size " + byteSize + " is too large: with the "
                    + ANONYMOUS_ALIGNMENT + " bytes of alignment padding it passes " + Long.MAX_VALUE + " bytes");
        }
    }

    /** The directory {@link #anonymous(long)} backs regions in: the property, {@code /dev/shm}, or the temp dir. */
    static Path defaultBackingDirectory() {
        String chosen = System.getProperty(SHM_DIR_PROPERTY);
        if (chosen != null) {
            return Path.of(chosen);
        }
        return Files.isDirectory(SHM) && Files.isWritable(SHM) ? SHM : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Made by {@link AnonymousBacking} once the memory is mapped. */
    static Region anonymousRegion(Arena arena, FileChannel channel, MemorySegment segment, long fileOffset) {
        return new Region(arena, channel, segment, fileOffset, Persistence.NONE, null);
    }

    /**
     * Maps the first {@code byteSize} bytes of {@code file} in shared mode, creating the file or extending it
     * (with zeros, sparsely) if it is shorter; a longer file keeps its tail untouched. Sizes above 2 GiB are
     * fine. If the mapping fails, a file this call created is deleted and a file it extended gets its old size
     * back: a failed call leaves the filesystem as it found it.
     *
     * @param file        the file to map; created if missing; not null
     * @param byteSize    bytes to map from the file's start, {@code >= 1}
     * @param persistence {@link Persistence#SYNC}, {@link Persistence#MSYNC} or {@link Persistence#AUTO}; the
     *                    region's {@link #persistence()} reports the mode chosen
     * @return the region, open
     * @throws IllegalArgumentException if {@code byteSize <= 0} or {@code persistence} is {@code NONE}
     * @throws IllegalStateException    if the process-wide {@link KernelMappings mapping budget} is spent
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
        return FileBacking.create(file, byteSize, persistence);
    }

    /** Made by {@link FileBacking} once the file is mapped. */
    static Region fileRegion(Arena arena, FileChannel channel, MemorySegment segment, Persistence chosen, Path file) {
        return new Region(arena, channel, segment, 0, chosen, file);
    }

    static void requirePositive(long byteSize) {
        if (byteSize <= 0) {
            throw new IllegalArgumentException("region size must be positive: " + byteSize);
        }
    }

    static void closeQuietly(AutoCloseable c, Throwable into) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                into.addSuppressed(e);
            }
        }
    }

    /** {@return the size in bytes} */
    public long byteSize() {
        return segment.byteSize();
    }

    /** {@return the persistence mode in force: {@code SYNC} or {@code MSYNC} for a file, {@code NONE} if anonymous} */
    public Persistence persistence() {
        return persistence;
    }

    /** {@return the mapped file, or empty for an anonymous region} */
    public Optional<Path> file() {
        return Optional.ofNullable(path);
    }

    /**
     * {@return the whole region as one segment} It, and every slice of it, becomes inaccessible when the region
     * closes.
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * {@return the bytes {@code [offset, offset + length)}, checked against the region's bounds}
     *
     * @param offset first byte of the range, {@code >= 0}
     * @param length bytes in the range, {@code >= 0}, ending inside the region
     * @throws IndexOutOfBoundsException if the range is outside the region
     * @throws IllegalStateException     if the region is closed
     */
    public MemorySegment slice(long offset, long length) {
        checkRange(offset, length);
        requireOpen("slice it");
        return segment.asSlice(offset, length);
    }

    /**
     * Maps {@code [offset, offset + length)} again, into {@code viewArena}: the view sees the same bytes (a
     * second mapping of a shared file is coherent with the first) and is revoked by closing
     * {@code viewArena}; later accesses through it throw {@link IllegalStateException} and the region is
     * untouched. Grouping many views in one arena makes one close (one thread handshake) revoke them all.
     *
     * @param offset first byte of the range, {@code >= 0}
     * @param length bytes in the range, {@code >= 0}, ending inside the region
     * @param viewArena the arena whose close unmaps the view; not null
     * @return the view, {@code length} bytes
     * @throws IndexOutOfBoundsException if the range is outside the region
     * @throws IllegalStateException     if the region is closed, the range cannot be mapped, or the
     *                                   process-wide {@link KernelMappings mapping budget} is spent (each view
     *                                   is a kernel mapping: group views in a {@link WindowGroup} instead)
     */
    public MemorySegment mapView(long offset, long length, Arena viewArena) {
        Objects.requireNonNull(viewArena, "viewArena");
        checkRange(offset, length);
        requireOpen("map a view of it");
        KernelMappings.reserve("a view of [" + offset + ", " + offset + " + " + length + ") of " + this);
        boolean tracked = false;
        FileChannel.MapMode mode = persistence == Persistence.SYNC
                ? ExtendedMapMode.READ_WRITE_SYNC : FileChannel.MapMode.READ_WRITE;
        try {
            MemorySegment view;
            try {
                // on the channel thread: the caller's interrupt status must not close the channel all views share
                view = ChannelWork.run(() -> channel.map(mode, fileOffset + offset, length, viewArena));
            } catch (WrongThreadException confined) {
                // a confined arena only its owner may map into (the JDK checks before it maps anything): map
                // here, with the interrupt flag cleared for the call and restored after it
                boolean interrupted = Thread.interrupted();
                try {
                    view = channel.map(mode, fileOffset + offset, length, viewArena);
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            KernelMappings.track(viewArena.scope());
            tracked = true;
            return view;
        } catch (IOException e) {
            requireOpen("map a view of it");
            throw new IllegalStateException("cannot map a view of [" + offset + ", " + offset + " + " + length
                    + ") of " + this + ": " + e, e);
        } catch (RuntimeException e) {
            requireOpen("map a view of it");
            throw e;
        } finally {
            if (!tracked) {
                KernelMappings.cancel();
            }
        }
    }

    /**
     * Makes {@code [offset, offset + length)} durable, widened to whole {@link #FLUSH_GRANULE} pages and no
     * more: cache-line writeback and a fence for {@code SYNC}, msync for {@code MSYNC}, nothing for an
     * anonymous region. A zero length flushes nothing.
     *
     * @param offset first byte of the range, {@code >= 0}
     * @param length bytes in the range, {@code >= 0}, ending inside the region
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
        requireOpen("flush it");
        if (persistence != Persistence.NONE) {
            try {
                segment.asSlice(start, end - start).force();
            } catch (IllegalStateException e) {
                requireOpen("flush it"); // closed meanwhile: say so, rather than the JDK's bare "Already closed"
                throw e;
            }
        }
        flushed(start, end);
    }

    /** Counts {@code [start, end)} as flushed and tells the test listener, if any. */
    private void flushed(long start, long end) {
        flushedBytes.add(end - start);
        Internals.FlushListener listener = flushListener;
        if (listener != null) {
            listener.flushed(start, end - start);
        }
    }

    /**
     * Makes {@code count} ranges durable at once, each {@code [offsets[i], offsets[i] + lengths[i])} widened as
     * {@link #flush} widens it. For {@code MSYNC} a batch of more than one range is one {@code fdatasync} of
     * the file, not an msync per range: on a disk-backed file each msync is a synchronous write and a device
     * flush, while one fdatasync writes the file's dirty pages (the batch's among them) and flushes the device
     * once. {@code SYNC} writes back each range's cache lines; an anonymous region does nothing. Each range is
     * counted in {@link #flushedBytes} as {@link #flush} counts it.
     *
     * @param offsets first byte of each range
     * @param lengths bytes of each range
     * @param count   ranges to take from the arrays, in [0, their length]
     * @throws IndexOutOfBoundsException if {@code count} or a range is out of bounds; nothing is flushed
     * @throws IllegalStateException     if the region is closed or the file cannot be synced
     */
    public void flush(long[] offsets, long[] lengths, int count) {
        if (count < 0 || count > offsets.length || count > lengths.length) {
            throw new IndexOutOfBoundsException("flush of " + count + " ranges from arrays of " + offsets.length
                    + " offsets and " + lengths.length + " lengths");
        }
        for (int i = 0; i < count; i++) {
            checkRange(offsets[i], lengths[i]);
        }
        if (count <= 1 || persistence != Persistence.MSYNC) {
            for (int i = 0; i < count; i++) {
                flush(offsets[i], lengths[i]);
            }
            return;
        }
        requireOpen("flush it");
        try {
            ChannelWork.run(() -> {
                channel.force(false);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            requireOpen("flush it");
            throw new IllegalStateException("fdatasync of " + this + " failed: " + e, e);
        }
        for (int i = 0; i < count; i++) {
            if (lengths[i] != 0) {
                flushed(offsets[i] & -FLUSH_GRANULE,
                        Math.min(byteSize(), (offsets[i] + lengths[i] + FLUSH_GRANULE - 1) & -FLUSH_GRANULE));
            }
        }
    }

    /** {@return the bytes flushed so far, after widening to pages} What {@link #flush} really asked to write back. */
    public long flushedBytes() {
        return flushedBytes.sum();
    }

    /** {@return whether the region is still mapped} */
    public boolean isOpen() {
        return segment.scope().isAlive();
    }

    /**
     * Registers a structure built over this region (a page map, say) to be closed, most recent first,
     * before the region unmaps. A structure closed on its own should {@link #detach} itself.
     *
     * @param dependent the structure to close with the region; not null
     * @throws IllegalStateException if the region is already closed
     */
    public synchronized void attach(AutoCloseable dependent) {
        Objects.requireNonNull(dependent, "dependent");
        if (closed) {
            throw new IllegalStateException("cannot attach " + dependent + ": " + this + " is closed");
        }
        attached.push(dependent);
    }

    /**
     * Registers {@code owner} as the one structure that manages this region's pages (a page map: the kernel's
     * {@code dev_pagemap} owns its range, and a region has at most one page map over any byte of it), and
     * attaches it like {@link #attach}. The claim ends with {@link #detach} of the same owner, or the
     * region's close.
     *
     * @param owner the page map (or other manager) taking the region's pages; not null
     * @throws IllegalStateException if the region is closed, or already claimed (the message names the owner)
     */
    public synchronized void claim(AutoCloseable owner) {
        Objects.requireNonNull(owner, "owner");
        if (closed) {
            throw new IllegalStateException("cannot claim " + this + " for " + owner + ": the region is closed");
        }
        if (claimant != null) {
            throw new IllegalStateException("cannot claim " + this + " for " + owner + ": it is already claimed by "
                    + claimant + ", and a region has at most one page map; close that one first");
        }
        attached.push(owner);
        claimant = owner;
    }

    /** {@return the structure that {@linkplain #claim claimed} the region, if any} */
    public synchronized Optional<AutoCloseable> claimant() {
        return Optional.ofNullable(claimant);
    }

    /**
     * Forgets a structure registered with {@link #attach} or {@link #claim}; unknown ones are ignored.
     *
     * @param dependent the structure as registered; a claimant also gives up its claim
     */
    public synchronized void detach(AutoCloseable dependent) {
        attached.remove(dependent);
        if (claimant == dependent) {
            claimant = null;
        }
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
            claimant = null;
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

    private void requireOpen(String toDo) {
        if (!isOpen()) {
            throw new IllegalStateException("cannot " + toDo + ": " + this + " is closed (a closed region cannot be"
                    + " reopened; map or create a new one)");
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
