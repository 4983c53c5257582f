package io.jdax.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jdax.store.DaxFile;
import io.jdax.store.DaxStore;
import io.jdax.store.StoreAccess;

import org.junit.jupiter.api.Test;

/**
 * Store bugs the store model (and the soak) found, each as the shortest sequence it shrank to. A disabled test names a bug
 * not fixed yet; {@link StoreWorld} steers around it (see the property that turns the step back on).
 */
class StoreFindingsTest {

    private static final long PAGE = DaxStore.PAGE;

    /**
     * A reflink within one file of two ranges that do not overlap, which the extent source documents as legal,
     * throws ConcurrentModificationException half way: the source's extent map is iterated while the same
     * map takes the destination's entries.
     */
    @Test
    void reflinkWithinOneFile() throws Exception {
        try (DaxStore store = DaxStore.anonymous(8L << 20)) {
            DaxFile f = store.create("f0");
            byte[] data = new byte[(int) (4 * PAGE)];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31 + 7);
            }
            f.write(0, data, 0, data.length);
            store.reflink(f, 2 * PAGE, f, 82 * PAGE, 2 * PAGE);
            assertEquals(84 * PAGE, f.size());
            byte[] got = new byte[(int) (2 * PAGE)];
            f.read(82 * PAGE, got, 0, got.length);
            byte[] want = new byte[(int) (2 * PAGE)];
            System.arraycopy(data, (int) (2 * PAGE), want, 0, want.length);
            assertArrayEquals(want, got, "the reflinked pages read as the source's");
        }
    }

    /**
     * A refused reflink must change nothing, but it breaks the destination range's layout before it checks the
     * range: the written (DIRTY) entries there are deleted unflushed, so the next sync skips them and a crash
     * loses bytes the sync acknowledged.
     */
    @Test
    void refusedReflinkKeepsTheDestinationDirty() throws Exception {
        try (StoreAccess.Disk disk = new StoreAccess.Disk(8L << 20)) {
            DaxStore store = disk.boot();
            DaxFile a = store.create("a");
            DaxFile b = store.create("b");
            byte[] data = new byte[(int) (4 * PAGE)];
            java.util.Arrays.fill(data, (byte) 0x5A);
            a.write(0, data, 0, data.length);
            store.sync();
            java.util.Arrays.fill(data, (byte) 0x33);
            b.write(0, data, 0, data.length);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> store.reflink(a, 0, b, 0, 4 * PAGE), "the destination has blocks");
            store.sync();
            assertAfterCrash(disk, store, "b", 0, data, "b's bytes, written and synced, after a crash");
        }
    }

    /**
     * A reflink that grows the destination must read as zeros between the old end and the reflinked range, as
     * a write or truncate that grows the file does; but it sets the size without zeroing the old last page past
     * the old end, so bytes left there by a shrink show again.
     */
    @Test
    void reflinkThatGrowsZeroesTheOldTail() throws Exception {
        try (DaxStore store = DaxStore.anonymous(8L << 20)) {
            DaxFile a = store.create("a");
            DaxFile b = store.create("b");
            a.write(0, new byte[(int) PAGE], 0, (int) PAGE);
            byte[] ones = new byte[(int) PAGE];
            java.util.Arrays.fill(ones, (byte) 1);
            b.write(0, ones, 0, ones.length);
            b.truncate(1000);
            store.reflink(a, 0, b, 4 * PAGE, PAGE);
            assertEquals(5 * PAGE, b.size());
            byte[] got = new byte[(int) PAGE - 1000];
            b.read(1000, got, 0, got.length);
            assertArrayEquals(new byte[got.length], got, "bytes past the old end, after a growing reflink");
        }
    }

    /**
     * Bytes written through one file into a block a reflink shares with another, then that file deleted: the
     * other file still reads them, and {@link DaxStore#sync} ("writes back every file") must make them durable.
     * But the DIRTY mark went with the deleted file's entry, the survivor's entry is clean, and nothing flushes
     * the block. The same holds for a truncate or hole punch that drops the written file's entry.
     */
    @Test
    void syncFlushesSharedBytesWrittenThroughADeletedFile() throws Exception {
        try (StoreAccess.Disk disk = new StoreAccess.Disk(8L << 20)) {
            DaxStore store = disk.boot();
            DaxFile a = store.create("a");
            DaxFile b = store.create("b");
            a.write(0, new byte[(int) PAGE], 0, (int) PAGE);
            store.reflink(a, 0, b, 0, PAGE);
            store.sync();
            byte[] data = new byte[(int) PAGE];
            java.util.Arrays.fill(data, (byte) 0x44);
            a.write(0, data, 0, data.length);
            store.delete("a");
            byte[] seen = new byte[data.length];
            b.read(0, seen, 0, seen.length);
            assertArrayEquals(data, seen, "b sees what was written through a");
            store.sync();
            assertAfterCrash(disk, store, "b", 0, data, "b's bytes, seen and synced, after a crash");
        }
    }

    /**
     * A shrink that cuts a written 2 MiB entry must keep the bytes below the new end dirty; but the layout break
     * deletes the whole DIRTY entry, the pages that stay get order-0 entries only when touched again, and the
     * next sync flushes nothing of them: a crash loses bytes the sync acknowledged. A hole punch inside a huge
     * entry does the same.
     */
    @Test
    void shrinkThroughAHugeEntryKeepsTheRestDirty() throws Exception {
        try (StoreAccess.Disk disk = new StoreAccess.Disk(8L << 20)) {
            DaxStore store = disk.boot();
            DaxFile f = store.create("f");
            f.write(0, new byte[(int) DaxStore.HUGE], 0, (int) DaxStore.HUGE);
            assertEquals(1, f.stats().hugeExtents(), "a 2 MiB extent");
            store.sync();
            byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
            f.write(450_000, data, 0, data.length);
            f.truncate(1_388_180);
            store.sync();
            assertAfterCrash(disk, store, "f", 450_000, data, "bytes below the new end, written and synced, after a crash");
        }
    }

    /**
     * A write racing a sync of the store (or a read racing a truncate or hole punch of the file) must not fail:
     * but the copy goes through a view of the entry, the sync's write protection (or the layout break) revokes
     * that view, and the copy throws {@code IllegalStateException: Already closed} out of {@link DaxFile#write}
     * ({@link DaxFile#read}). Found by the soak; fixed by copying under the entry lock without a view. Bounded by
     * a count of writes, not by time.
     */
    @Test
    void writeRacingSyncDoesNotThrow() throws Exception {
        try (DaxStore store = DaxStore.anonymous(8L << 20)) {
            DaxFile f = store.create("f");
            byte[] data = new byte[(int) (16 * PAGE)];
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread syncer = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    store.sync();
                }
            });
            try {
                for (int i = 0; i < 20_000; i++) {
                    f.write(0, data, 0, data.length);
                }
            } finally {
                done.set(true);
                syncer.join();
            }
        }
    }

    /**
     * A write or truncate that grows a file races a sync of the store: the growth zeroes the old last page past
     * the old end through a writable view, the sync write-protects (revokes) it, and the fill throws
     * {@code IllegalStateException: Already closed} out of {@link DaxFile#truncate} or {@link DaxFile#write}.
     * Found by the soak; bounded by a count of growths, not by time.
     */
    @Test
    void growRacingSyncDoesNotThrow() throws Exception {
        try (DaxStore store = DaxStore.anonymous(8L << 20)) {
            DaxFile f = store.create("f");
            f.write(0, new byte[(int) (2 * PAGE)], 0, (int) (2 * PAGE));
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread syncer = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    store.sync();
                }
            });
            try {
                for (int i = 0; i < 20_000; i++) {
                    f.truncate(1000);
                    f.truncate(2 * PAGE);
                }
            } finally {
                done.set(true);
                syncer.join();
            }
        }
    }

    /** Crashes {@code store} on {@code disk}, boots it again and asserts that file {@code name} holds {@code data} at {@code offset}. */
    private static void assertAfterCrash(StoreAccess.Disk disk, DaxStore store, String name, long offset, byte[] data,
                                         String message) {
        disk.crash(store);
        try (DaxStore again = disk.boot()) {
            byte[] got = new byte[data.length];
            again.open(name).read(offset, got, 0, got.length);
            assertArrayEquals(data, got, message);
        }
    }
}
