package io.jdax.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * Random workloads with random crash points, between operations and inside flushes: after each crash the store
 * reopens from the durable image, and every byte acknowledged by a completed fsync (and not changed since) is
 * there, in a file of the name and size the last metadata commit recorded. Seeded: the seed is printed, and
 * {@code -Djdax.seed=N} replays a run; {@code -Djdax.crashPoints=N} sets how many crashes to try (1,000 by
 * default).
 */
class CrashSimulationTest {

    static final long PAGE = DaxStore.PAGE;
    static final long SIZE = 16L << 20;
    static final int MAX_FILES = 4;
    static final int MAX_FILE = (int) (2 * DaxStore.HUGE + DaxStore.HUGE / 4);

    /** What the test knows of one file. */
    static final class Model {
        byte[] data = new byte[0];
        byte[] acked = new byte[0];
        BitSet uncertain = new BitSet(); // bytes changed since the last fsync: may or may not be durable
        final List<String> log = new ArrayList<>(); // what happened to it since the last crash, for a failure's message

        void changed(long from, long to) {
            uncertain.set((int) from, (int) to);
        }
    }

    Map<String, Model> files = new TreeMap<>();
    Map<String, Long> committed = new HashMap<>(); // name -> size at the last metadata commit
    int names;

    @Test
    void everyAcknowledgedByteSurvivesEveryCrash() {
        long seed = Long.getLong("jdax.seed", System.nanoTime());
        int crashPoints = Integer.getInteger("jdax.crashPoints", 1000);
        System.out.println("crash simulation: seed " + seed + " (replay with -Djdax.seed=" + seed + "), "
                + crashPoints + " crash points");
        Random rnd = new Random(seed);
        int insideFlush = 0;
        long ops = 0;
        try (CrashImage disk = new CrashImage(SIZE)) {
            DaxStore store = disk.boot();
            for (int crash = 0; crash < crashPoints; crash++) {
                boolean midFlush = rnd.nextBoolean();
                if (midFlush) {
                    disk.crashAtFlush(1 + rnd.nextInt(30));
                }
                int steps = 1 + rnd.nextInt(40);
                try {
                    for (int i = 0; i < steps; i++) {
                        step(store, rnd);
                        ops++;
                    }
                } catch (CrashImage.SimulatedCrash struck) {
                    insideFlush++;
                }
                disk.crash(store);
                store = disk.boot();
                checkNoSharedPages(store, "boot " + crash);
                try {
                    verifyAndAdopt(store, "seed " + seed + ", crash " + crash);
                } catch (AssertionError | RuntimeException e) {
                    store.close();
                    throw e;
                }
            }
            store.close();
        }
        System.out.println("crash simulation: " + crashPoints + " crash points (" + insideFlush
                + " inside a flush), " + ops + " operations, seed " + seed);
    }

    private void step(DaxStore store, Random rnd) throws CrashImage.SimulatedCrash {
        int op = rnd.nextInt(100);
        if (files.isEmpty() || op < 5 && files.size() < MAX_FILES) {
            String name = "f" + names++;
            store.create(name);
            files.put(name, new Model());
            return;
        }
        List<String> live = new ArrayList<>(files.keySet());
        String name = live.get(rnd.nextInt(live.size()));
        DaxFile f = store.open(name);
        Model m = files.get(name);
        try {
            if (op < 55) {
                int len = 1 + (rnd.nextInt(8) == 0 ? rnd.nextInt(600_000) : rnd.nextInt(9000));
                int off = rnd.nextInt(Math.min(MAX_FILE - 1, m.data.length + 8192));
                len = Math.min(len, MAX_FILE - off);
                byte[] b = new byte[len];
                rnd.nextBytes(b);
                if (off + len > m.data.length) {
                    int old = m.data.length;
                    m.data = Arrays.copyOf(m.data, off + len);
                    m.changed(old, off + len);
                }
                System.arraycopy(b, 0, m.data, off, len);
                m.changed(off, off + len);
                m.log.add("write " + off + "+" + len);
                f.write(off, b, 0, len);
            } else if (op < 75) {
                m.log.add("fsync");
                f.fsync();
                m.acked = m.data.clone();
                m.uncertain.clear();
                commitAll();
            } else if (op < 80) {
                store.sync();
                for (Model x : files.values()) {
                    x.acked = x.data.clone();
                    x.uncertain.clear();
                }
                commitAll();
            } else if (op < 88) {
                int size = rnd.nextInt(Math.max(1, m.data.length + 1));
                if (rnd.nextInt(4) == 0) {
                    size = Math.min(MAX_FILE, m.data.length + rnd.nextInt(20_000));
                }
                int old = m.data.length;
                m.changed(Math.min(old, size), Math.max(old, size));
                m.data = Arrays.copyOf(m.data, size);
                m.log.add("truncate " + size);
                f.truncate(size);
            } else if (op < 96) {
                int pages = m.data.length / (int) PAGE;
                if (pages == 0) {
                    return;
                }
                int first = rnd.nextInt(pages);
                int count = 1 + rnd.nextInt(pages - first);
                int from = first * (int) PAGE;
                int to = (first + count) * (int) PAGE;
                Arrays.fill(m.data, from, to, (byte) 0);
                m.changed(from, to);
                m.log.add("punch " + from + "-" + to);
                f.punchHole(from, to - from);
            } else {
                store.delete(name);
                files.remove(name);
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static void checkNoSharedPages(DaxStore store, String where) {
        Map<Long, String> users = new HashMap<>();
        for (String n : store.names()) {
            for (var e : store.source().extents(store.open(n).mapping())) {
                for (long p = e.pfn(); p < e.pfn() + (1L << e.order()); p++) {
                    String was = users.put(p, n + "@" + (e.index() + p - e.pfn()));
                    if (was != null) {
                        throw new AssertionError(where + ": pfn " + p + " used by " + was + " and " + n);
                    }
                }
            }
        }
    }

    private void commitAll() {
        committed.clear();
        for (Map.Entry<String, Model> e : files.entrySet()) {
            committed.put(e.getKey(), (long) e.getValue().data.length);
        }
    }

    /** Checks the rebooted store against the acknowledged state, then takes it as the model's new start. */
    private void verifyAndAdopt(DaxStore store, String where) {
        assertEquals(new TreeMap<>(committed).keySet(), new java.util.TreeSet<>(store.names()),
                where + ": the files of the last commit");
        Map<String, Model> next = new TreeMap<>();
        for (String name : store.names()) {
            DaxFile f = store.open(name);
            long size = committed.get(name);
            assertEquals(size, f.size(), where + ": size of " + name);
            byte[] actual = new byte[(int) size];
            f.read(0, actual, 0, actual.length);
            Model m = files.get(name);
            if (m != null) {
                for (int i = 0; i < actual.length && i < m.acked.length; i++) {
                    if (!m.uncertain.get(i) && actual[i] != m.acked[i]) {
                        throw new AssertionError(where + ": byte " + i + " of " + name + " was " + m.acked[i]
                                + " at its last fsync and is " + actual[i] + " after the crash");
                    }
                }
            }
            Model fresh = new Model();
            fresh.data = actual;
            fresh.acked = actual.clone();
            next.put(name, fresh);
        }
        files = next;
        commitAll();
    }
}
