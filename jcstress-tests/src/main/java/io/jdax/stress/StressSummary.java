package io.jdax.stress;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.GradingResult;
import org.openjdk.jcstress.infra.runners.TestList;

/**
 * What {@code jdax stress} runs: jcstress with the given options, then one line per test (configurations
 * run, samples, FORBIDDEN and ACCEPTABLE_INTERESTING samples seen, verdict) and a total, also when jcstress
 * ends the run by throwing over failures or errors. {@code --summarize FILE} summarizes an earlier run's result
 * file (the {@code .bin.gz} jcstress names at its start) instead of running. Exits non-zero unless every selected test ran and passed, as
 * {@link StressGate} does for the build.
 */
public final class StressSummary {

    private StressSummary() {
    }

    /** One test's results over all its configurations. */
    private static final class Row {
        int configs;
        long samples;
        long forbidden;
        long interesting;
        int failedConfigs;
        String error;
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("--summarize")) {
            if (args.length != 2) {
                System.err.println("usage: StressSummary --summarize RESULT_FILE.bin.gz");
                System.exit(2);
            }
            System.exit(summarize(args[1], ".*"));
        }
        Options opts = new Options(args);
        if (!opts.parse()) {
            System.exit(2);
        }
        try {
            new JCStress(opts).run();
        } catch (AssertionError failures) {
            // jcstress ends a run with failures or errors by throwing this, after writing its result file and report:
            // the summary below still reads them, and the exit status says the run failed
            System.err.println("jcstress: " + failures.getMessage().lines().findFirst().orElse("test failures"));
        }
        System.exit(summarize(opts.getResultFile(), opts.getTestFilter()));
    }

    /** Prints the summary of a jcstress result file, for the tests the filter selects; returns the exit status. */
    private static int summarize(String resultFile, String testFilter) throws Exception {
        InProcessCollector collector = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(resultFile, collector);
        reader.dump();
        reader.close();
        Collection<TestResult> results = collector.getTestResults();

        Map<String, Row> rows = new TreeMap<>();
        Pattern filter = Pattern.compile(testFilter);
        for (String test : TestList.tests()) {
            if (filter.matcher(test).find()) {
                rows.put(test, null);
            }
        }
        for (TestResult r : results) {
            Row row = rows.get(r.getName());
            if (row == null) {
                row = new Row();
                rows.put(r.getName(), row);
            }
            row.configs++;
            row.samples += r.getTotalCount();
            if (r.status() == Status.NORMAL) {
                for (GradingResult g : r.grading().gradingResults.values()) {
                    if (g.expect == Expect.FORBIDDEN) {
                        row.forbidden += g.count;
                    } else if (g.expect == Expect.ACCEPTABLE_INTERESTING) {
                        row.interesting += g.count;
                    }
                }
                if (!r.grading().isPassed) {
                    row.failedConfigs++;
                }
            } else if (r.status() != Status.API_MISMATCH) {
                row.error = r.status().toString();
            }
        }

        System.out.println();
        System.out.println("jdax stress summary");
        System.out.printf("  %-58s %7s %14s %10s %12s  %s%n", "test", "configs", "samples", "forbidden", "interesting",
                "verdict");
        int passed = 0;
        int bad = 0;
        long samples = 0;
        long forbidden = 0;
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            Row row = e.getValue();
            String name = e.getKey().replace("io.jdax.stress.", "");
            if (row == null) {
                System.out.printf("  %-58s %7s %14s %10s %12s  %s%n", name, "-", "-", "-", "-", "NEVER RAN");
                bad++;
                continue;
            }
            String verdict = row.error != null ? "ERROR (" + row.error + ")"
                    : row.failedConfigs > 0 ? "FAILED in " + row.failedConfigs + " configurations" : "passed";
            if (verdict.equals("passed")) {
                passed++;
            } else {
                bad++;
            }
            samples += row.samples;
            forbidden += row.forbidden;
            System.out.printf("  %-58s %7d %,14d %,10d %,12d  %s%n", name, row.configs, row.samples, row.forbidden,
                    row.interesting, verdict);
        }
        System.out.printf("%d tests: %d passed, %d failed or erred or never ran; %,d samples, %,d FORBIDDEN%n",
                rows.size(), passed, bad, samples, forbidden);
        return bad == 0 && !results.isEmpty() ? 0 : 1;
    }
}
