package io.jdax.bench.cli;

import java.util.List;
import java.util.Locale;

/**
 * The headline ratios as an SVG bar chart: one bar per ratio from 1x to its value on a log scale (ratios
 * span from 0.5x to 500x), the target as a tick on the bar's row; green where the target is met, red where
 * missed, grey where the ratio is only reported.
 */
public final class Chart {

    private static final int LABEL_WIDTH = 430;
    private static final int PLOT_WIDTH = 520;
    private static final int ROW = 22;
    private static final int TOP = 46;

    private Chart() {
    }

    public static String svg(String title, List<Ratio> ratios) {
        double lo = 1;
        double hi = 1;
        for (Ratio r : ratios) {
            lo = Math.min(lo, r.value());
            hi = Math.max(hi, r.value());
            if (r.target().isPresent()) {
                lo = Math.min(lo, r.target().get().threshold());
                hi = Math.max(hi, r.target().get().threshold());
            }
        }
        // whole decades around everything drawn, so the ticks fall on 0.1, 1, 10, 100...
        double minLog = Math.floor(Math.log10(lo) - 1e-9);
        double maxLog = Math.ceil(Math.log10(hi) + 1e-9);
        if (maxLog == minLog) {
            maxLog++;
        }
        int height = TOP + ROW * ratios.size() + 40;
        int width = LABEL_WIDTH + PLOT_WIDTH + 90;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"36\" fill=\"#555\">ratio, log scale; | = target; "
                + "green met, red missed, grey reported</text>%n"));
        int bottom = TOP + ROW * ratios.size();
        for (double d = minLog; d <= maxLog; d++) {
            double x = x(Math.pow(10, d), minLog, maxLog);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
                    x, TOP - 4, x, bottom, d == 0 ? "#000" : "#ddd"));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>%n",
                    x, bottom + 16, tick(d)));
        }
        for (int i = 0; i < ratios.size(); i++) {
            Ratio r = ratios.get(i);
            int y = TOP + ROW * i;
            double x1 = x(1, minLog, maxLog);
            double xv = x(r.value(), minLog, maxLog);
            String colour = switch (r.verdict()) {
                case "met" -> "#2e8b57";
                case "missed" -> "#c0392b";
                default -> "#999";
            };
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    LABEL_WIDTH - 8, y + 15, escape(r.label())));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>%n",
                    Math.min(x1, xv), y + 4, Math.max(1, Math.abs(xv - x1)), colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n", Math.max(x1, xv) + 4, y + 15,
                    escape(Table.ratio(r.value()) + (r.target().isPresent() ? " (" + r.targetText() + ")" : ""))));
            if (r.target().isPresent()) {
                double xt = x(r.target().get().threshold(), minLog, maxLog);
                sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" "
                        + "stroke-width=\"2\"/>%n", xt, y + 1, xt, y + 21));
            }
        }
        return sb.append("</svg>\n").toString();
    }

    /** 0.1x, 1x, 10x, 1,000x: a decade's label. */
    static String tick(double decade) {
        double v = Math.pow(10, decade);
        return (decade < 0 ? String.format(Locale.ROOT, "%." + (int) -decade + "f", v)
                : String.format(Locale.ROOT, "%,.0f", v)) + "x";
    }

    private static double x(double v, double minLog, double maxLog) {
        return LABEL_WIDTH + (Math.log10(v) - minLog) / (maxLog - minLog) * PLOT_WIDTH;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
