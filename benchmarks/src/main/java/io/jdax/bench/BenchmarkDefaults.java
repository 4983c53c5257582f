package io.jdax.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Shared JMH defaults: every benchmark class extends this, so forks, warm-up and units are set once.
 * The command line (or {@code jdax bench --quick}) overrides them for quick runs. Two forks, because this machine is
 * shared and noisy and one fork hides JIT-profile luck. Every fork gets a fixed, pre-touched 1 GiB heap
 * (with a growing default heap, first-touch page faults made allocating benchmarks bimodal) and lets JMH's
 * own harness use {@code sun.misc.Unsafe} without the JDK 24+ deprecation warnings; jdax itself uses none.
 */
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--sun-misc-unsafe-memory-access=allow"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class BenchmarkDefaults {
}
