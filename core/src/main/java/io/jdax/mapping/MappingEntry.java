package io.jdax.mapping;

/**
 * A snapshot of one entry of a mapping, for inspection (kernel: a DAX value entry and its marks).
 *
 * @param index    first file page the entry covers
 * @param order    0, or {@link Mapping#PMD_ORDER} for a PMD entry covering 512 pages
 * @param pfn      first page it maps, or -1 for a zero-page or empty entry
 * @param locked   whether a fault or another holder has the entry locked
 * @param zeroPage whether it maps the shared zero page (a read of a hole)
 * @param empty    whether it is a placeholder a fault has not filled yet
 * @param dirty    whether it is marked {@link Mark#DIRTY}
 * @param towrite  whether it is marked {@link Mark#TOWRITE}
 */
public record MappingEntry(long index, int order, long pfn, boolean locked, boolean zeroPage, boolean empty,
                           boolean dirty, boolean towrite) {

    static MappingEntry of(long index, long e, boolean dirty, boolean towrite) {
        return new MappingEntry(index, DaxEntry.order(e), DaxEntry.mapsFolio(e) ? DaxEntry.pfn(e) : -1,
                DaxEntry.isLocked(e), DaxEntry.isZero(e), DaxEntry.isEmpty(e), dirty, towrite);
    }
}
