package io.jdax.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The headline run: its sections in order, and the one report (tables, ratios) made from a results file by
 * looking every number up by name. {@code jdax bench} and {@code jdax report} both print from here, so a
 * table is the same whether it was just measured or read back from {@code benchmarks/results/}.
 */
public final class Plan {

    /** Every section; the extension points run and show nothing until their benchmark classes exist. */
    public static final List<Section> SECTIONS = List.of(
            new CompoundSections.Device(),
            new CompoundSections.FileMapping(),
            new RefcountSections.Refcount(),
            new PoolSections.Sizes(),
            new PoolSections.Burst(),
            new PoolSections.Scaling(),
            new RefcountSections.IdleWait(),
            new StoreSection(),
            new CompoundSections.SparseFsync());

    private Plan() {
    }

    public static List<String> ids() {
        return SECTIONS.stream().map(Section::id).toList();
    }

    public static Optional<Section> section(String id) {
        return SECTIONS.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The configurations to run, in order, for all sections or the one named. */
    public static List<Key> keys(boolean quick, Optional<String> only, Catalog catalog) {
        List<Key> keys = new ArrayList<>();
        for (Section s : SECTIONS) {
            if (only.isEmpty() || only.get().equals(s.id())) {
                keys.addAll(s.keys(quick, catalog));
            }
        }
        return keys;
    }

    public static List<Table> tables(Results r) {
        return SECTIONS.stream().flatMap(s -> s.table(r).stream()).toList();
    }

    public static List<Ratio> ratios(Results r) {
        return SECTIONS.stream().flatMap(s -> s.ratios(r).stream()).toList();
    }

    /** The headline ratios as a table of their own. */
    public static Table ratioTable(Results r) {
        Table t = Table.of("Headline ratios", "", "measured", "target", "");
        for (Ratio x : ratios(r)) {
            t = t.with(x.label(), Table.ratio(x.value()), x.target().map(Ratio.Target::toString).orElse("(reported)"),
                    x.target().isEmpty() ? "" : x.verdict());
        }
        return t;
    }

    /** Every table and then the ratios, for a terminal. */
    public static String text(Results r) {
        StringBuilder sb = new StringBuilder();
        for (Table t : tables(r)) {
            sb.append(t.text()).append('\n');
        }
        return sb.append(ratioTable(r).text()).toString();
    }

    /** The same as Markdown, for the README. */
    public static String markdown(Results r) {
        StringBuilder sb = new StringBuilder();
        sb.append(ratioTable(r).markdown()).append('\n');
        for (Table t : tables(r)) {
            sb.append(t.markdown()).append('\n');
        }
        return sb.toString().stripTrailing() + "\n";
    }
}
