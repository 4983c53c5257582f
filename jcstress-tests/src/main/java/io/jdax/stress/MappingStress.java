package io.jdax.stress;

import io.jdax.mapping.Extent;
import io.jdax.mapping.ExtentSource;
import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingSpace;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.lang.ref.Cleaner;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One dax map and mapping space shared by the states of the mapping stress tests. States take PMD-sized blocks
 * of it and give them back from their arbiter, once their mappings are closed (which leaves the pages
 * order-0, idle and unowned again). The region is a sparse tmpfs file whose bytes are never touched: extent
 * sources here hand out blocks without zeroing them, and the tests use pins and zero pages, never views.
 *
 * <p>A state that needs a whole block takes it through a {@link Lease}. jcstress builds states in batches
 * whose size it finds by growing them until one takes too long or too much memory ({@code default} mode allows
 * 256 x 40 = 10,240 states at once, more than the 4,096 blocks here), and it drops a batch without running its
 * arbiters when building one fails. So a block is given back either by the arbiter ({@link Lease#release}) or,
 * for a state dropped unrun, by a cleaner once the state is unreachable; and when every block is leased,
 * {@link #lease} collects garbage, waits briefly for such cleaners, and then throws
 * {@link OutOfMemoryError}, which jcstress's batch sizing reads as "too big" and answers with a smaller batch.
 */
public final class MappingStress {

    private static final long PAGES = 1L << 21;
    private static final long BLOCK = 1L << Mapping.PMD_ORDER;
    public static final PageMap MAP = PageMap.dax(Region.anonymous(PAGES * PageMap.DEFAULT_PAGE_SIZE));
    public static final MappingSpace SPACE = new MappingSpace(MAP);
    /** Bytes of a file of one PMD block. */
    public static final long FILE = BLOCK * PageMap.DEFAULT_PAGE_SIZE;

    private static final ConcurrentLinkedQueue<Long> FREE = new ConcurrentLinkedQueue<>();
    private static final AtomicLong NEXT = new AtomicLong();

    /** A source with no blocks: every read maps the zero page. */
    public static final ExtentSource HOLES = new ExtentSource() {
        @Override
        public PageMap pageMap() {
            return MAP;
        }

        @Override
        public Extent extent(Mapping mapping, long index, int order, boolean write) {
            return Extent.hole(order);
        }

        @Override
        public void release(Mapping mapping, long start, long end) {
        }
    };

    private MappingStress() {
    }

    private static final Cleaner CLEANER = Cleaner.create();
    /** Rounds of collect-and-wait before {@link #block} gives up: about a second in all. */
    private static final int RECLAIM_ROUNDS = 50;

    /**
     * A block for one state, and the mappings the state opened over it: {@link #release} (from the arbiter)
     * closes those mappings and gives the block back; a cleaner does the same if the state becomes
     * unreachable first. Holds no reference to the state.
     */
    public static final class Lease implements Runnable {
        private final long block;
        private final List<Mapping> mappings = new CopyOnWriteArrayList<>();
        private final AtomicBoolean done = new AtomicBoolean();
        private final Cleaner.Cleanable cleanable;

        private Lease(Object state) {
            this.block = takeBlock();
            this.cleanable = CLEANER.register(state, this);
        }

        /** {@return the first pfn of the leased PMD block} */
        public long block() {
            return block;
        }

        /** Opens a mapping that {@link #release} closes. */
        public Mapping open(ExtentSource source, long size, int faultOrder) {
            Mapping m = SPACE.open(source, size, faultOrder);
            mappings.add(m);
            return m;
        }

        /** Like {@link #open(ExtentSource, long, int)} at the space's default fault order. */
        public Mapping open(ExtentSource source, long size) {
            Mapping m = SPACE.open(source, size);
            mappings.add(m);
            return m;
        }

        /** Closes the mappings opened through this lease (close is idempotent) and gives the block back; once. */
        public void release() {
            cleanable.clean();
        }

        @Override
        public void run() {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            for (Mapping m : mappings) {
                m.close(); // which leaves the block's pages order-0, idle and unowned
            }
            FREE.add(block);
        }
    }

    /** A lease on a PMD block nobody uses, for {@code state}; see the class comment for when none is free. */
    public static Lease lease(Object state) {
        return new Lease(state);
    }

    /** First pfn of a PMD block nobody uses: a free one, a new one, or one a cleaner gave back meanwhile. */
    private static long takeBlock() {
        for (int round = 0; ; round++) {
            Long b = FREE.poll();
            if (b != null) {
                return b;
            }
            long n = NEXT.get();
            if (n < PAGES / BLOCK && NEXT.compareAndSet(n, n + 1)) {
                return n * BLOCK;
            }
            if (n < PAGES / BLOCK) {
                continue; // another state took block n: try again
            }
            if (round == RECLAIM_ROUNDS) {
                throw new OutOfMemoryError("all " + PAGES / BLOCK + " stress blocks are leased by live states");
            }
            System.gc(); // states jcstress dropped unrun give their blocks back through their cleaners
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a stress block", e);
            }
        }
    }

    private static final ConcurrentLinkedQueue<Long> FREE_PAGES = new ConcurrentLinkedQueue<>();

    /**
     * A page nobody uses, carved out of a block: for states that need one page each and are made by the
     * thousand (jcstress sizes its batches by how fast states are built, and cheap ones come in batches larger
     * than the number of blocks).
     */
    public static long page() {
        Long p = FREE_PAGES.poll();
        if (p != null) {
            return p;
        }
        long b = takeBlock();
        for (long i = 1; i < BLOCK; i++) {
            FREE_PAGES.add(b + i);
        }
        return b;
    }

    public static void givePageBack(long pfn) {
        FREE_PAGES.add(pfn);
    }

    /** A source under which a one-page file's page 0 is page {@code pfn}, unshared. */
    public static ExtentSource onePage(long pfn) {
        return new ExtentSource() {
            @Override
            public PageMap pageMap() {
                return MAP;
            }

            @Override
            public Extent extent(Mapping mapping, long index, int order, boolean write) {
                return new Extent(pfn, 0, false);
            }

            @Override
            public void release(Mapping mapping, long start, long end) {
            }
        };
    }

    /** A source under which every file's page i is page i of {@code block}, shared (reflinked) or not. */
    public static ExtentSource extents(long block, boolean shared) {
        return new ExtentSource() {
            @Override
            public PageMap pageMap() {
                return MAP;
            }

            @Override
            public Extent extent(Mapping mapping, long index, int order, boolean write) {
                return new Extent(block + (index & (BLOCK - 1)), Mapping.PMD_ORDER, shared);
            }

            @Override
            public void release(Mapping mapping, long start, long end) {
            }
        };
    }
}
