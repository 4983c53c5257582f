package io.jdax.pool;

import io.jdax.alloc.BuddyAllocator;
import io.jdax.memory.Region;
import io.jdax.page.PageMap;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Options of a {@link BufferPool}, from {@link BufferPool#builder()}. Not thread-safe; each setter returns the
 * builder, and {@link #build()} checks the options together.
 */
public final class BufferPoolBuilder {
    long capacity = BufferPool.DEFAULT_CAPACITY;
    private boolean capacitySet; // with a region too, build checks the two agree
    Region region;
    long pageSize = PageMap.DEFAULT_PAGE_SIZE;
    PoolMode mode = PoolMode.FAST;
    long limitBytes = Long.MAX_VALUE;
    int cacheStripes = -1;
    int checkedBufferLimit = BufferPool.DEFAULT_CHECKED_BUFFER_LIMIT;
    long largeFolioCacheBytes = -1;
    /** Builds the allocator over the region; tests put a failing one here to fail a build part-way. */
    BiFunction<Region, BuddyAllocator.Builder, BuddyAllocator> allocatorBuild = (r, ab) -> ab.build();

    BufferPoolBuilder() {
    }

    /**
     * Bytes of anonymous memory to manage (default {@link BufferPool#DEFAULT_CAPACITY}); a multiple of the
     * page size (checked by {@link #build}). With a {@link #region} as well, {@link #build} refuses a capacity
     * other than the region's size, whichever was set last.
     *
     * @param bytes the capacity
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public BufferPoolBuilder capacity(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + bytes);
        }
        this.capacity = bytes;
        this.capacitySet = true;
        return this;
    }

    /**
     * Pools the memory of {@code region} instead (a file-backed one, say). The region stays the caller's:
     * the pool does not close it. A {@link #capacity} set as well must be the region's size: one that is not
     * would leave it unclear which memory the buffers live in (a file's, or anonymous memory that is lost at
     * exit), so {@link #build} refuses it.
     *
     * @param region the memory to pool
     * @return this builder
     * @throws NullPointerException if {@code region} is null
     */
    public BufferPoolBuilder region(Region region) {
        this.region = Objects.requireNonNull(region, "region");
        return this;
    }

    /**
     * Page size, a power of two {@code >= 4096} (default 4096; checked by {@link #build}): the smallest folio.
     *
     * @param bytes the page size
     * @return this builder
     */
    public BufferPoolBuilder pageSize(long bytes) {
        this.pageSize = bytes;
        return this;
    }

    /**
     * Safety mode (default {@link PoolMode#FAST}).
     *
     * @param mode the mode
     * @return this builder
     * @throws NullPointerException if {@code mode} is null
     */
    public BufferPoolBuilder mode(PoolMode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * Cap on the bytes held by buffers and caches at once (default: the capacity), rounded down to whole
     * pages; {@link #build} refuses a cap below one page, under which every allocation would fail.
     *
     * @param bytes the cap
     * @return this builder
     */
    public BufferPoolBuilder limitBytes(long bytes) {
        this.limitBytes = bytes;
        return this;
    }

    /**
     * Cache stripes of the allocator: a power of two, or 0 for none (default 2 x CPUs, at most 64); checked
     * by {@link #build}.
     *
     * @param stripes the number of stripes
     * @return this builder
     */
    public BufferPoolBuilder cacheStripes(int stripes) {
        if (stripes < 0) { // -1 inside means "not set": a caller's negative value must not read as that
            throw new IllegalArgumentException("cache stripes must be 0 or a power of two <= 1024: " + stripes);
        }
        this.cacheStripes = stripes;
        return this;
    }

    /**
     * Byte budget of the allocator's caches of prepped large folios (see
     * {@link BuddyAllocator.Builder#largeFolioCacheBytes}; default: the allocator's).
     *
     * @param bytes the budget, {@code >= 0}; 0 caches no large folio
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public BufferPoolBuilder largeFolioCacheBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("large folio cache bytes must be >= 0: " + bytes);
        }
        this.largeFolioCacheBytes = bytes;
        return this;
    }

    /**
     * Cap on {@link PoolMode#CHECKED} buffers and slices held at once (default
     * {@value BufferPool#DEFAULT_CHECKED_BUFFER_LIMIT}): see {@link BufferPool#DEFAULT_CHECKED_BUFFER_LIMIT}
     * before raising it.
     *
     * @param buffers the cap
     * @return this builder
     * @throws IllegalArgumentException if {@code buffers} is not positive
     */
    public BufferPoolBuilder checkedBufferLimit(int buffers) {
        if (buffers <= 0) {
            throw new IllegalArgumentException("checked buffer limit must be positive: " + buffers);
        }
        this.checkedBufferLimit = buffers;
        return this;
    }

    /**
     * Builds the pool: its memory (unless a region was given) and its allocators.
     *
     * @return the pool
     * @throws IllegalArgumentException naming the value, for a page size that is not a power of two
     *                                  {@code >= 4096}, a capacity that is not a multiple of it or is larger
     *                                  than a region can be or differs from the region's size, a limit below
     *                                  one page, or bad cache stripes
     * @throws IllegalStateException    if the memory cannot be had; nothing is left behind
     */
    public BufferPool build() {
        if (pageSize < PageMap.MIN_PAGE_SIZE || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two >= " + PageMap.MIN_PAGE_SIZE
                    + ": " + pageSize);
        }
        if (region != null && capacitySet && capacity != region.byteSize()) {
            throw new IllegalArgumentException("capacity " + capacity + " and a region of " + region.byteSize()
                    + " bytes were both set: a pool over a region manages all of it; set one or the other");
        }
        if (region == null) {
            long max = (Long.MAX_VALUE - Region.ANONYMOUS_ALIGNMENT) & -pageSize;
            if (capacity > max) {
                throw new IllegalArgumentException("capacity " + capacity + " is larger than any region can be (at "
                        + "most " + max + " bytes)");
            }
            if (capacity % pageSize != 0) {
                throw new IllegalArgumentException("capacity " + capacity + " is not a multiple of the page size "
                        + pageSize);
            }
        }
        if (limitBytes < pageSize) {
            throw new IllegalArgumentException("limit of " + limitBytes + " bytes is below one page of " + pageSize
                    + " bytes: every allocation would fail");
        }
        return new BufferPool(this);
    }
}
