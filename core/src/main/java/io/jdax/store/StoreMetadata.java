package io.jdax.store;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.jdax.mapping.InMemoryExtentSource.StoredBlock;
import io.jdax.mapping.InMemoryExtentSource.StoredExtent;
import io.jdax.memory.Region;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The store's metadata area: the first pages of the region, two slots of equal size written in turn (a
 * shadow-paging commit). A slot holds a header (magic, generation, payload length, CRC32C of the payload) and
 * the payload: the allocated blocks and, per file, its name, size, poison flag and extents. A commit writes the
 * slot not holding the newest generation and flushes it; opening takes the valid slot of the highest generation,
 * so a crash during a commit leaves the previous one in force.
 */
final class StoreMetadata {

    static final long MAGIC = 0x6a64_6178_7374_6f72L; // "jdaxstor"
    private static final int HEADER = 24;
    private static final int VERSION = 1;

    /** One file of the metadata. */
    record FileRecord(String name, long size, boolean poisoned, List<StoredExtent> extents) {
    }

    /** A decoded commit. */
    record Snapshot(long generation, List<StoredBlock> blocks, List<FileRecord> files) {
        static final Snapshot EMPTY = new Snapshot(0, List.of(), List.of());
    }

    private final Region region;
    private final long slotBytes;
    private long generation; // guarded by the store

    StoreMetadata(Region region, long areaBytes) {
        this.region = region;
        this.slotBytes = areaBytes / 2;
    }

    /**
     * The newest valid commit, or {@link Snapshot#EMPTY} on a region that holds none: a metadata area of zeros
     * (a new file), or one whose only commit is a torn first one (a crash during the first commit, which
     * acknowledged nothing).
     *
     * @throws IllegalArgumentException if the area holds no commit and is not zeros: not a store, and opening
     *                                  it as a new one would write over whatever it holds
     * @throws IllegalStateException    if commits were made (a generation past the first) and neither slot
     *                                  holds a valid one: the metadata is corrupt, and the files' blocks cannot
     *                                  be found
     */
    Snapshot load() {
        Snapshot best = Snapshot.EMPTY;
        boolean anyMagic = false;
        long newestSeen = 0; // highest generation in a slot with the magic, valid or not
        String[] why = new String[2];
        for (int slot = 0; slot < 2; slot++) {
            MemorySegment seg = region.segment().asSlice(slot * slotBytes, slotBytes);
            if (seg.get(JAVA_LONG_UNALIGNED, 0) == MAGIC) {
                anyMagic = true;
                newestSeen = Math.max(newestSeen, seg.get(JAVA_LONG_UNALIGNED, 8));
            }
            Snapshot s = read(slot, why);
            if (s != null && s.generation() > best.generation()) {
                best = s;
            }
        }
        if (best == Snapshot.EMPTY) {
            // a commit writes its payload before its header: a torn first commit may leave payload bytes, but a
            // header of zeros or with the magic; anything else in a header is not ours
            if (!anyMagic && !(zeros(0) && zeros(slotBytes))) {
                throw new IllegalArgumentException(region + " holds no jdax store (its metadata headers at offsets 0 "
                        + "and " + slotBytes + " hold neither a commit nor zeros): refusing to open it as a new "
                        + "store, which would write over what it holds");
            }
            if (newestSeen > 1) {
                throw new IllegalStateException("the store metadata of " + region + " is corrupt: commits up to "
                        + "generation " + newestSeen + " were made, and neither slot holds a valid one (slot 0: "
                        + why[0] + "; slot 1: " + why[1] + "); the files' blocks cannot be found");
            }
        }
        generation = best.generation();
        return best;
    }

    /** Whether the header at {@code offset} is all zeros. */
    private boolean zeros(long offset) {
        MemorySegment h = region.segment().asSlice(offset, HEADER);
        for (int i = 0; i < HEADER; i += 8) {
            if (h.get(JAVA_LONG_UNALIGNED, i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The commit in {@code slot}, or null with the reason in {@code why[slot]}. */
    private Snapshot read(int slot, String[] why) {
        MemorySegment seg = region.segment().asSlice(slot * slotBytes, slotBytes);
        if (seg.get(JAVA_LONG_UNALIGNED, 0) != MAGIC) {
            why[slot] = "no commit";
            return null;
        }
        long gen = seg.get(JAVA_LONG_UNALIGNED, 8);
        int len = seg.get(JAVA_INT_UNALIGNED, 16);
        int crc = seg.get(JAVA_INT_UNALIGNED, 20);
        if (len < 0 || len > slotBytes - HEADER) {
            why[slot] = "generation " + gen + " has a payload length of " + len + " bytes";
            return null;
        }
        byte[] payload = seg.asSlice(HEADER, len).toArray(ValueLayout.JAVA_BYTE);
        CRC32C c = new CRC32C();
        c.update(payload);
        if ((int) c.getValue() != crc) {
            why[slot] = "generation " + gen + " fails its checksum";
            return null; // a torn commit: the other slot holds the one in force
        }
        try {
            return decode(gen, payload);
        } catch (IOException | RuntimeException e) {
            why[slot] = "generation " + gen + " does not decode: " + e;
            return null;
        }
    }

    /**
     * Writes and flushes a new commit.
     *
     * @throws IllegalStateException if the metadata does not fit its slot (the message says how much it needs)
     */
    void commit(List<StoredBlock> blocks, List<FileRecord> files) {
        byte[] payload = encode(blocks, files);
        if (payload.length > slotBytes - HEADER) {
            throw new IllegalStateException("store metadata of " + payload.length + " bytes does not fit its "
                    + (slotBytes - HEADER) + "-byte slot: too many files or extents for this region");
        }
        long next = generation + 1;
        int slot = (int) (next & 1);
        MemorySegment seg = region.segment().asSlice(slot * slotBytes, slotBytes);
        CRC32C c = new CRC32C();
        c.update(payload);
        MemorySegment.copy(payload, 0, seg, ValueLayout.JAVA_BYTE, HEADER, payload.length);
        seg.set(JAVA_LONG_UNALIGNED, 0, MAGIC);
        seg.set(JAVA_LONG_UNALIGNED, 8, next);
        seg.set(JAVA_INT_UNALIGNED, 16, payload.length);
        seg.set(JAVA_INT_UNALIGNED, 20, (int) c.getValue());
        region.flush(slot * slotBytes, HEADER + payload.length);
        generation = next;
    }

    long generation() {
        return generation;
    }

    private static byte[] encode(List<StoredBlock> blocks, List<FileRecord> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(VERSION);
            out.writeInt(blocks.size());
            for (StoredBlock b : blocks) {
                out.writeLong(b.pfn());
                out.writeByte(b.order());
            }
            out.writeInt(files.size());
            for (FileRecord f : files) {
                out.writeUTF(f.name());
                out.writeLong(f.size());
                out.writeBoolean(f.poisoned());
                out.writeInt(f.extents().size());
                for (StoredExtent e : f.extents()) {
                    out.writeLong(e.index());
                    out.writeLong(e.pfn());
                    out.writeByte(e.order());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    private static Snapshot decode(long gen, byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        if (in.readInt() != VERSION) {
            throw new IOException("unknown metadata version");
        }
        int nb = in.readInt();
        List<StoredBlock> blocks = new ArrayList<>(Math.min(nb, 1 << 16));
        for (int i = 0; i < nb; i++) {
            blocks.add(new StoredBlock(in.readLong(), in.readByte()));
        }
        int nf = in.readInt();
        List<FileRecord> files = new ArrayList<>(Math.min(nf, 1 << 16));
        for (int i = 0; i < nf; i++) {
            String name = in.readUTF();
            long size = in.readLong();
            boolean poisoned = in.readBoolean();
            int ne = in.readInt();
            List<StoredExtent> extents = new ArrayList<>(Math.min(ne, 1 << 16));
            for (int j = 0; j < ne; j++) {
                extents.add(new StoredExtent(in.readLong(), in.readLong(), in.readByte()));
            }
            files.add(new FileRecord(name, size, poisoned, extents));
        }
        return new Snapshot(gen, blocks, files);
    }
}
