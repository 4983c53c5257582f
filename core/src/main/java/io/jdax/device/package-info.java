/**
 * Device DAX: a whole region as raw device memory, with no filesystem, mapped at one fixed fault size
 * (kernel: drivers/dax/device.c over a {@code MEMORY_DEVICE_GENERIC} {@code dev_pagemap}).
 *
 * <p>A {@link io.jdax.device.DeviceDax} preps every folio at one order when it is created: 0, the PMD order 9
 * or the PUD order 18 (a "compound devmap", kernel {@code vmemmap_shift}), so that a 2 MiB or 1 GiB device
 * page is one folio with one refcount. {@link io.jdax.device.ViewGroup}s hand out
 * {@link io.jdax.device.DeviceView}s, each a fault-size mapping holding a reference and a mapcount, revoked a
 * group at a time; {@link io.jdax.device.PinnedRange} pins a byte range, once per folio;
 * {@link io.jdax.device.DeviceFolios} is the per-folio count protocol all of them share. Views are built on
 * {@link io.jdax.memory.WindowGroup} and pins on {@link io.jdax.page.RangePins}; the device adds its fault
 * size, its folio counts and its lifetime.
 *
 * <p>Memory ordering: every count change is a volatile read-modify-write on the folio's descriptor (see
 * {@link io.jdax.page.PageMap}); a view's or a range's open/held flag is flipped by one compare-and-set, so
 * exactly one closer drops what it holds. Revocation happens-before the counts drop: a group closes its arena
 * before it unmaps its views' folios.
 */
package io.jdax.device;
