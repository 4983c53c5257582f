package io.jdax.bench;

import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Latency from the last put of a dax folio to the return of a platform thread parked waiting for it to
 * become idle: two threads, the JMH thread putting and one helper thread waiting.
 *
 * <p>Per invocation, untimed ({@code Level.Invocation} setup): the JMH thread takes a reference and spins
 * until the helper is queued on the folio. Timed: the last put, then spinning until the helper has
 * returned. So a sample is put + unpark + the helper being scheduled + one cache-line hop back; JMH's
 * SampleTime histogram gives the median and p99.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WakeLatencyBenchmark extends BenchmarkDefaults {

    private final long head = 0;
    private Region region;
    private PageMap map;
    private Thread waiter;
    private volatile boolean running;
    private volatile long armed;     // rounds the JMH thread has started
    private volatile long returned;  // rounds the helper has finished waiting

    @Setup(Level.Trial)
    public void setUp() {
        region = Region.anonymous(16 * PageMap.DEFAULT_PAGE_SIZE);
        map = PageMap.dax(region);
        running = true;
        waiter = Thread.ofPlatform().name("idle-waiter").start(() -> {
            long round = 0;
            while (running) {
                if (armed == round) {
                    Thread.onSpinWait();
                    continue;
                }
                round = armed;
                map.awaitIdleUninterruptibly(head, null);
                returned = round;
            }
        });
    }

    @Setup(Level.Invocation)
    public void arm() {
        map.incRef(head);
        armed = armed + 1;
        while (map.idleWaiterCount(head) == 0) {
            Thread.onSpinWait(); // untimed: the helper is parked on the folio before the clock starts
        }
    }

    @Benchmark
    public long lastPutToWaiterReturn() {
        long round = armed;
        map.put(head);
        while (returned != round) {
            Thread.onSpinWait();
        }
        return round;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        running = false;
        waiter.join();
        region.close();
    }
}
