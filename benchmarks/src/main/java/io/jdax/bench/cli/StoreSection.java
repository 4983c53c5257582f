package io.jdax.bench.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The store's copy paths against the JDK's: 4 KiB at a random offset of a 1 GiB file, {@code DaxFile.read} /
 * {@code write}, a zero-copy {@code FileView} mapped per operation and views mapped once (a file of 2 MiB
 * extents) against {@code FileChannel.read} / {@code write} ({@code StoreBenchmark.storeRead} ...
 * {@code mappedWrite}, each at the first declared value of any parameter), every jdax path held to
 * FileChannel / jdax >= 5.
 */
final class StoreSection implements Section {

    static final String CLASS = "StoreBenchmark";
    /** Per row (read, write): the DaxFile method, the FileView one, the views mapped once, the FileChannel one. */
    static final String[][] METHODS = {{"storeRead", "viewRead", "mappedRead", "channelRead"},
            {"storeWrite", "viewWrite", "mappedWrite", "channelWrite"}};
    /** Index of the FileChannel method in a row of {@link #METHODS}; the jdax ones come before it. */
    private static final int CHANNEL = 3;
    private static final String[] LABELS = {"DaxFile.", "FileView ", "FileView mapped once, "};
    static final String[] ROWS = {"read", "write"};
    static final double TARGET = 5;

    @Override
    public String id() {
        return "store";
    }

    @Override
    public String title() {
        return "4 KiB at a random offset of a 1 GiB file, the store vs FileChannel";
    }

    static Key key(String method) {
        return Key.of(CLASS + "." + method);
    }

    @Override
    public List<Key> keys(boolean quick, Catalog catalog) {
        List<Key> keys = new ArrayList<>();
        for (String[] row : METHODS) {
            for (String m : row) {
                String b = CLASS + "." + m;
                if (catalog.has(b)) {
                    Map<String, String> p = new LinkedHashMap<>();
                    catalog.benchmarks().get(b).forEach((name, values) -> p.put(name, values.get(0)));
                    keys.add(new Key(b, p));
                }
            }
        }
        return keys;
    }

    private static List<Key> all() {
        List<Key> keys = new ArrayList<>();
        for (String[] row : METHODS) {
            for (String m : row) {
                keys.add(key(m));
            }
        }
        return keys;
    }

    @Override
    public Optional<Table> table(Results r) {
        if (!Section.any(r, all())) {
            return Optional.empty();
        }
        Table t = Table.of(title() + " (" + Section.unit(r, all()) + ", medians; target: FileChannel / jdax >= "
                + Table.ratio(TARGET) + ")", "", "DaxFile", "FileView per op", "FileView mapped once", "FileChannel",
                "FileChannel / DaxFile", "FileChannel / FileView per op", "FileChannel / FileView mapped once");
        for (int i = 0; i < METHODS.length; i++) {
            String[] m = METHODS[i];
            t = t.with("4 KiB " + ROWS[i], Section.cell(r, key(m[0])), Section.cell(r, key(m[1])),
                    Section.cell(r, key(m[2])), Section.cell(r, key(m[CHANNEL])),
                    Section.ratioCell(Section.ratio(r, key(m[CHANNEL]), key(m[0]))),
                    Section.ratioCell(Section.ratio(r, key(m[CHANNEL]), key(m[1]))),
                    Section.ratioCell(Section.ratio(r, key(m[CHANNEL]), key(m[2]))));
        }
        return Optional.of(t);
    }

    @Override
    public List<Ratio> ratios(Results r) {
        List<Ratio> out = new ArrayList<>();
        for (int i = 0; i < METHODS.length; i++) {
            String[] m = METHODS[i];
            for (int j = 0; j < CHANNEL; j++) {
                OptionalDouble v = Section.ratio(r, key(m[CHANNEL]), key(m[j]));
                if (v.isPresent()) {
                    out.add(Ratio.of("random 4 KiB " + ROWS[i] + ", FileChannel / " + LABELS[j] + ROWS[i], v.getAsDouble(),
                            ">=", TARGET));
                }
            }
        }
        return out;
    }
}
