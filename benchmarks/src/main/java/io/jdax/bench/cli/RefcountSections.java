package io.jdax.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What taking and dropping a reference costs, against peers; and what idle waiting costs a put. */
final class RefcountSections {

    private RefcountSections() {
    }

    static final class Refcount implements Section {
        static final List<String> PEERS = List.of("jdaxPageMap", "jdaxBuffer", "nettyByteBuf", "chronicle",
                "atomicInteger");
        static final List<String> LABELS = List.of("jdax PageMap get + put", "jdax PooledBuffer retain + release",
                "Netty ByteBuf retain + release", "Chronicle reserve + release", "AtomicInteger increment + decrement");
        /** Quick mode runs the peers its ratios compare, no more. */
        static final List<String> QUICK_UNCONTENDED = List.of("jdaxBuffer", "nettyByteBuf", "chronicle");
        static final List<String> QUICK_TWO_THREADS = List.of("jdaxBuffer", "nettyByteBuf");
        static final Key GET_PUT = Key.of("RefcountBenchmark.getPut", "kind", "DEVICE");
        static final Key BARE = Key.of("RefcountBenchmark.bareGetAndAddPair", "kind", "DEVICE");

        static Key key(String method, String peer) {
            return Key.of("RefcountPeersBenchmark." + method, "peer", peer);
        }

        @Override
        public String id() {
            return "refcount";
        }

        @Override
        public String title() {
            return "Take + drop one reference on a live object";
        }

        @Override
        public List<Key> keys(boolean quick, Catalog catalog) {
            List<Key> keys = new ArrayList<>();
            if (catalog.has("RefcountPeersBenchmark.uncontended")) {
                for (String p : PEERS) {
                    if (!quick || QUICK_UNCONTENDED.contains(p)) {
                        keys.add(key("uncontended", p));
                    }
                    if (!quick || QUICK_TWO_THREADS.contains(p)) {
                        keys.add(key("twoThreads", p));
                    }
                }
            }
            if (catalog.has(GET_PUT.benchmark())) {
                keys.add(GET_PUT);
                keys.add(BARE);
            }
            return keys;
        }

        @Override
        public Optional<Table> table(Results r) {
            List<Key> all = new ArrayList<>();
            PEERS.forEach(p -> all.add(key("uncontended", p)));
            if (!Section.any(r, all) && !Section.any(r, List.of(GET_PUT, BARE))) {
                return Optional.empty();
            }
            all.add(GET_PUT);
            Table t = Table.of(title() + " (" + Section.unit(r, all) + ", medians)", "", "one thread",
                    "two threads, same object");
            for (int i = 0; i < PEERS.size(); i++) {
                if (key("uncontended", PEERS.get(i)).in(r).isPresent()) {
                    t = t.with(LABELS.get(i), Section.cell(r, key("uncontended", PEERS.get(i))),
                            Section.cell(r, key("twoThreads", PEERS.get(i))));
                }
            }
            if (GET_PUT.in(r).isPresent()) {
                t = t.with("jdax get + put on the descriptor (RefcountBenchmark)", Section.cell(r, GET_PUT), "");
                t = t.with("a bare getAndAdd pair on the same word", Section.cell(r, BARE), "");
            }
            return Optional.of(t);
        }

        @Override
        public List<Ratio> ratios(Results r) {
            List<Ratio> out = new ArrayList<>();
            Section.ratio(r, GET_PUT, BARE).ifPresent(v ->
                    out.add(Ratio.of("get + put / bare getAndAdd pair", v, "<=", 1.3)));
            Section.ratio(r, key("uncontended", "jdaxBuffer"), key("uncontended", "nettyByteBuf")).ifPresent(v ->
                    out.add(Ratio.reported("retain + release, jdax PooledBuffer / Netty ByteBuf", v)));
            Section.ratio(r, key("uncontended", "jdaxBuffer"), key("uncontended", "chronicle")).ifPresent(v ->
                    out.add(Ratio.reported("retain + release, jdax PooledBuffer / Chronicle", v)));
            Section.ratio(r, key("twoThreads", "jdaxBuffer"), key("twoThreads", "nettyByteBuf")).ifPresent(v ->
                    out.add(Ratio.reported("two threads, jdax PooledBuffer / Netty ByteBuf", v)));
            return out;
        }
    }

    /** The last put on a dax map (it checks for idle-waiters) vs a device map, and the wake latency. */
    static final class IdleWait implements Section {
        static final Key DAX = Key.of("LastPutBenchmark.incRefThenLastPut", "kind", "DAX");
        static final Key DEVICE = Key.of("LastPutBenchmark.incRefThenLastPut", "kind", "DEVICE");
        static final Key WAKE = Key.of("WakeLatencyBenchmark.lastPutToWaiterReturn");

        @Override
        public String id() {
            return "wait";
        }

        @Override
        public String title() {
            return "Idle waiting";
        }

        @Override
        public List<Key> keys(boolean quick, Catalog catalog) {
            List<Key> keys = new ArrayList<>();
            if (catalog.has(DAX.benchmark())) {
                keys.add(DAX);
                keys.add(DEVICE);
            }
            if (catalog.has(WAKE.benchmark())) {
                keys.add(WAKE);
            }
            return keys;
        }

        @Override
        public Optional<Table> table(Results r) {
            if (!Section.any(r, List.of(DAX, DEVICE, WAKE))) {
                return Optional.empty();
            }
            Table t = Table.of(title() + " (medians)", "", "value");
            if (DAX.in(r).isPresent()) {
                t = t.with("last put, dax map (checks for waiters), " + DAX.in(r).get().unit(), Section.cell(r, DAX));
                t = t.with("last put, device map (no waiting), " + Section.unit(r, List.of(DEVICE)), Section.cell(r, DEVICE));
            }
            Optional<Results.Entry> wake = WAKE.in(r);
            if (wake.isPresent()) {
                Results.Entry e = wake.get();
                t = t.with("last put to an idle-waiter's return, 2 platform threads, p50 / p99, " + e.unit().replace("/op", ""),
                        Table.number(e.percentiles().getOrDefault("50.0", Double.NaN)) + " / "
                                + Table.number(e.percentiles().getOrDefault("99.0", Double.NaN)));
            }
            return Optional.of(t);
        }

        @Override
        public List<Ratio> ratios(Results r) {
            return Section.ratio(r, DAX, DEVICE).stream()
                    .mapToObj(v -> Ratio.of("last put, dax map / device map", v, "<=", 1.10)).toList();
        }
    }
}
