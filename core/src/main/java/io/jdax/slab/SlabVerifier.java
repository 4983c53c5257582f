package io.jdax.slab;

import static io.jdax.internal.PageDescriptor.info;
import static io.jdax.internal.PageDescriptor.isSlab;
import static io.jdax.internal.PageDescriptor.slabClass;
import static io.jdax.internal.PageDescriptor.slabId;

import io.jdax.page.PageMap;

import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One full check of a slab allocator's accounting against its lists, its stripes and the descriptors
 * (kernel: what {@code validate_slab} and {@code SLUB_DEBUG}'s list checks look at). Runs with every class
 * lock held by the caller and each slab locked while it is read.
 */
final class SlabVerifier {

    private final PageMap map;
    private final MemorySegment memmap;
    private final SlabCache[] caches;
    private final Slab[] current;
    private final int classCount;
    private final int emptySlabsKept;
    private final SlabTable table;
    private final Map<Slab, String> place = new IdentityHashMap<>();

    SlabVerifier(PageMap map, MemorySegment memmap, SlabCache[] caches, Slab[] current, int classCount,
                 int emptySlabsKept, SlabTable table) {
        this.map = map;
        this.memmap = memmap;
        this.caches = caches;
        this.current = current;
        this.classCount = classCount;
        this.emptySlabsKept = emptySlabsKept;
        this.table = table;
    }

    void check() {
        for (int i = 0; i < current.length; i++) {
            Slab s = current[i];
            if (s != null) {
                require(s.cache.index == i % classCount, s + " is current for class slot " + i % classCount);
                claim(s, "current of stripe " + i / classCount);
            }
        }
        for (SlabCache c : caches) {
            int n = 0;
            for (Slab s = c.firstPartial(); s != null; s = s.next) {
                require(s.cache == c, s + " is on the partial list of " + c);
                claim(s, "the partial list");
                n++;
            }
            require(n == c.partialCount(), c + ": partial list has " + n + " slabs, count says " + c.partialCount());
            n = 0;
            for (Slab s = c.firstEmpty(); s != null; s = s.next) {
                require(s.cache == c, s + " is on the empty list of " + c);
                claim(s, "the empty list");
                n++;
            }
            require(n == c.emptyCount(), c + ": empty list has " + n + " slabs, count says " + c.emptyCount());
            require(n <= emptySlabsKept, c + " keeps " + n + " empty slabs, more than " + emptySlabsKept);
        }
        Slab[] live = table.snapshot();
        for (Slab s : live) {
            s.lock();
            try {
                checkSlab(s);
            } finally {
                s.unlock();
            }
        }
        require(place.size() == countListed(live), "a listed or current slab is not in the slab table");
        checkMarks();
    }

    private void checkSlab(Slab s) {
        int state = s.state();
        String where = place.get(s);
        String expected = switch (state) {
            case Slab.CURRENT -> "current";
            case Slab.PARTIAL -> "the partial list";
            case Slab.EMPTY -> "the empty list";
            case Slab.FULL -> null;
            default -> "nowhere: it is " + Slab.stateName(state) + " but still in the slab table";
        };
        boolean placed = expected == null ? where == null
                : where != null && (state == Slab.CURRENT ? where.startsWith("current") : where.equals(expected));
        require(placed, s + " is " + Slab.stateName(state) + " but found on " + (where == null ? "no list" : where));
        int free = s.freeCount();
        int freeBits = s.countFreeBits();
        require(free == freeBits, s + ": free count " + free + " but " + freeBits + " free bits");
        int lastBits = s.capacity - ((s.bitmapWords() - 1) << 6);
        require(lastBits == 64 || s.bitmapWord(s.bitmapWords() - 1) >>> lastBits == 0, s
                + " has free bits past its capacity " + s.capacity);
        long live = 0;
        long requested = 0;
        for (int i = 0; i < s.capacity; i++) {
            if (s.isLive(i)) {
                live++;
                int size = s.size(i);
                require(size >= 1 && size <= s.cache.objectSize, s + ": object " + i + " records a request of "
                        + size + " bytes in a " + s.cache.objectSize + "-byte class");
                requested += size;
            }
        }
        require(live + free == s.capacity, s + ": " + live + " live + " + free + " free != capacity " + s.capacity);
        require(requested == s.requestedBytes(), s + ": requested bytes " + s.requestedBytes() + " but live objects "
                + "asked for " + requested);
        switch (state) {
            case Slab.FULL -> require(free == 0, s + " is full with " + free + " free objects");
            case Slab.PARTIAL -> require(free > 0 && free < s.capacity, s + " is partial with " + free + " of "
                    + s.capacity + " objects free");
            case Slab.EMPTY -> require(free == s.capacity, s + " is empty with " + live + " live objects");
            default -> { }
        }
        long head = s.head;
        long info = info(memmap, head);
        require(isSlab(info), s + ": its folio " + head + " is not marked as a slab");
        require(slabClass(memmap, head) == s.cache.index && slabId(memmap, head) == s.id, s + ": its folio's mark "
                + "says class " + slabClass(memmap, head) + ", id " + slabId(memmap, head));
        require(map.order(head) == s.cache.order, s + ": folio of order " + map.order(head) + ", class wants "
                + s.cache.order);
        require(map.refCount(head) == 1, s + ": folio refcount " + map.refCount(head) + ", the slab's own is 1");
        require(s.base == head << map.pageShift(), s + ": object 0 at " + s.base + ", not at its folio");
    }

    private int countListed(Slab[] live) {
        int n = 0;
        for (Slab s : live) {
            if (place.containsKey(s)) {
                n++;
            }
        }
        return n;
    }

    /** Only heads of live slabs carry the slab mark. */
    private void checkMarks() {
        for (long pfn = 0; pfn < map.nrPages(); pfn++) {
            if (isSlab(info(memmap, pfn))) {
                Slab s = table.get(slabId(memmap, pfn));
                require(s != null && s.head == pfn, "page " + pfn + " is marked as slab " + slabId(memmap, pfn)
                        + " but no live slab has that folio");
            }
        }
    }

    private void claim(Slab s, String where) {
        String before = place.put(s, where);
        require(before == null, s + " is on two places: " + before + " and " + where);
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalStateException("slab invariant broken: " + problem);
        }
    }
}
