package io.jdax.store;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** JFR events of the store; their duration is the event's own. */
final class StoreEvents {

    private StoreEvents() {
    }

    @Name("io.jdax.StoreWriteback")
    @Label("Store Writeback")
    @Category({"jdax", "Store"})
    @Description("An fsync of a file: its dirty extents flushed and the metadata committed")
    static final class Writeback extends Event {
        @Label("File") String file;
        @Label("Flushed") @DataAmount long bytes;
    }

    @Name("io.jdax.StoreIdleWait")
    @Label("Store Idle Wait")
    @Category({"jdax", "Store"})
    @Description("A truncate, hole punch, delete or reflink breaking a file's layout: revoking its views and "
            + "waiting until no page of the range is pinned or under I/O")
    static final class IdleWait extends Event {
        @Label("File") String file;
        @Label("Operation") String operation;
        @Label("Range") @DataAmount long bytes;
    }
}
