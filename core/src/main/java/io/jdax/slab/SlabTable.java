package io.jdax.slab;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

/**
 * Live slabs by id: the id a slab's descriptor keeps (kernel: none is needed, {@code struct slab} is the
 * page's own descriptor; here the slab's object state is on the heap and the descriptor leads to it). Ids
 * are reused, so the table is as long as the most slabs ever live at once. Lookups take no lock: the array
 * reference is volatile and elements are published with release stores and read with acquire loads; a
 * lookup that races a removal finds the old slab or null, and the caller validates under the slab's lock.
 */
final class SlabTable {

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Slab[].class);

    private final ReentrantLock lock = new ReentrantLock();
    private volatile Slab[] slots = new Slab[64];
    private int[] freeIds = new int[64]; // guarded by lock: ids below `used` that are free
    private int freeCount;               // guarded by lock
    private int used;                    // guarded by lock: ids ever handed out
    private int live;                    // guarded by lock

    /** Builds a slab with a fresh id and publishes it. */
    Slab add(IntFunction<Slab> factory) {
        lock.lock();
        try {
            int id;
            if (freeCount > 0) {
                id = freeIds[--freeCount];
            } else {
                if (used == slots.length) {
                    slots = Arrays.copyOf(slots, Math.multiplyExact(used, 2));
                }
                id = used++;
            }
            Slab s;
            try {
                s = factory.apply(id);
            } catch (Throwable t) {
                releaseId(id);
                throw t;
            }
            SLOTS.setRelease(slots, id, s);
            live++;
            return s;
        } finally {
            lock.unlock();
        }
    }

    void remove(Slab s) {
        lock.lock();
        try {
            assert slots[s.id] == s;
            SLOTS.setRelease(slots, s.id, (Slab) null);
            live--;
            releaseId(s.id);
        } finally {
            lock.unlock();
        }
    }

    private void releaseId(int id) {
        if (freeCount == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, Math.multiplyExact(freeIds.length, 2));
        }
        freeIds[freeCount++] = id;
    }

    /** The slab with this id, or null (no such id, or not live now). */
    Slab get(long id) {
        Slab[] a = slots;
        return id >= 0 && id < a.length ? (Slab) SLOTS.getAcquire(a, (int) id) : null;
    }

    /** A copy of the live slabs, for snapshots and shutdown. */
    Slab[] snapshot() {
        lock.lock();
        try {
            Slab[] out = new Slab[live];
            int n = 0;
            for (int i = 0; i < used; i++) {
                if (slots[i] != null) {
                    out[n++] = slots[i];
                }
            }
            assert n == live;
            return out;
        } finally {
            lock.unlock();
        }
    }

    int live() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }

    /** Offsets of every live object of every live slab, ascending; each slab is read under its lock. */
    long[] liveOffsets() {
        long[] out = new long[16];
        int n = 0;
        for (Slab s : snapshot()) {
            s.lock();
            try {
                if (s.state() == Slab.DEAD) {
                    continue;
                }
                for (int i = 0; i < s.capacity; i++) {
                    if (s.isLive(i)) {
                        if (n == out.length) {
                            out = Arrays.copyOf(out, n * 2);
                        }
                        out[n++] = s.base + (long) i * s.cache.objectSize;
                    }
                }
            } finally {
                s.unlock();
            }
        }
        long[] live = Arrays.copyOf(out, n);
        Arrays.sort(live);
        return live;
    }

    /**
     * Per class: slabs, slabs per state (indexed by the state constants), live objects at [6], requested
     * bytes at [7]; each slab is read under its lock.
     */
    long[][] countPerClass(int classCount) {
        long[][] perClass = new long[classCount][8];
        for (Slab s : snapshot()) {
            s.lock();
            try {
                if (s.state() != Slab.DEAD) {
                    long[] a = perClass[s.cache.index];
                    a[0]++;
                    a[s.state()]++;
                    a[6] += s.capacity - s.freeCount();
                    a[7] += s.requestedBytes();
                }
            } finally {
                s.unlock();
            }
        }
        return perClass;
    }
}
