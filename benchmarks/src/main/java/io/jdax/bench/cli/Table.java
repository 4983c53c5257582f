package io.jdax.bench.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A titled table of strings, printed aligned for a terminal or as Markdown for the README. */
public record Table(String title, List<String> header, List<List<String>> rows) {

    public Table {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<String> r : rows) {
            if (r.size() != header.size()) {
                throw new IllegalArgumentException(title + ": a row of " + r.size() + " cells under " + header.size()
                        + " columns: " + r);
            }
        }
    }

    static Table of(String title, String... header) {
        return new Table(title, List.of(header), new ArrayList<>());
    }

    Table with(String... cells) {
        List<List<String>> r = new ArrayList<>(rows);
        r.add(List.of(cells));
        return new Table(title, header, r);
    }

    public String text() {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder(title).append('\n');
        line(sb, header, width);
        for (List<String> r : rows) {
            line(sb, r, width);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        sb.append(' ');
        for (int c = 0; c < cells.size(); c++) {
            String s = cells.get(c);
            sb.append(' ');
            // first column left-aligned (labels), the rest right-aligned (numbers)
            sb.append(c == 0 ? s + " ".repeat(width[c] - s.length()) : " ".repeat(width[c] - s.length()) + s);
            sb.append(' ');
        }
        sb.append('\n');
    }

    public String markdown() {
        StringBuilder sb = new StringBuilder("**").append(title).append("**\n\n");
        sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int c = 0; c < header.size(); c++) {
            sb.append(c == 0 ? "---|" : "---:|");
        }
        sb.append('\n');
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", r.stream().map(s -> s.replace("|", "\\|")).toList())).append(" |\n");
        }
        return sb.toString();
    }

    /** A measurement: three significant figures below 100, whole numbers with separators above. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, a >= 0.1 ? "%.2f" : "%.3f", v);
    }

    static String ratio(double v) {
        return number(v) + "x";
    }
}
