package io.jdax.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Layout of the per-page descriptor (kernel: {@code struct page}), one 32-byte record per page in the
 * off-heap memmap segment of a page map, addressed by page frame number (pfn). Half the kernel's 64 bytes.
 *
 * <pre>
 *  byte 0              4              8                             16             24             32
 *  +--------------+--------------+------------------------------+--------------+--------------+
 *  | refcount i32 | mapcount i32 | info i64                     | mapping i64  | index i64    |
 *  +--------------+--------------+------------------------------+--------------+--------------+
 *
 *  mapping slot of a head page on a dax or device map: the owner word (kernel: folio->mapping and the
 *  index / share union, in one word so that every ownership change is one compare-and-set)
 *   63  62                          39 38                                           0
 *  +---+------------------------------+----------------------------------------------+
 *  | 0 | mapping id, 24 bits, &gt;= 1     | file index, 39 bits                          |  owned
 *  | 1 | share count, 63 bits, &gt;= 1                                                  |  shared
 *  | 0 | 0                                                                            |  unowned
 *  +---+------------------------------+----------------------------------------------+
 *
 *  info (kernel: page->flags and page->compound_head in one word, so that page_folio() is one load)
 *   63                                          16 15   11 10    6   5   4   3   2   1   0
 *  +----------------------------------------------+-------+-------+---+---+---+---+---+---+
 *  | link: head pfn of a TAIL page, else 0        | buddy | folio |spr|SLB|HWP|BDY|TL |HD |
 *  |                                              | order | order |   |   |   |   |   |   |
 *  +----------------------------------------------+-------+-------+---+---+---+---+---+---+
 *   HD   PG_head: first page of a compound folio
 *   TL   tail page; link holds the head pfn (kernel: compound_head = head + 1, bit 0 = tail)
 *   BDY  PageBuddy: first page of a free block in the buddy allocator; "buddy order" is its order
 *        (kernel: page->private)
 *   HWP  PG_hwpoison: memory failure reported for this page
 *   SLB  PageSlab: head page of an allocated folio that a slab allocator carves into objects; while set,
 *        the head's mapping slot holds the slab's size class and its index slot the slab's id
 *        (kernel: folio->slab_cache)
 *   folio order: meaningful on page[1] of a large folio only (kernel: folio->_flags_1 &amp; 0xff)
 * </pre>
 *
 * <p>Overlays, as in the kernel's {@code struct folio}:
 * <ul>
 *   <li>page[1] of a large folio: the {@code mapping} slot holds {@code pincount} (i32 at byte 16, kernel
 *       {@code _pincount}) and {@code entire mapcount} (i32 at byte 20, kernel {@code _entire_mapcount}).</li>
 *   <li>a head page of a dax or device map: {@code mapping} holds the owner word above; a shared folio
 *       (reflinked extent) has no single owner and counts its sharers in the same word. The {@code index}
 *       slot is unused there.</li>
 *   <li>a free buddy block's first page: {@code mapping} and {@code index} hold the next and previous pfn
 *       of its free list (kernel: {@code page->buddy_list}), {@link #NIL} at the ends.</li>
 *   <li>the head of an allocated folio of a pool map: {@code index} holds the bytes its allocation was
 *       charged with (its buddy allocator's own; a slab mark overlays it and clears it again).</li>
 * </ul>
 *
 * <p>Counts are zero-based: refcount 0 means idle (the kernel's fs-dax convention since 2025), mapcount 0
 * means unmapped (the kernel's is -1 based). Tail pages always have refcount 0.
 *
 * <p>All accessors take the memmap segment and a pfn that the caller has already range-checked.
 * Field offsets are built up one from the other; change one and the rest follow.
 */
public final class PageDescriptor {

    public static final int REFCOUNT_OFFSET = 0;
    public static final int MAPCOUNT_OFFSET = REFCOUNT_OFFSET + Integer.BYTES;
    public static final int INFO_OFFSET = MAPCOUNT_OFFSET + Integer.BYTES;
    public static final int MAPPING_OFFSET = INFO_OFFSET + Long.BYTES;
    public static final int INDEX_OFFSET = MAPPING_OFFSET + Long.BYTES;
    /** Bytes per descriptor. */
    public static final int SIZE = INDEX_OFFSET + Long.BYTES;
    /** log2 of {@link #SIZE}: a descriptor's offset is {@code pfn << SIZE_SHIFT}. */
    public static final int SIZE_SHIFT = Integer.numberOfTrailingZeros(SIZE);

    /** page[1] overlay of the mapping slot. */
    public static final int PINCOUNT_OFFSET = MAPPING_OFFSET;
    public static final int ENTIRE_MAPCOUNT_OFFSET = PINCOUNT_OFFSET + Integer.BYTES;

    // info word, from bit 0 up
    public static final long HEAD = 1L;
    public static final long TAIL = HEAD << 1;
    public static final long BUDDY = TAIL << 1;
    public static final long HWPOISON = BUDDY << 1;
    public static final long SLAB = HWPOISON << 1;
    private static final int FLAG_BITS = 6; // 5 used, 1 spare
    public static final int ORDER_BITS = 5;
    public static final int FOLIO_ORDER_SHIFT = FLAG_BITS;
    public static final int BUDDY_ORDER_SHIFT = FOLIO_ORDER_SHIFT + ORDER_BITS;
    public static final int LINK_SHIFT = BUDDY_ORDER_SHIFT + ORDER_BITS;
    private static final long ORDER_MASK = (1L << ORDER_BITS) - 1;
    public static final long FOLIO_ORDER_MASK = ORDER_MASK << FOLIO_ORDER_SHIFT;
    public static final long BUDDY_ORDER_MASK = ORDER_MASK << BUDDY_ORDER_SHIFT;
    /** Largest order an info word can hold. */
    public static final int MAX_ORDER = (int) ORDER_MASK;
    /** Largest pfn a tail's link can hold. */
    public static final long MAX_PFN = (1L << (Long.SIZE - LINK_SHIFT)) - 1;

    /** End of a free list. */
    public static final long NIL = -1L;

    static {
        assert SIZE == 32 && LINK_SHIFT == 16;
    }

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private PageDescriptor() {
    }

    public static long offset(long pfn) {
        return pfn << SIZE_SHIFT;
    }

    // ---- refcount: every RMW is a volatile (fully ordered) access, as the kernel's value-returning atomics

    public static int refcount(MemorySegment memmap, long pfn) {
        return (int) INT.getVolatile(memmap, offset(pfn) + REFCOUNT_OFFSET);
    }

    public static int getAndAddRefcount(MemorySegment memmap, long pfn, int delta) {
        return (int) INT.getAndAdd(memmap, offset(pfn) + REFCOUNT_OFFSET, delta);
    }

    /**
     * Sets the count of a folio its allocator owns exclusively (kernel: {@code set_page_refcounted}, a plain
     * set). Release: whoever the folio is handed to sees the allocator's writes to it.
     */
    public static void setRefcountRelease(MemorySegment memmap, long pfn, int value) {
        INT.setRelease(memmap, offset(pfn) + REFCOUNT_OFFSET, value);
    }

    /** Returns the witness value: equal to {@code expected} when the exchange happened. */
    public static int compareAndExchangeRefcount(MemorySegment memmap, long pfn, int expected, int value) {
        return (int) INT.compareAndExchange(memmap, offset(pfn) + REFCOUNT_OFFSET, expected, value);
    }

    // ---- mapcount

    public static int mapcount(MemorySegment memmap, long pfn) {
        return (int) INT.getVolatile(memmap, offset(pfn) + MAPCOUNT_OFFSET);
    }

    public static int getAndAddMapcount(MemorySegment memmap, long pfn, int delta) {
        return (int) INT.getAndAdd(memmap, offset(pfn) + MAPCOUNT_OFFSET, delta);
    }

    // ---- info: acquire loads pair with release stores, so a reader that sees a link sees what came before it

    public static long info(MemorySegment memmap, long pfn) {
        return (long) LONG.getAcquire(memmap, offset(pfn) + INFO_OFFSET);
    }

    public static void setInfo(MemorySegment memmap, long pfn, long info) {
        LONG.setRelease(memmap, offset(pfn) + INFO_OFFSET, info);
    }

    public static boolean isHead(long info) {
        return (info & HEAD) != 0;
    }

    public static boolean isTail(long info) {
        return (info & TAIL) != 0;
    }

    public static long link(long info) {
        return info >>> LINK_SHIFT;
    }

    public static long tailInfo(long headPfn) {
        return headPfn << LINK_SHIFT | TAIL;
    }

    public static int folioOrderBits(long info) {
        return (int) ((info & FOLIO_ORDER_MASK) >>> FOLIO_ORDER_SHIFT);
    }

    public static long withFolioOrder(long info, int order) {
        return info & ~FOLIO_ORDER_MASK | (long) order << FOLIO_ORDER_SHIFT;
    }

    public static int buddyOrderBits(long info) {
        return (int) ((info & BUDDY_ORDER_MASK) >>> BUDDY_ORDER_SHIFT);
    }

    public static long withBuddyOrder(long info, int order) {
        return info & ~BUDDY_ORDER_MASK | (long) order << BUDDY_ORDER_SHIFT;
    }

    // ---- page[1] overlay of a large folio

    public static int pincount(MemorySegment memmap, long headPfn) {
        return (int) INT.getVolatile(memmap, offset(headPfn + 1) + PINCOUNT_OFFSET);
    }

    public static int getAndAddPincount(MemorySegment memmap, long headPfn, int delta) {
        return (int) INT.getAndAdd(memmap, offset(headPfn + 1) + PINCOUNT_OFFSET, delta);
    }

    public static int entireMapcount(MemorySegment memmap, long headPfn) {
        return (int) INT.getVolatile(memmap, offset(headPfn + 1) + ENTIRE_MAPCOUNT_OFFSET);
    }

    public static int getAndAddEntireMapcount(MemorySegment memmap, long headPfn, int delta) {
        return (int) INT.getAndAdd(memmap, offset(headPfn + 1) + ENTIRE_MAPCOUNT_OFFSET, delta);
    }

    // ---- mapping / index-or-share (and free-list links while a page is free)

    public static long mapping(MemorySegment memmap, long pfn) {
        return (long) LONG.getVolatile(memmap, offset(pfn) + MAPPING_OFFSET);
    }

    public static void setMapping(MemorySegment memmap, long pfn, long mapping) {
        LONG.setVolatile(memmap, offset(pfn) + MAPPING_OFFSET, mapping);
    }

    public static long index(MemorySegment memmap, long pfn) {
        return (long) LONG.getVolatile(memmap, offset(pfn) + INDEX_OFFSET);
    }

    public static void setIndex(MemorySegment memmap, long pfn, long index) {
        LONG.setVolatile(memmap, offset(pfn) + INDEX_OFFSET, index);
    }

    // ---- owner word (dax and device maps): see the diagram; one word, so owned <-> shared <-> unowned are CASes

    public static final int OWNER_INDEX_BITS = 39;
    public static final int OWNER_ID_BITS = Long.SIZE - 1 - OWNER_INDEX_BITS;
    /** Sign bit: the word counts sharers instead of naming an owner. */
    public static final long OWNER_SHARED = Long.MIN_VALUE;
    public static final long MAX_OWNER_ID = (1L << OWNER_ID_BITS) - 1;
    public static final long MAX_OWNER_INDEX = (1L << OWNER_INDEX_BITS) - 1;
    public static final long MAX_SHARE = Long.MAX_VALUE;

    public static long ownedWord(long mappingId, long index) {
        return mappingId << OWNER_INDEX_BITS | index;
    }

    public static long sharedWord(long share) {
        return OWNER_SHARED | share;
    }

    public static boolean isShared(long ownerWord) {
        return ownerWord < 0;
    }

    /** Mapping id of an owned word; 0 for an unowned or shared one. */
    public static long ownerId(long ownerWord) {
        return ownerWord < 0 ? 0 : ownerWord >>> OWNER_INDEX_BITS;
    }

    public static long ownerIndex(long ownerWord) {
        return ownerWord & MAX_OWNER_INDEX;
    }

    /** Share count of a shared word; 0 otherwise. */
    public static long shareOf(long ownerWord) {
        return ownerWord < 0 ? ownerWord & MAX_SHARE : 0;
    }

    public static long owner(MemorySegment memmap, long pfn) {
        return (long) LONG.getVolatile(memmap, offset(pfn) + MAPPING_OFFSET);
    }

    /** Returns the witness value: equal to {@code expected} when the exchange happened. */
    public static long compareAndExchangeOwner(MemorySegment memmap, long pfn, long expected, long value) {
        return (long) LONG.compareAndExchange(memmap, offset(pfn) + MAPPING_OFFSET, expected, value);
    }

    // ---- free buddy blocks (kernel: PageBuddy, buddy_order, page->buddy_list)

    public static boolean isBuddy(long info) {
        return (info & BUDDY) != 0;
    }

    /** Marks {@code pfn} the first page of a free block of {@code order}; its links are set by the caller. */
    public static void markBuddy(MemorySegment memmap, long pfn, int order) {
        setInfo(memmap, pfn, withBuddyOrder(info(memmap, pfn) | BUDDY, order));
    }

    /** Clears the free-block mark and order of {@code pfn} and its list links: the page is a plain order-0 page. */
    public static void clearBuddy(MemorySegment memmap, long pfn) {
        setInfo(memmap, pfn, withBuddyOrder(info(memmap, pfn) & ~BUDDY, 0));
        setMapping(memmap, pfn, 0);
        setIndex(memmap, pfn, 0);
    }

    /** Next block in a free list (stored in the mapping slot of a free block's first page). */
    public static long nextFree(MemorySegment memmap, long pfn) {
        return mapping(memmap, pfn);
    }

    /** Previous block in a free list (stored in the index slot of a free block's first page). */
    public static long prevFree(MemorySegment memmap, long pfn) {
        return index(memmap, pfn);
    }

    public static void setNextFree(MemorySegment memmap, long pfn, long next) {
        setMapping(memmap, pfn, next);
    }

    public static void setPrevFree(MemorySegment memmap, long pfn, long prev) {
        setIndex(memmap, pfn, prev);
    }

    // ---- slab folios (kernel: PageSlab, folio->slab_cache); the slot writes are the slab allocator's own

    public static boolean isSlab(long info) {
        return (info & SLAB) != 0;
    }

    /**
     * Marks the head of an allocated folio as a slab of size class {@code sizeClass} with id {@code slabId}.
     * The slots first, the flag last with a release store: whoever sees the flag (acquire) sees the slots.
     */
    public static void markSlab(MemorySegment memmap, long head, long sizeClass, long slabId) {
        setMapping(memmap, head, sizeClass);
        setIndex(memmap, head, slabId);
        setInfo(memmap, head, info(memmap, head) | SLAB);
    }

    /** Clears a slab mark: the flag first, then the slots, leaving the head as its allocator handed it out. */
    public static void clearSlab(MemorySegment memmap, long head) {
        setInfo(memmap, head, info(memmap, head) & ~SLAB);
        setMapping(memmap, head, 0);
        setIndex(memmap, head, 0);
    }

    /** Size class of a slab folio (valid while {@link #isSlab} holds for its head). */
    public static long slabClass(MemorySegment memmap, long head) {
        return mapping(memmap, head);
    }

    /** Id of a slab folio (valid while {@link #isSlab} holds for its head). */
    public static long slabId(MemorySegment memmap, long head) {
        return index(memmap, head);
    }

    /** Whole-descriptor reset to the state of a fresh page: used when a page map is created or verified. */
    public static void clear(MemorySegment memmap, long pfn) {
        memmap.asSlice(offset(pfn), SIZE).fill((byte) 0);
    }
}
