package io.jdax.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** The buffer pool against Netty's two allocators (each as a plain thread gets it and with its cache on) and arenas. */
final class PoolSections {

    static final List<String> ALLOCATORS = List.of("jdax", "nettyPooled", "nettyPooledCached", "nettyAdaptive",
            "nettyAdaptiveCached", "arena");
    static final List<String> NETTY = List.of("nettyPooled", "nettyPooledCached", "nettyAdaptive", "nettyAdaptiveCached");
    static final List<String> HEADERS = List.of("jdax", "Netty pooled", "pooled + cache", "Netty adaptive",
            "adaptive + cache", "Arena.ofConfined");

    private PoolSections() {
    }

    private static String header(String allocator) {
        return HEADERS.get(ALLOCATORS.indexOf(allocator));
    }

    static String size(String bytes) {
        long b = Long.parseLong(bytes);
        return b >= 1 << 20 ? (b >> 20) + " MiB" : b >= 1024 ? (b >> 10) + " KiB" : b + " B";
    }

    /** Allocate + write + release at every size: the matrix, and jdax against the fastest Netty variant. */
    static final class Sizes implements Section {
        static final String BENCH = "PoolSizesBenchmark.allocateWriteRelease";
        static final List<String> SIZES = List.of("64", "256", "1024", "4096", "16384", "65536", "1048576");
        static final List<String> QUICK_SIZES = List.of("256", "4096", "1048576");

        static Key key(String size, String allocator) {
            return Key.of(BENCH, "size", size, "allocator", allocator);
        }

        @Override
        public String id() {
            return "sizes";
        }

        @Override
        public String title() {
            return "Allocate + write 8 bytes + release, one thread, by size";
        }

        @Override
        public List<Key> keys(boolean quick, Catalog catalog) {
            List<Key> keys = new ArrayList<>();
            if (catalog.has(BENCH)) {
                for (String s : quick ? QUICK_SIZES : SIZES) {
                    for (String a : ALLOCATORS) {
                        if (!quick || !a.equals("arena")) { // quick: jdax and every Netty variant, for the ratio
                            keys.add(key(s, a));
                        }
                    }
                }
            }
            return keys;
        }

        private static List<Key> row(Results r, String size) {
            return ALLOCATORS.stream().map(a -> key(size, a)).toList();
        }

        private static OptionalDouble jdaxOverFastestNetty(Results r, String size) {
            OptionalDouble jdax = Section.median(r, key(size, "jdax"));
            OptionalDouble netty = Section.min(r, NETTY.stream().map(a -> key(size, a)).toList());
            return jdax.isPresent() && netty.isPresent()
                    ? OptionalDouble.of(jdax.getAsDouble() / netty.getAsDouble()) : OptionalDouble.empty();
        }

        @Override
        public Optional<Table> table(Results r) {
            List<String> sizes = SIZES.stream().filter(s -> Section.any(r, row(r, s))).toList();
            if (sizes.isEmpty()) {
                return Optional.empty();
            }
            List<String> columns = ALLOCATORS.stream()
                    .filter(a -> sizes.stream().anyMatch(s -> key(s, a).in(r).isPresent())).toList();
            List<String> header = new ArrayList<>(List.of("size"));
            columns.forEach(a -> header.add(header(a)));
            header.add("jdax / fastest Netty");
            List<List<String>> rows = new ArrayList<>();
            for (String s : sizes) {
                List<String> cells = new ArrayList<>(List.of(size(s)));
                columns.forEach(a -> cells.add(Section.cell(r, key(s, a))));
                cells.add(Section.ratioCell(jdaxOverFastestNetty(r, s)));
                rows.add(cells);
            }
            List<Key> all = sizes.stream().flatMap(s -> row(r, s).stream()).toList();
            return Optional.of(new Table(title() + " (" + Section.unit(r, all) + ", medians; target: jdax / fastest Netty < 1)",
                    header, rows));
        }

        @Override
        public List<Ratio> ratios(Results r) {
            List<Ratio> out = new ArrayList<>();
            for (String s : SIZES) {
                jdaxOverFastestNetty(r, s).ifPresent(v ->
                        out.add(Ratio.of(size(s) + " allocate + release, jdax / fastest Netty", v, "<", 1.0)));
            }
            return out;
        }
    }

    /** The burst of 100,000 mixed buffers: time per buffer and the memory held at the peak. */
    static final class Burst implements Section {
        static final String BENCH = "BurstBenchmark.allocateAllReleaseShuffled";
        static final List<String> QUICK = List.of("jdax", "nettyPooled", "nettyAdaptive");
        static final List<String> FULL = List.of("jdax", "nettyPooled", "nettyPooledCached", "nettyAdaptive",
                "nettyAdaptiveCached");

        static Key key(String allocator) {
            return Key.of(BENCH, "allocator", allocator);
        }

        @Override
        public String id() {
            return "burst";
        }

        @Override
        public String title() {
            return "A burst of 100,000 live buffers (70% 256 B, 25% 4 KiB, 5% 64 KiB), released in random order";
        }

        @Override
        public List<Key> keys(boolean quick, Catalog catalog) {
            return catalog.has(BENCH) ? (quick ? QUICK : FULL).stream().map(Burst::key).toList() : List.of();
        }

        private static OptionalDouble held(Results r, String allocator) {
            return key(allocator).in(r).flatMap(e -> e.secondaryMedian("heldMiB"))
                    .map(OptionalDouble::of).orElse(OptionalDouble.empty());
        }

        @Override
        public Optional<Table> table(Results r) {
            List<String> present = FULL.stream().filter(a -> key(a).in(r).isPresent()).toList();
            if (present.isEmpty()) {
                return Optional.empty();
            }
            Table t = Table.of(title() + " (medians)", "", "per buffer (" + Section.unit(r, List.of(key(present.get(0))))
                    + ")", "held at the peak (MiB)", "asked for (MiB)");
            for (String a : present) {
                Results.Entry e = key(a).in(r).orElseThrow();
                t = t.with(header(a), Table.number(e.median()),
                        e.secondaryMedian("heldMiB").map(Table::number).orElse("-"),
                        e.secondaryMedian("requestedMiB").map(Table::number).orElse("-"));
            }
            return Optional.of(t);
        }

        @Override
        public List<Ratio> ratios(Results r) {
            List<Ratio> out = new ArrayList<>();
            List<Key> netty = NETTY.stream().map(Burst::key).toList();
            OptionalDouble jdax = Section.median(r, key("jdax"));
            OptionalDouble fastest = Section.min(r, netty);
            if (jdax.isPresent() && fastest.isPresent()) {
                out.add(Ratio.of("burst time per buffer, jdax / fastest Netty", jdax.getAsDouble() / fastest.getAsDouble(),
                        "<", 1.0));
            }
            OptionalDouble jdaxHeld = held(r, "jdax");
            OptionalDouble leastHeld = NETTY.stream().map(a -> held(r, a)).filter(OptionalDouble::isPresent)
                    .mapToDouble(OptionalDouble::getAsDouble).min();
            if (jdaxHeld.isPresent() && leastHeld.isPresent()) {
                out.add(Ratio.of("burst memory held at the peak, jdax / least Netty", jdaxHeld.getAsDouble()
                        / leastHeld.getAsDouble(), "<=", 1.0));
            }
            return out;
        }
    }

    /** Mixed sizes, one thread against two sharing one allocator. */
    static final class Scaling implements Section {
        /** Quick mode: jdax and Netty's default allocator. */
        static final List<String> QUICK = List.of("jdax", "nettyAdaptive");

        static Key key(String method, String allocator) {
            return Key.of("MixedScalingBenchmark." + method, "allocator", allocator);
        }

        @Override
        public String id() {
            return "scaling";
        }

        @Override
        public String title() {
            return "Mixed sizes, allocate + write + release, two threads sharing one allocator vs one";
        }

        @Override
        public List<Key> keys(boolean quick, Catalog catalog) {
            List<Key> keys = new ArrayList<>();
            if (catalog.has("MixedScalingBenchmark.oneThread")) {
                for (String a : quick ? QUICK : Burst.FULL) {
                    keys.add(key("oneThread", a));
                    keys.add(key("twoThreads", a));
                }
            }
            return keys;
        }

        @Override
        public Optional<Table> table(Results r) {
            List<String> present = Burst.FULL.stream().filter(a -> key("oneThread", a).in(r).isPresent()).toList();
            if (present.isEmpty()) {
                return Optional.empty();
            }
            Table t = Table.of(title() + " (" + Section.unit(r, List.of(key("oneThread", present.get(0))))
                    + ", medians)", "", "one thread", "two threads", "two / one");
            for (String a : present) {
                t = t.with(header(a), Section.cell(r, key("oneThread", a)), Section.cell(r, key("twoThreads", a)),
                        Section.ratioCell(Section.ratio(r, key("twoThreads", a), key("oneThread", a))));
            }
            return Optional.of(t);
        }

        @Override
        public List<Ratio> ratios(Results r) {
            List<Ratio> out = new ArrayList<>();
            for (String a : Burst.FULL) {
                Section.ratio(r, key("twoThreads", a), key("oneThread", a)).ifPresent(v ->
                        out.add(Ratio.reported("mixed sizes, two threads / one, " + header(a), v)));
            }
            return out;
        }
    }
}
