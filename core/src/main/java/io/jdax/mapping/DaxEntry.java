package io.jdax.mapping;

/**
 * Layout of one entry of a mapping's entry map (kernel: the XArray value entries of fs/dax.c,
 * {@code pfn << DAX_SHIFT | flags}). An entry is a plain {@code long}; 0 is "no entry".
 *
 * <pre>
 *   63                                                     5   4   3   2   1   0
 *  +-------------------------------------------------------+---+---+---+---+---+
 *  | pfn of the first page the entry maps (0 if none)      |VAL|EMP|ZER|PMD|LCK|
 *  +-------------------------------------------------------+---+---+---+---+---+
 *   LCK  DAX_LOCKED: the entry lock, changed only under the mapping's lock
 *   PMD  DAX_PMD: the entry covers 2^PMD_ORDER indices from an aligned index; else one index
 *   ZER  DAX_ZERO_PAGE: a hole read, mapped to the shared zero page
 *   EMP  DAX_EMPTY: a placeholder that a fault inserted locked and has not filled yet
 *   VAL  always set, so that an order-0 entry of pfn 0 is not mistaken for "no entry" (the kernel's
 *        xa_mk_value sets bit 0 of the stored word for the same reason)
 * </pre>
 */
final class DaxEntry {

    static final long LOCKED = 1L;
    static final long PMD = LOCKED << 1;
    static final long ZERO = PMD << 1;
    static final long EMPTY = ZERO << 1;
    static final long VALUE = EMPTY << 1;
    /** Kernel: {@code DAX_SHIFT} (4 there: its value bit lives below the shift). */
    static final int SHIFT = Long.numberOfTrailingZeros(VALUE) + 1;
    static final long MAX_PFN = (1L << (Long.SIZE - SHIFT)) - 1;

    /** The PMD order for 4 KiB pages: an order-9 entry covers 512 indices. */
    static final int PMD_ORDER = 9;
    static final long PMD_PAGES = 1L << PMD_ORDER;
    /** Kernel: {@code PG_PMD_COLOUR}. */
    static final long PMD_COLOUR = PMD_PAGES - 1;

    static final long NONE = 0;

    private DaxEntry() {
    }

    static long make(long pfn, int order, long flags) {
        assert pfn >= 0 && pfn <= MAX_PFN && (order == 0 || order == PMD_ORDER) : pfn + "/" + order;
        return pfn << SHIFT | (order == PMD_ORDER ? PMD : 0) | flags | VALUE;
    }

    static long empty(int order) {
        return make(0, order, EMPTY);
    }

    static long zero(int order) {
        return make(0, order, ZERO);
    }

    static long pfn(long entry) {
        return entry >>> SHIFT;
    }

    static int order(long entry) {
        return (entry & PMD) != 0 ? PMD_ORDER : 0;
    }

    static long pages(long entry) {
        return 1L << order(entry);
    }

    static boolean isLocked(long entry) {
        return (entry & LOCKED) != 0;
    }

    static boolean isPmd(long entry) {
        return (entry & PMD) != 0;
    }

    static boolean isZero(long entry) {
        return (entry & ZERO) != 0;
    }

    static boolean isEmpty(long entry) {
        return (entry & EMPTY) != 0;
    }

    /** Whether the entry maps a folio of the page map (kernel: neither zero nor empty). */
    static boolean mapsFolio(long entry) {
        return entry != NONE && (entry & (ZERO | EMPTY)) == 0;
    }

    static long locked(long entry) {
        return entry | LOCKED;
    }

    static long unlocked(long entry) {
        return entry & ~LOCKED;
    }

    /** First index the entry covers, given any index it covers. */
    static long start(long entry, long index) {
        return isPmd(entry) ? index & ~PMD_COLOUR : index;
    }

    static String describe(long entry) {
        if (entry == NONE) {
            return "none";
        }
        StringBuilder b = new StringBuilder("order-").append(order(entry));
        if (isZero(entry)) {
            b.append(" zero");
        } else if (isEmpty(entry)) {
            b.append(" empty");
        } else {
            b.append(" pfn ").append(pfn(entry));
        }
        return isLocked(entry) ? b.append(" locked").toString() : b.toString();
    }
}
