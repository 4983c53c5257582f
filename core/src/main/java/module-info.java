/**
 * jdax: the Linux kernel's folio / dev_pagemap / fs-dax page management, over off-heap memory or a
 * memory-mapped file. Needs no JVM flags: memory is reached through the FFM API only.
 */
module io.jdax {
    requires jdk.nio.mapmode;
    requires jdk.jfr;
    requires static org.agrona; // optional: only AgronaBuffers uses it

    exports io.jdax.memory;
    exports io.jdax.page;
    exports io.jdax.wait;
    exports io.jdax.alloc;
    exports io.jdax.slab;
    exports io.jdax.pool;
    exports io.jdax.device;
    exports io.jdax.mapping;
    exports io.jdax.store;
}
