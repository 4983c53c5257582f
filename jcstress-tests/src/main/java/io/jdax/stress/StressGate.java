package io.jdax.stress;

import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.runners.TestList;

/**
 * Runs jcstress with the given options and exits non-zero unless every selected test ran and passed.
 * jcstress itself reports failures only in its text and HTML reports and always exits 0, which would let a
 * FORBIDDEN outcome pass a build.
 */
public final class StressGate {

    private StressGate() {
    }

    public static void main(String[] args) throws Exception {
        Options opts = new Options(args);
        if (!opts.parse()) {
            System.exit(2);
        }
        new JCStress(opts).run();

        InProcessCollector collector = new InProcessCollector();
        DiskReadCollector reader = new DiskReadCollector(opts.getResultFile(), collector);
        reader.dump();
        reader.close();
        Collection<TestResult> results = collector.getTestResults();

        Pattern filter = Pattern.compile(opts.getTestFilter());
        SortedSet<String> missing = new TreeSet<>();
        for (String test : TestList.tests()) {
            if (filter.matcher(test).find()) {
                missing.add(test);
            }
        }
        SortedSet<String> failed = new TreeSet<>();
        SortedSet<String> errors = new TreeSet<>();
        for (TestResult r : results) {
            missing.remove(r.getName());
            if (r.status() == Status.NORMAL) {
                if (!r.grading().isPassed) {
                    failed.add(r.getName());
                }
            } else if (r.status() != Status.API_MISMATCH) {
                errors.add(r.getName() + " (" + r.status() + ")");
            }
        }
        System.out.println("jdax stress gate: " + results.size() + " results, failed " + failed + ", errors " + errors
                + ", selected but never run " + missing);
        System.exit(failed.isEmpty() && errors.isEmpty() && missing.isEmpty() && !results.isEmpty() ? 0 : 1);
    }
}
