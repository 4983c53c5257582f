package io.jdax.catalogue;

import static io.jdax.catalogue.Env.KiB;
import static io.jdax.catalogue.Env.MiB;
import static io.jdax.catalogue.Row.NOTHING;
import static io.jdax.catalogue.Row.of;

import io.jdax.device.PinnedRange;
import io.jdax.memory.Region;
import io.jdax.page.FolioOwners;
import io.jdax.page.PageMap;
import io.jdax.page.RangePins;
import io.jdax.page.RefcountException;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Misuses of page maps, their pins and owners (io.jdax.page), on the environment's dax map of 1024 pages. */
final class PageRows {

    private PageRows() {
    }

    static Stream<Row> rows() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        Class<IndexOutOfBoundsException> ioobe = IndexOutOfBoundsException.class;
        Class<RefcountException> rce = RefcountException.class;
        Row.Step ref5 = env -> env.dax.incRef(5);
        Row.Step large8 = env -> env.dax.prepCompound(8, 3);
        // a second shared associate turns the first owner into a share count of 2 (kernel: dax_folio_make_shared)
        Row.Step shared8 = large8.then(env -> env.dax.owners().associate(8, 7, 0, true))
                .then(env -> env.dax.owners().associate(8, 9, 0, true));
        return Stream.of(
                of("map-page-size", "PageMap.dax(region, 6144)", iae, List.of(6144, "power of two"), NOTHING,
                        env -> PageMap.dax(Region.anonymous(64 * KiB), 6144)),
                of("map-region-not-multiple", "PageMap.dax(12 KiB region, 8192)", iae, List.of(12 * KiB, 8192),
                        NOTHING, env -> {
                            try (Region r = Region.anonymous(12 * KiB)) {
                                PageMap.dax(r, 8192);
                            }
                        }),
                of("pfn-negative", "map.refCount(-1)", ioobe, List.of(-1, 1024), NOTHING, env -> env.dax.refCount(-1)),
                of("pfn-past-end", "map.get(1024) on 1024 pages", ioobe, List.of(1024), NOTHING, env -> env.dax.get(1024)),
                of("offset-negative", "map.pfnOf(-5)", ioobe, List.of(-5), NOTHING, env -> env.dax.pfnOf(-5)),
                of("pages-past-end", "map.pages(1000, 25)", ioobe, List.of(25, 1000), NOTHING,
                        env -> env.dax.pages(1000, 25)),
                of("pages-count-overflow", "map.pages(1, Long.MAX_VALUE)", ioobe, List.of(Long.MAX_VALUE), NOTHING,
                        env -> env.dax.pages(1, Long.MAX_VALUE)),
                of("pages-count-negative", "map.pages(0, -1)", ioobe, List.of(-1), NOTHING, env -> env.dax.pages(0, -1)),
                of("map-page-size-larger-than-region", "PageMap.dax(1 MiB region, 1 TiB)", iae,
                        List.of(1L << 40, 1L << 20), NOTHING, env -> {
                            try (Region r = Region.anonymous(MiB)) {
                                PageMap.dax(r, 1L << 40);
                            }
                        }),
                of("get-at-zero", "map.get(5) of an idle folio", rce, List.of(5, "0"), NOTHING, env -> env.dax.get(5)),
                of("put-at-zero", "map.put(5) of an idle folio", rce, List.of(5), NOTHING, env -> env.dax.put(5)),
                of("put-refs-too-many", "map.putRefs(5, 3) with refcount 1", rce, List.of(5, 3), ref5,
                        env -> env.dax.putRefs(5, 3)),
                of("get-refs-zero", "map.getRefs(5, 0)", iae, List.of(0), ref5, env -> env.dax.getRefs(5, 0)),
                of("put-refs-negative", "map.putRefs(5, -3)", iae, List.of(-3), ref5, env -> env.dax.putRefs(5, -3)),
                of("refcount-overflow", "map.getRefs(5, MAX_REFCOUNT) with refcount 1", rce, List.of(5, "limit", PageMap.MAX_REFCOUNT),
                        ref5, env -> env.dax.getRefs(5, PageMap.MAX_REFCOUNT)),
                of("get-refs-overflow", "map.getRefs(5, Integer.MAX_VALUE) with refcount 1", rce,
                        List.of(5, Integer.MAX_VALUE, "limit"), ref5, env -> env.dax.getRefs(5, Integer.MAX_VALUE)),
                of("put-refs-min", "map.putRefs(5, Integer.MIN_VALUE)", iae, List.of(Integer.MIN_VALUE), ref5,
                        env -> env.dax.putRefs(5, Integer.MIN_VALUE)),
                of("mapcount-tail", "map.incMapCount(9) of a tail page", iae, List.of(9, "tail"), large8,
                        env -> env.dax.incMapCount(9)),
                of("folio-bytes-tail", "map.folioBytes(9) of a tail page", iae, List.of(9, "tail"), large8,
                        env -> env.dax.folioBytes(9)),
                of("incref-tail", "map.incRef(9) of a tail page", iae, List.of(9, "tail"), large8,
                        env -> env.dax.incRef(9)),
                of("order-of-tail", "map.order(10) of a tail page", iae, List.of(10, "tail"), large8,
                        env -> env.dax.order(10)),
                of("prep-misaligned", "map.prepCompound(4, 3)", iae, List.of(4, 3), NOTHING,
                        env -> env.dax.prepCompound(4, 3)),
                of("prep-order-too-large", "map.prepCompound(0, 40)", iae, List.of(40), NOTHING,
                        env -> env.dax.prepCompound(0, 40)),
                of("prep-order-negative", "map.prepCompound(0, -1)", iae, List.of(-1), NOTHING,
                        env -> env.dax.prepCompound(0, -1)),
                of("prep-past-end", "map.prepCompound(0, 11) on 1024 pages", ioobe, List.of(11, 1024), NOTHING,
                        env -> env.dax.prepCompound(0, 11)),
                of("prep-referenced", "map.prepCompound(0, 3) with page 5 referenced", ise, List.of(5), ref5,
                        env -> env.dax.prepCompound(0, 3)),
                of("prep-over-large", "map.prepCompound(0, 4) over the order-3 folio at 8", ise, List.of(8), large8,
                        env -> env.dax.prepCompound(0, 4)),
                of("split-referenced", "map.split(8) of a referenced folio", ise, List.of(8), large8.then(
                        env -> env.dax.incRef(8)), env -> env.dax.split(8)),
                of("split-shared", "map.split(8) of a shared folio", ise, List.of(8, "share"), shared8, env -> env.dax.split(8)),
                of("split-tail", "map.split(12) of a tail page", iae, List.of(12, "tail"), large8,
                        env -> env.dax.split(12)),
                of("mapcount-without-ref", "map.incMapCount(5) with refcount 0", ise, List.of(5), NOTHING,
                        env -> env.dax.incMapCount(5)),
                of("mapcount-below-zero", "map.decMapCount(5) of an unmapped folio", ise, List.of(5), ref5,
                        env -> env.dax.decMapCount(5)),
                of("idle-tail", "map.isIdle(9) of a tail page", iae, List.of(9, "tail"), large8,
                        env -> env.dax.isIdle(9)),
                of("wait-on-tail", "map.awaitIdle(9, 1, SECONDS, null) on a tail page", iae, List.of(9, "tail"),
                        large8, env -> env.dax.awaitIdle(9, 1, TimeUnit.SECONDS, null)),
                of("wait-on-device-map", "deviceMap.awaitIdle(0, null)", ise, List.of("DAX", "DEVICE"), NOTHING,
                        env -> env.device.pageMap().awaitIdle(0, null)),
                of("pin-idle", "map.pins().pin(5, false) of an idle folio", ise, List.of(5, "idle"), NOTHING,
                        env -> env.dax.pins().pin(5, false)),
                of("pin-long-term-dax", "map.pins().pin(5, true) on a dax map", iae, List.of(5, "long-term"), ref5,
                        env -> env.dax.pins().pin(5, true)),
                of("unpin-unpinned", "map.pins().unpin(5) with no pin", rce, List.of(5, "unpin"), ref5,
                        env -> env.dax.pins().unpin(5)),
                of("pin-range-length-zero", "PinnedRange.pin(map, 0, 0, false)", iae, List.of(0), ref5,
                        env -> PinnedRange.pin(env.dax, 0, 0, false)),
                of("pin-range-negative-length", "PinnedRange.pin(map, 0, -5, false)", iae, List.of(-5), ref5,
                        env -> PinnedRange.pin(env.dax, 0, -5, false)),
                of("pin-range-overflow", "PinnedRange.pin(map, 4096, Long.MAX_VALUE, false)", ioobe,
                        List.of(Long.MAX_VALUE), NOTHING, env -> PinnedRange.pin(env.dax, 4096, Long.MAX_VALUE, false)),
                of("pin-range-no-fault-in", "RangePins.pin(map, 0, 4096, false, null)", NullPointerException.class,
                        List.of("faultIn"), env -> env.dax.incRef(0),
                        env -> RangePins.pin(env.dax, 0, 4096, false, null)),
                of("unpin-after-close", "map.pins().unpin(h) after map.close()", ise, List.of("closed"),
                        ref5.then(env -> env.dax.pins().pin(5, false)).then(env -> env.dax.close()),
                        env -> env.dax.pins().unpin(5)),
                of("wait-no-unit", "map.awaitIdle(5, 1, null, null)", NullPointerException.class, List.of("unit"), ref5,
                        env -> env.dax.awaitIdle(5, 1, null, null)),
                of("pin-range-past-end", "PinnedRange.pin(map, 4 MiB - 4096, 8192, false)", ioobe,
                        List.of(4 * MiB - 4096), NOTHING, env -> PinnedRange.pin(env.dax, 4 * MiB - 4096, 8192, false)),
                of("owner-mapping-zero", "owners().associate(5, 0, 0, false)", iae, List.of("mapping id 0"), ref5,
                        env -> env.dax.owners().associate(5, 0, 0, false)),
                of("owner-index-negative", "owners().associate(5, 7, -1, false)", iae, List.of("index -1"), ref5,
                        env -> env.dax.owners().associate(5, 7, -1, false)),
                of("owner-twice", "owners().associate(5, 8, 0, false) of a folio mapping 7 owns", ise, List.of(5, 8),
                        ref5.then(env -> env.dax.owners().associate(5, 7, 0, false)),
                        env -> env.dax.owners().associate(5, 8, 0, false)),
                of("owner-disassociate-unowned", "owners().disassociate(5) of an unowned folio", ise,
                        List.of(5, "unowned"), NOTHING, env -> env.dax.owners().disassociate(5)),
                of("owner-index-unowned", "owners().index(5) of an unowned folio", ise, List.of(5), NOTHING,
                        env -> env.dax.owners().index(5)),
                of("share-negative", "owners().addShare(8, -5) of a shared folio", ise, List.of(8, -5, "negative"),
                        shared8, env -> env.dax.owners().addShare(8, -5)),
                of("share-of-owned", "owners().addShare(5, 1) of an exclusively owned folio", ise, List.of(5),
                        ref5.then(env -> env.dax.owners().associate(5, 7, 0, false)),
                        env -> env.dax.owners().addShare(5, 1)),
                of("owner-set-negative-share", "owners().set(5, 0, -1)", iae, List.of(5, -1), NOTHING,
                        env -> env.dax.owners().set(5, 0, -1)),
                of("get-refs-min", "map.getRefs(5, Integer.MIN_VALUE)", iae, List.of(Integer.MIN_VALUE), ref5,
                        env -> env.dax.getRefs(5, Integer.MIN_VALUE)),
                of("wait-on-pool-map", "poolMap.awaitIdle(0, 1, SECONDS, null)", ise, List.of("DAX", "POOL"), NOTHING,
                        env -> env.pool.allocator().pageMap().awaitIdle(0, 1, TimeUnit.SECONDS, null)),
                of("wait-after-close", "map.awaitIdle(5, 1, SECONDS, null) after map.close()", ise, List.of("closed"),
                        env -> env.dax.close(), env -> env.dax.awaitIdle(5, 1, TimeUnit.SECONDS, null)),
                of("pin-after-close", "map.pins().pin(5, false) after map.close()", ise, List.of("closed"),
                        ref5.then(env -> env.dax.close()), env -> env.dax.pins().pin(5, false)),
                of("owner-mapping-too-large", "owners().associate(5, MAX_MAPPING_ID + 1, 0, false)", iae,
                        List.of(FolioOwners.MAX_MAPPING_ID + 1), NOTHING,
                        env -> env.dax.owners().associate(5, FolioOwners.MAX_MAPPING_ID + 1, 0, false)),
                of("owner-index-too-large", "owners().associate(5, 7, MAX_INDEX + 1, false)", iae,
                        List.of(FolioOwners.MAX_INDEX + 1), NOTHING,
                        env -> env.dax.owners().associate(5, 7, FolioOwners.MAX_INDEX + 1, false)),
                of("share-overflow", "owners().addShare(8, Long.MAX_VALUE) of a folio shared by 2", ise,
                        List.of(8, Long.MAX_VALUE, "overflow"), shared8,
                        env -> env.dax.owners().addShare(8, Long.MAX_VALUE)),
                of("owner-of-tail", "owners().associate(9, 7, 0, false) of a tail page", iae, List.of(9, "tail"),
                        large8, env -> env.dax.owners().associate(9, 7, 0, false)),
                of("map-after-close", "map.get(5) after map.close()", ise, List.of("closed"), env -> env.dax.close(),
                        env -> env.dax.get(5)),
                of("pool-map-incref-free", "pool.allocator().pageMap().incRef(5) of a free page", rce, List.of(5),
                        NOTHING, env -> env.pool.allocator().pageMap().incRef(5)),
                of("pool-map-prep", "pool.allocator().pageMap().prepCompound(0, 1)", ise, List.of("allocator"), NOTHING,
                        env -> env.pool.allocator().pageMap().prepCompound(0, 1)),
                of("pool-map-split", "pool.allocator().pageMap().split(0)", ise, List.of("allocator"), NOTHING,
                        env -> env.pool.allocator().pageMap().split(0)),
                of("pool-map-owner", "pool.allocator().pageMap().owners().associate(h, 7, 0, false)", ise,
                        List.of("pool"), env -> env.buf = env.pool.allocate(4096),
                        env -> env.pool.allocator().pageMap().owners().associate(env.pool.allocator().pageMap()
                                .pfnOf(env.buf.segment().address() - env.pool.region().segment().address()), 7, 0,
                                false)));
    }
}
