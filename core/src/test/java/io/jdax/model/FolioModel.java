package io.jdax.model;

/**
 * What must be true of a page map's descriptors, kept in plain arrays: each page's head, each head's order,
 * refcount (with {@link io.jdax.page.PageMap#PIN_BIAS} per pin of an order-0 folio), mapcount, pin count
 * (large folios) and owner (mapping and index, or a share count). Pure bookkeeping; the rules that decide
 * whether a call is legal live in {@link PageMapWorld}.
 */
final class FolioModel {

    final int nrPages;
    final long[] headOf;
    final int[] order;
    final int[] ref;
    final int[] map;
    final int[] pins;
    final long[] mapping; // 0: unowned or shared
    final long[] index;
    final long[] share;   // > 0 only when mapping == 0

    FolioModel(int nrPages) {
        this.nrPages = nrPages;
        headOf = new long[nrPages];
        order = new int[nrPages];
        ref = new int[nrPages];
        map = new int[nrPages];
        pins = new int[nrPages];
        mapping = new long[nrPages];
        index = new long[nrPages];
        share = new long[nrPages];
        for (int p = 0; p < nrPages; p++) {
            headOf[p] = p;
        }
    }

    boolean isTail(long pfn) {
        return headOf[(int) pfn] != pfn;
    }

    boolean owned(int head) {
        return mapping[head] != 0 || share[head] != 0;
    }

    void prep(int head, int o) {
        order[head] = o;
        for (int p = head + 1; p < head + (1 << o); p++) {
            headOf[p] = head;
        }
    }

    void split(int head) {
        int n = 1 << order[head];
        for (int p = head; p < head + n; p++) {
            headOf[p] = p;
            order[p] = 0;
            mapping[p] = 0;
            index[p] = 0;
            share[p] = 0;
        }
    }
}
