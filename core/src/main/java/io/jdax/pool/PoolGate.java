package io.jdax.pool;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.slab.SlabAllocator;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The part of a {@link BufferPool} that settles calls racing its close: the closed flag, the gate close
 * holds while it accounts for the buffers, and what a FAST close reported, so that a racing call can ask.
 */
abstract class PoolGate {

    volatile boolean closed; // read on every allocate and last release: a field, not an object away
    /**
     * Close holds the write side while it accounts for the buffers; CHECKED allocations, slices and last
     * releases hold the read side (they cost a mapping or a thread handshake anyway). The FAST paths never
     * touch it: they read {@link #closed} after their change to the folio, and only a call that then finds
     * the pool closed takes the read side, to ask close what it saw.
     */
    final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private long[] leakedAtClose = new long[0]; // FAST mode: heads close reported, ascending; guarded by gate
    private long[] smallLeakedAtClose = new long[0]; // FAST mode: slab objects close reported, likewise

    /**
     * Tells whether a new buffer may be handed out: yes while the pool is open, and after close only if close
     * counted its memory as leaked. Close sets {@link #closed}, then reads every slab under the slab's lock and,
     * after locking every cache stripe and the zone of the allocator, every folio's count. An allocation took
     * its slab object under that slab's lock, or set its folio's count before it let go of the stripe it took
     * the folio from (a folio from the zone is fenced after its count is set: see
     * {@link BuddyAllocator#tryAllocate}), and reads {@link #closed} here, afterwards. So either close took that
     * lock after the allocation let go of it, and counted the buffer, or the allocation took it after close let
     * go of it, and reads "closed" here: a call that reads "open" was counted by close, and one that reads
     * "closed" asks close, under the gate, what it counted. No fence is needed: the locks order the two.
     */
    boolean publish(PooledBuffer b) {
        return !closed || reportedAtClose(b);
    }

    /** Whether close reported {@code b}'s folio or slab object as leaked; waits for close to finish counting. */
    boolean reportedAtClose(PooledBuffer b) {
        gate.readLock().lock();
        try {
            return Arrays.binarySearch(b.small ? smallLeakedAtClose : leakedAtClose, b.head) >= 0;
        } finally {
            gate.readLock().unlock();
        }
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("buffer pool is closed");
        }
    }

    static IllegalStateException sliceAfterClose(PooledBuffer parent, Throwable cause) {
        return new IllegalStateException("slice of a buffer whose pool was closed: the pool reported the buffer as a "
                + "leak and reclaimed its memory (" + parent + ")", cause);
    }

    static IllegalStateException releaseAfterClose(PooledBuffer b, Throwable cause) {
        return new IllegalStateException("release after its pool was closed: the pool reclaimed the memory and "
                + "reported the buffer as a leak (" + b + ")", cause);
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * FAST close, under the write side of the gate with {@link #closed} set: reports the live slab objects,
     * closes the slab layer (every slab goes back: their folios are no leak), then reports the folios.
     */
    void reportLeaked(PoolLeaks leaks, SlabAllocator slab, BuddyAllocator allocator) {
        reportLeakedSlabObjects(leaks, slab);
        slab.close();
        reportLeakedFolios(leaks, allocator);
    }

    /**
     * FAST close: reports each referenced folio, in pfn order, and keeps their heads for the calls that race
     * this close (see {@link #publish}). Walks the descriptors only if the allocator's snapshot, taken after
     * {@link #closed} was set, holds any page: an allocation it does not count took its stripe or zone lock
     * after this snapshot did, so it reads {@link #closed} as true and is refused.
     */
    private void reportLeakedFolios(PoolLeaks leaks, BuddyAllocator allocator) {
        if (allocator.stats().allocatedPages() == 0) {
            return;
        }
        leakedAtClose = leaks.reportReferencedFolios(allocator.pageMap());
    }

    /**
     * FAST close: reports each live slab object (a buffer and its slices share one), keeping their offsets
     * for the calls racing this close as {@link #reportLeakedFolios} does. Each slab is read under its lock,
     * after {@link #closed} was set: an allocation it misses took its object later, so reads "closed" and is
     * refused; a release it misses freed the object first, and is not reported.
     */
    private void reportLeakedSlabObjects(PoolLeaks leaks, SlabAllocator slab) {
        long[] live = slab.liveObjects();
        for (long off : live) {
            leaks.report(new LeakReport(slab.objectSizeAt(off), Optional.empty(), false));
        }
        smallLeakedAtClose = live;
    }
}
