package io.jdax.stress;

import io.jdax.mapping.Extent;
import io.jdax.mapping.ExtentSource;
import io.jdax.mapping.Mapping;
import io.jdax.mapping.MappingSpace;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One dax map and mapping space shared by the states of the mapping stress tests. States take PMD-sized blocks
 * of it and give them back from their arbiter, once their mappings are closed (which leaves the pages
 * order-0, idle and unowned again). The region is a sparse tmpfs file whose bytes are never touched: extent
 * sources here hand out blocks without zeroing them, and the tests use pins and zero pages, never views.
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

    /** First pfn of a PMD block nobody uses. */
    public static long block() {
        Long b = FREE.poll();
        if (b != null) {
            return b;
        }
        long n = NEXT.getAndIncrement();
        if (n >= PAGES / BLOCK) {
            throw new IllegalStateException("all " + PAGES / BLOCK + " stress blocks are in use");
        }
        return n * BLOCK;
    }

    public static void giveBack(long block) {
        FREE.add(block);
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
        long b = block();
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
