package io.jdax.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Compound folios against order 0: device DAX today, file mappings and sparse fsync when their benchmarks exist. */
final class CompoundSections {

    private CompoundSections() {
    }

    /** Device DAX, a whole 1 GiB device: pin + unpin, and map + close of every view, at orders 0, 9 and 18. */
    static final class Device implements Section {
        private static final String[] OPS = {"pinUnpinWholeRange", "mapAndCloseEveryView"};
        private static final String[] LABELS = {"pin + unpin", "map + close every view"};
        private static final String[] ORDERS = {"0", "9", "18"};
        /** Quick mode leaves order 18 out: no target rests on it. */
        private static final String[] QUICK_ORDERS = {"0", "9"};

        private static Key key(int op, String order) {
            return Key.of("DeviceBenchmark." + OPS[op], "order", order);
        }

        @Override
        public String id() {
            return "device";
        }

        @Override
        public String title() {
            return "Compound vs order-0 folios, device DAX, a whole 1 GiB device";
        }

        @Override
        public List<Key> keys(boolean quick, Catalog catalog) {
            List<Key> keys = new ArrayList<>();
            for (int op = 0; op < OPS.length; op++) {
                for (String o : quick ? QUICK_ORDERS : ORDERS) {
                    Key k = key(op, o);
                    if (catalog.has(k.benchmark())) {
                        keys.add(k);
                    }
                }
            }
            return keys;
        }

        private List<Key> all() {
            List<Key> keys = new ArrayList<>();
            for (int op = 0; op < OPS.length; op++) {
                for (String o : ORDERS) {
                    keys.add(key(op, o));
                }
            }
            return keys;
        }

        @Override
        public Optional<Table> table(Results r) {
            if (!Section.any(r, all())) {
                return Optional.empty();
            }
            Table t = Table.of(title() + " (" + Section.unit(r, all()) + ", medians)", "", "order 0", "order 9",
                    "order 18", "0 / 9", "0 / 18");
            for (int op = 0; op < OPS.length; op++) {
                t = t.with(LABELS[op], Section.cell(r, key(op, "0")), Section.cell(r, key(op, "9")),
                        Section.cell(r, key(op, "18")), Section.ratioCell(Section.ratio(r, key(op, "0"), key(op, "9"))),
                        Section.ratioCell(Section.ratio(r, key(op, "0"), key(op, "18"))));
            }
            return Optional.of(t);
        }

        @Override
        public List<Ratio> ratios(Results r) {
            List<Ratio> out = new ArrayList<>();
            for (int op = 0; op < OPS.length; op++) {
                int o = op;
                Section.ratio(r, key(op, "0"), key(op, "9")).ifPresent(v ->
                        out.add(Ratio.of("device " + LABELS[o] + ", order 0 / order 9", v, ">=", 100)));
            }
            return out;
        }
    }

    /**
     * Extension point: file mappings, compound vs order-0 extents. Every benchmark of a class named
     * {@code MappingBenchmark} that has an {@code order} parameter with the values 0 and 9 is run at both
     * (other parameters at their first declared value) and shown with the 0 / 9 ratio; the one named
     * {@code mapAndCloseEveryView} is held to >= 100x. Nothing is shown while no such class is in the jar. Quick
     * mode leaves out {@code faultInsert}, whose deletion of 512 entries before every invocation makes it the
     * slowest to run; its ratio is reported, not held to a target.
     */
    static final class FileMapping implements Section {
        static final String CLASS = "MappingBenchmark";
        static final java.util.Set<String> NOT_QUICK = java.util.Set.of(CLASS + ".faultInsert");

        @Override
        public String id() {
            return "mapping";
        }

        @Override
        public String title() {
            return "Compound vs order-0 extents, file mappings";
        }

        @Override
        public List<Key> keys(boolean quick, Catalog catalog) {
            List<Key> keys = new ArrayList<>();
            catalog.ofClass(CLASS).forEach((b, params) -> {
                List<String> orders = params.get("order");
                if (orders == null || !orders.contains("0") || !orders.contains("9") || quick && NOT_QUICK.contains(b)) {
                    return;
                }
                for (String order : new String[] {"0", "9"}) {
                    Map<String, String> p = new java.util.LinkedHashMap<>();
                    params.forEach((name, values) -> p.put(name, name.equals("order") ? order : values.get(0)));
                    keys.add(new Key(b, p));
                }
            });
            return keys;
        }

        /** The (order 0, order 9) pairs in the results, by benchmark and its other parameters. */
        private static List<Key[]> pairs(Results r) {
            List<Key[]> pairs = new ArrayList<>();
            for (Results.Entry e : r.entries()) {
                if (!e.benchmark().startsWith(CLASS + ".") || !"0".equals(e.params().get("order"))) {
                    continue;
                }
                Map<String, String> nine = new java.util.HashMap<>(e.params());
                nine.put("order", "9");
                Key k9 = new Key(e.benchmark(), nine);
                if (k9.in(r).isPresent()) {
                    pairs.add(new Key[] {new Key(e.benchmark(), e.params()), k9});
                }
            }
            return pairs;
        }

        private static String label(Key k) {
            Map<String, String> others = new java.util.TreeMap<>(k.params());
            others.remove("order");
            String method = k.benchmark().substring(CLASS.length() + 1);
            return others.isEmpty() ? method : method + " " + others;
        }

        @Override
        public Optional<Table> table(Results r) {
            List<Key[]> pairs = pairs(r);
            if (pairs.isEmpty()) {
                return Optional.empty();
            }
            Table t = Table.of(title() + " (" + Section.unit(r, List.of(pairs.get(0)[0])) + ", medians)", "",
                    "order 0", "order 9", "0 / 9");
            for (Key[] p : pairs) {
                t = t.with(label(p[0]), Section.cell(r, p[0]), Section.cell(r, p[1]),
                        Section.ratioCell(Section.ratio(r, p[0], p[1])));
            }
            return Optional.of(t);
        }

        @Override
        public List<Ratio> ratios(Results r) {
            List<Ratio> out = new ArrayList<>();
            for (Key[] p : pairs(r)) {
                double v = Section.ratio(r, p[0], p[1]).getAsDouble();
                String label = "file mapping " + label(p[0]) + ", order 0 / order 9";
                out.add(p[0].benchmark().endsWith(".mapAndCloseEveryView") ? Ratio.of(label, v, ">=", 100)
                        : Ratio.reported(label, v));
            }
            return out;
        }
    }

    /**
     * Extension point: fsync of a file with a few scattered dirty pages, written back entry by entry, against a
     * {@code force()} of the whole mapping: {@code StoreBenchmark.sparseFsync} and
     * {@code StoreBenchmark.wholeRangeForce} (no parameters, or the first declared value of each), held to
     * >= 10x. Nothing is shown while those benchmarks are not in the jar.
     */
    static final class SparseFsync implements Section {
        static final Key SPARSE = Key.of("StoreBenchmark.sparseFsync");
        static final Key WHOLE = Key.of("StoreBenchmark.wholeRangeForce");

        @Override
        public String id() {
            return "fsync";
        }

        @Override
        public String title() {
            return "Sparse fsync vs a whole-range force";
        }

        @Override
        public List<Key> keys(boolean quick, Catalog catalog) {
            if (!catalog.has(SPARSE.benchmark()) || !catalog.has(WHOLE.benchmark())) {
                return List.of();
            }
            return List.of(firstValues(SPARSE, catalog), firstValues(WHOLE, catalog));
        }

        private static Key firstValues(Key k, Catalog catalog) {
            Map<String, String> p = new java.util.LinkedHashMap<>();
            catalog.benchmarks().get(k.benchmark()).forEach((name, values) -> p.put(name, values.get(0)));
            return new Key(k.benchmark(), p);
        }

        @Override
        public Optional<Table> table(Results r) {
            OptionalDouble v = Section.ratio(r, WHOLE, SPARSE);
            if (v.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(Table.of(title() + " (" + Section.unit(r, List.of(SPARSE)) + ", medians)",
                    "sparse fsync", "whole-range force", "force / sparse")
                    .with(Section.cell(r, SPARSE), Section.cell(r, WHOLE), Table.ratio(v.getAsDouble())));
        }

        @Override
        public List<Ratio> ratios(Results r) {
            OptionalDouble v = Section.ratio(r, WHOLE, SPARSE);
            return v.isPresent() ? List.of(Ratio.of("whole-range force / sparse fsync", v.getAsDouble(), ">=", 10))
                    : List.of();
        }
    }
}
