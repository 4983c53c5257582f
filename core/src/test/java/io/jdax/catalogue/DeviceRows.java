package io.jdax.catalogue;

import static io.jdax.catalogue.Env.KiB;
import static io.jdax.catalogue.Env.MiB;
import static io.jdax.catalogue.Row.NOTHING;
import static io.jdax.catalogue.Row.of;

import io.jdax.device.DeviceDax;
import io.jdax.device.PinnedRange;
import io.jdax.memory.Region;
import io.jdax.wait.SleepCallback;
import io.jdax.wait.WaitTable;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Misuses of device DAX, its view groups and pins (io.jdax.device), and of wait tables (io.jdax.wait). */
final class DeviceRows {

    private DeviceRows() {
    }

    static Stream<Row> rows() {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        Class<IllegalStateException> ise = IllegalStateException.class;
        Class<IndexOutOfBoundsException> ioobe = IndexOutOfBoundsException.class;
        Row.Step group = env -> env.group = env.device.newViewGroup();
        return Stream.of(
                of("device-order", "DeviceDax.create(r, 19)", iae, List.of(19, "[0, 18]"), NOTHING,
                        env -> DeviceDax.create(Region.anonymous(MiB), 19)),
                of("device-not-multiple", "DeviceDax.create(3 MiB region, 9)", iae, List.of(3 * MiB, "order-9"),
                        NOTHING, env -> {
                            try (Region r = Region.anonymous(3 * MiB)) {
                                DeviceDax.create(r, 9);
                            }
                        }),
                of("device-second-map", "DeviceDax.create(a region that has a device)", ise,
                        List.of("already claimed"), NOTHING, env -> DeviceDax.create(env.deviceRegion, 3)),
                of("device-closed-region", "DeviceDax.create(closed region, 0)", ise, List.of("closed"), NOTHING,
                        env -> {
                            Region r = Region.anonymous(MiB);
                            r.close();
                            DeviceDax.create(r, 0);
                        }),
                of("view-misaligned", "group.map(4096) with 32 KiB folios", iae, List.of(4096, 32 * KiB), group,
                        env -> env.group.map(4096)),
                of("view-past-end", "group.map(4 MiB)", ioobe, List.of(4 * MiB), group, env -> env.group.map(4 * MiB)),
                of("view-negative", "group.mapContaining(-1)", ioobe, List.of(-1), group,
                        env -> env.group.mapContaining(-1)),
                of("view-pfn-past-end", "group.mapPage(1024)", ioobe, List.of(1024), group,
                        env -> env.group.mapPage(1024)),
                of("view-after-revoke", "view.segment() after group.close()", ise, List.of("closed"),
                        group.then(env -> env.view = env.group.map(0)).then(env -> env.group.close()),
                        env -> env.view.segment()),
                of("group-map-after-close", "group.map(0) after group.close()", ise, List.of("closed"),
                        group.then(env -> env.group.close()), env -> env.group.map(0)),
                of("view-after-device-close", "view.segment() after device.close()", ise, List.of("closed"),
                        group.then(env -> env.view = env.group.map(0)).then(env -> env.device.close()),
                        env -> env.view.segment()),
                of("group-map-after-device-close", "group.map(0) after device.close()", ise, List.of("closed"),
                        group.then(env -> env.device.close()), env -> env.group.map(0)),
                of("group-after-device-close", "device.newViewGroup() after device.close()", ise, List.of("closed"),
                        env -> env.device.close(), env -> env.device.newViewGroup()),
                of("device-pin-length-zero", "device.pin(0, 0, false)", iae, List.of(0), NOTHING,
                        env -> env.device.pin(0, 0, false)),
                of("device-pin-past-end", "device.pin(4 MiB - 4096, 8192, false)", ioobe, List.of(4 * MiB - 4096),
                        NOTHING, env -> env.device.pin(4 * MiB - 4096, 8192, false)),
                of("device-pin-negative", "device.pin(-4096, 4096, false)", ioobe, List.of(-4096), NOTHING,
                        env -> env.device.pin(-4096, 4096, false)),
                of("device-pin-overflow", "device.pin(4096, Long.MAX_VALUE, false)", ioobe, List.of(Long.MAX_VALUE),
                        NOTHING, env -> env.device.pin(4096, Long.MAX_VALUE, false)),
                of("view-pfn-min", "group.mapPage(Long.MIN_VALUE)", ioobe, List.of(Long.MIN_VALUE), group,
                        env -> env.group.mapPage(Long.MIN_VALUE)),
                of("device-over-dax-region", "DeviceDax.create(a region a dax map claimed, 0)", ise,
                        List.of("already claimed"), NOTHING, env -> DeviceDax.create(env.region, 0)),
                of("wait-no-condition", "table.await(7, null, 1, SECONDS, null)", NullPointerException.class,
                        List.of("condition"), NOTHING, env -> env.waits.await(7, null, 1, TimeUnit.SECONDS, null)),
                of("device-pin-after-close", "device.pin(0, 4096, false) after close", ise, List.of("closed"),
                        env -> env.device.close(), env -> env.device.pin(0, 4096, false)),
                of("device-stats-after-close", "device.stats() after close", ise, List.of("closed"),
                        env -> env.device.close(), env -> env.device.stats()),
                of("pin-range-long-term-dax", "PinnedRange.pin(daxMap, 0, 4096, true)", iae, List.of("long-term"),
                        env -> env.dax.incRef(0), env -> PinnedRange.pin(env.dax, 0, 4096, true)),
                of("wait-on-closed-table", "table.await(7, () -> false, 1, SECONDS, null) after table.close(reason)",
                        ise, List.of("device gone", 7), env -> env.waits.close("device gone"),
                        env -> env.waits.await(7, () -> false, 1, TimeUnit.SECONDS, null)),
                of("wait-untimed-on-closed-table", "table.awaitUninterruptibly(7, () -> false, null) after close",
                        ise, List.of("device gone", 7), env -> env.waits.close("device gone"),
                        env -> env.waits.awaitUninterruptibly(7, () -> false, null)),
                of("wait-close-no-reason", "table.close(null)", NullPointerException.class, List.of("reason"),
                        NOTHING, env -> env.waits.close(null)),
                of("sleep-callback-no-before", "SleepCallback.of(null, after)", NullPointerException.class,
                        List.of("before"), NOTHING, env -> SleepCallback.of(null, () -> { })),
                of("sleep-callback-no-after", "SleepCallback.of(before, null)", NullPointerException.class,
                        List.of("after"), NOTHING, env -> SleepCallback.of(() -> { }, null)),
                of("wait-buckets-not-power", "new WaitTable(100)", iae, List.of(100), NOTHING, env -> new WaitTable(100)),
                of("wait-buckets-zero", "new WaitTable(0)", iae, List.of(0), NOTHING, env -> new WaitTable(0)),
                of("wait-buckets-too-many", "new WaitTable(1 << 17)", iae, List.of(1 << 17), NOTHING,
                        env -> new WaitTable(1 << 17)));
    }
}
