package io.jdax.soak;

import io.jdax.store.DaxFile;
import io.jdax.store.DaxStore;
import io.jdax.store.FileView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A store worker of the soak: owns two files, keeps their bytes as a model, and until the deadline writes,
 * reads back, maps (reading and writing through views), truncates, punches holes, moves page ranges from one
 * file to the other by reflink (punching the source range after, so that no block stays shared and the model
 * stays two arrays), fsyncs (each a commit of the whole store's metadata), syncs the store (with
 * {@link #SYNC_RACES}), and reads the other
 * workers' files while they change them (bytes unchecked: only that nothing throws but the documented refusal
 * of an offset past a shrunk end).
 */
final class StoreWorker implements Runnable {

    private static final long PAGE = DaxStore.PAGE;
    /**
     * Store syncs that race the other workers' growing writes and truncates: on since the fix of
     * {@code StoreFindingsTest.growRacingSyncDoesNotThrow}; {@code -Djdax.soak.syncRaces=false} turns them off.
     */
    static final boolean SYNC_RACES = Boolean.parseBoolean(System.getProperty("jdax.soak.syncRaces", "true"));

    private static final int MAX_FILE = (int) (DaxStore.HUGE + DaxStore.HUGE / 8);

    final int id;
    List<StoreWorker> others;
    private final DaxStore store;
    private final SplittableRandom rnd;
    private final long deadline;
    private final AtomicLong ops;
    private final DaxFile[] files = new DaxFile[2];
    private final byte[][] model = {new byte[0], new byte[0]};

    StoreWorker(DaxStore store, int id, SplittableRandom rnd, long deadline, AtomicLong ops) {
        this.store = store;
        this.id = id;
        this.rnd = rnd;
        this.deadline = deadline;
        this.ops = ops;
        files[0] = store.create("w" + id + "a");
        files[1] = store.create("w" + id + "b");
    }

    @Override
    public void run() {
        long n = 0;
        try {
            while ((n & 15) != 0 || System.nanoTime() < deadline) {
                step();
                n++;
            }
        } catch (InterruptedException e) {
            throw new AssertionError("interrupted", e);
        }
        ops.addAndGet(n);
    }

    private void step() throws InterruptedException {
        int k = rnd.nextInt(2);
        DaxFile f = files[k];
        byte[] m = model[k];
        int op = rnd.nextInt(100);
        if (op < 35) {
            int len = 1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(300_000) : rnd.nextInt(9000));
            int off = rnd.nextInt(Math.min(MAX_FILE - 1, m.length + 8192));
            len = Math.min(len, MAX_FILE - off);
            byte[] b = new byte[len];
            rnd.nextBytes(b);
            f.write(off, b, 0, len);
            if (off + len > m.length) {
                m = model[k] = Arrays.copyOf(m, off + len);
            }
            System.arraycopy(b, 0, m, off, len);
        } else if (op < 55) {
            int off = rnd.nextInt(m.length + 1);
            byte[] b = new byte[Math.min(1 + rnd.nextInt(20_000), m.length - off)];
            int got = f.read(off, b, 0, b.length);
            if (got != b.length || !Arrays.equals(b, 0, got, m, off, off + got)) {
                throw new AssertionError(f + ": " + got + " bytes read at " + off + " differ from the model");
            }
        } else if (op < 65 && m.length > 0) {
            view(f, m);
        } else if (op < 72) {
            int size = rnd.nextInt(4) == 0 ? Math.min(MAX_FILE, m.length + rnd.nextInt(300_000))
                    : rnd.nextInt(m.length + 1);
            f.truncate(size);
            model[k] = Arrays.copyOf(m, size);
        } else if (op < 78 && m.length >= PAGE) {
            int pages = (int) (m.length / PAGE);
            int first = rnd.nextInt(pages);
            int count = 1 + rnd.nextInt(Math.min(64, pages - first));
            f.punchHole(first * PAGE, count * PAGE);
            Arrays.fill(m, (int) (first * PAGE), (int) ((first + count) * PAGE), (byte) 0);
        } else if (op < 83) {
            move(k);
        } else if (op < 90) {
            f.fsync();
        } else if (op < 91) {
            if (SYNC_RACES) {
                store.sync(); // write-protects the other workers' entries while they write
            } else {
                f.fsync();
            }
        } else {
            readOther();
        }
    }

    /** Maps one page's worth of {@code f}, checks it, and sometimes writes through it. */
    private void view(DaxFile f, byte[] m) {
        int off = rnd.nextInt(m.length);
        int len = (int) Math.min(1 + rnd.nextInt((int) PAGE), Math.min(m.length - off, PAGE - off % PAGE));
        boolean write = rnd.nextBoolean();
        try (FileView v = f.map(off, len, write)) {
            try {
                MemorySegment s = v.segment();
                for (int i = 0; i < len; i += 97) {
                    if (s.get(ValueLayout.JAVA_BYTE, i) != m[off + i]) {
                        throw new AssertionError(f + ": view byte " + (off + i) + " differs from the model");
                    }
                }
                if (write) {
                    byte value = (byte) rnd.nextInt();
                    s.set(ValueLayout.JAVA_BYTE, 0, value);
                    m[off] = value;
                }
            } catch (IllegalStateException revoked) {
                // another worker's store sync wrote the entry back and revoked the writable view: documented
                // (isOpen() is not asked: it may still say true while the revocation is under way); nothing
                // else may revoke a view of a file only this worker truncates and punches
                if (!write) {
                    throw new AssertionError(f + ": the read-only view of [" + off + ", " + (off + len) + ") was "
                            + "revoked with no truncate or hole punch of its file", revoked);
                }
            }
        } finally {
            // an access cut by that revocation's arena close can leave this thread interrupted on JDK 25
            // (JDK-8306324, see WindowGroup), which would fail its next truncate or punch with an
            // InterruptedException: nobody interrupts the workers, so any interrupt here is that one
            Thread.interrupted();
        }
    }

    /** Moves a page range of one file to the end region of the other by reflink, then punches the source. */
    private void move(int k) throws InterruptedException {
        DaxFile src = files[k];
        DaxFile dst = files[1 - k];
        byte[] s = model[k];
        int pages = (int) (s.length / PAGE);
        if (pages == 0) {
            return;
        }
        int first = rnd.nextInt(pages);
        int count = 1 + rnd.nextInt(Math.min(16, pages - first));
        byte[] d = model[1 - k];
        // the destination starts at a whole page past its end, so the range is a hole and no old tail shows
        int dstPage = (int) ((d.length + PAGE - 1) / PAGE);
        if ((long) (dstPage + count) * PAGE > MAX_FILE) {
            return;
        }
        if (d.length % PAGE != 0) {
            dst.truncate((long) dstPage * PAGE);
            d = model[1 - k] = Arrays.copyOf(d, (int) (dstPage * PAGE));
        }
        try {
            store.reflink(src, first * PAGE, dst, dstPage * PAGE, count * PAGE);
        } catch (IllegalArgumentException cutsAHugeBlock) {
            if (!cutsAHugeBlock.getMessage().contains("block")) {
                throw cutsAHugeBlock;
            }
            return;
        }
        d = model[1 - k] = Arrays.copyOf(d, (int) ((dstPage + count) * PAGE));
        System.arraycopy(s, (int) (first * PAGE), d, (int) (dstPage * PAGE), (int) (count * PAGE));
        src.punchHole(first * PAGE, count * PAGE);
        Arrays.fill(s, (int) (first * PAGE), (int) ((first + count) * PAGE), (byte) 0);
    }

    private void readOther() {
        StoreWorker w = others.get(rnd.nextInt(others.size()));
        DaxFile f = w.files[rnd.nextInt(2)];
        long size = f.size();
        byte[] b = new byte[1 + rnd.nextInt(16_384)];
        try {
            f.read(rnd.nextLong(size + 1), b, 0, b.length);
        } catch (IllegalArgumentException shrank) {
            if (!shrank.getMessage().contains("outside")) {
                throw shrank; // the owner truncated below the offset meanwhile: the documented refusal
            }
        }
    }

    /** Every file's CRC32 equals its model's. */
    void checkFiles(String where) {
        for (int k = 0; k < 2; k++) {
            byte[] m = model[k];
            DaxFile f = files[k];
            if (f.size() != m.length) {
                throw new AssertionError(where + f + " has " + f.size() + " bytes, its model " + m.length);
            }
            byte[] b = new byte[m.length];
            f.read(0, b, 0, b.length);
            CRC32 real = new CRC32();
            real.update(b);
            CRC32 want = new CRC32();
            want.update(m);
            if (real.getValue() != want.getValue()) {
                int i = Arrays.mismatch(b, m);
                throw new AssertionError(where + f + ": checksum " + Long.toHexString(real.getValue()) + ", model's "
                        + Long.toHexString(want.getValue()) + "; first difference at byte " + i);
            }
        }
    }
}
