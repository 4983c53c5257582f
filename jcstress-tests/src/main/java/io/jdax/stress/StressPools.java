package io.jdax.stress;

import io.jdax.page.PageMap;
import io.jdax.pool.BufferPool;
import io.jdax.pool.PoolMode;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Small buffer pools for one jcstress state each, closed by the state's arbiter. */
final class StressPools {

    /**
     * The pool's leak warnings, silenced: a close that races an allocation reports a leak by design in many
     * samples, and a log line each would swamp the forked VM's output. The outcomes count leaks instead.
     * Held here because the logging framework keeps loggers only weakly.
     */
    private static final Logger POOL_LOG = Logger.getLogger("io.jdax.pool.BufferPool");

    static {
        POOL_LOG.setLevel(Level.OFF);
    }

    private StressPools() {
    }

    /**
     * States are made on the actor threads. When close unmaps memory that a racing actor was touching, the JDK
     * (25.0.x) sometimes leaves that thread's interrupt status set, and the file channel behind the next
     * state's region would then be closed by interrupt. Nothing here interrupts a thread on purpose.
     */
    private static void clearStrayInterrupt() {
        Thread.interrupted();
    }

    /** A pool of {@code pages} pages without caches: a freed folio goes straight back to the buddy zone. */
    static BufferPool tiny(PoolMode mode, int pages) {
        clearStrayInterrupt();
        return BufferPool.builder().capacity(pages * PageMap.DEFAULT_PAGE_SIZE).cacheStripes(0).mode(mode).build();
    }

    /** A pool of {@code pages} pages with two cache stripes, as a pool in use has. */
    static BufferPool cached(PoolMode mode, int pages) {
        clearStrayInterrupt();
        return BufferPool.builder().capacity(pages * PageMap.DEFAULT_PAGE_SIZE).cacheStripes(2).mode(mode).build();
    }
}
