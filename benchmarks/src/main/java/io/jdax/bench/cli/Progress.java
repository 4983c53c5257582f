package io.jdax.bench.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a run of configurations: on a terminal a bar redrawn twice a second (configuration k of n,
 * elapsed, estimated time left) under the finished configurations' lines; elsewhere (CI, a pipe) one plain
 * line per finished configuration. The estimate starts from each configuration's planned time and is scaled
 * by how long the finished ones really took.
 */
final class Progress implements AutoCloseable {

    private static final int BAR = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final double[] planned;
    private final long start = System.nanoTime();
    private final Thread ticker;
    private int current = -1;
    private String title = "";
    private long currentStart;
    private double plannedDone;
    private volatile boolean closed;

    Progress(PrintStream out, boolean terminal, double[] plannedSeconds) {
        this.out = out;
        this.terminal = terminal;
        this.planned = plannedSeconds.clone();
        if (terminal) {
            ticker = Thread.ofPlatform().daemon().name("jdax-progress").start(() -> {
                while (!closed) {
                    redraw();
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        } else {
            ticker = null;
        }
    }

    synchronized void start(int k, String what) {
        current = k;
        title = what;
        currentStart = System.nanoTime();
    }

    synchronized void done(String line) {
        plannedDone += planned[current];
        String prefix = String.format(Locale.ROOT, "[%2d/%d %s]", current + 1, planned.length, clock(elapsed()));
        if (terminal) {
            out.print("\r\033[K" + prefix + " " + line + "\n");
            current = -1;
            redraw();
        } else {
            out.println(prefix + " " + line + "   ~" + clock(left(elapsed(), 0)) + " left");
        }
        out.flush();
    }

    /** What the bar says the current configuration is doing. */
    synchronized void retitle(String what) {
        title = what;
    }

    /** A line of its own above the bar (or in the log). */
    synchronized void note(String line) {
        out.print((terminal ? "\r\033[K" : "") + line + "\n");
        out.flush();
        redraw();
    }

    private double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Seconds left: the planned time of what is not done, scaled by how the finished part compared with its plan. */
    private double left(double elapsed, double inCurrent) {
        double plannedLeft = 0;
        for (int i = 0; i < planned.length; i++) {
            plannedLeft += planned[i];
        }
        plannedLeft -= plannedDone;
        double scale = plannedDone > 0 ? (elapsed - inCurrent) / plannedDone : 1;
        return Math.max(0, plannedLeft * scale - inCurrent);
    }

    private synchronized void redraw() {
        if (!terminal || closed) {
            return;
        }
        double elapsed = elapsed();
        int finished = current < 0 ? (int) Math.round(0) : current;
        double inCurrent = current < 0 ? 0 : (System.nanoTime() - currentStart) / 1e9;
        double total = elapsed + left(elapsed, inCurrent);
        int filled = total <= 0 ? 0 : (int) Math.min(BAR, Math.round(BAR * elapsed / total));
        String line = String.format(Locale.ROOT, "[%s%s] %d/%d  %s elapsed  ~%s left  %s", "#".repeat(filled),
                ".".repeat(BAR - filled), current < 0 ? finished : current + 1, planned.length, clock(elapsed),
                clock(left(elapsed, inCurrent)), current < 0 ? "" : title);
        out.print("\r\033[K" + (line.length() > 118 ? line.substring(0, 118) : line));
        out.flush();
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (ticker != null) {
            ticker.interrupt();
            out.print("\r\033[K");
            out.flush();
        }
    }
}
