package io.jdax.store;

import io.jdax.wait.SleepCallback;

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
    @Description("One wait of a truncate, hole punch or reflink for a page of the file's range to become idle "
            + "(no pin, no I/O in flight): from the sleep to the wake")
    static final class IdleWait extends Event {
        @Label("File") String file;
        @Label("Operation") String operation;
        @Label("Range") @DataAmount long bytes;
    }

    /**
     * A sleep callback for a layout break that records each of its sleeps as one {@link IdleWait}, timed from
     * the sleep to the wake: a break that finds every page idle records nothing. Used by one thread at a time.
     */
    static SleepCallback idleWaits(String file, String operation, long bytes) {
        return new SleepCallback() {
            private IdleWait event;

            @Override
            public void beforeSleep() {
                event = new IdleWait();
                event.begin();
            }

            @Override
            public void afterWake() {
                IdleWait e = event;
                event = null;
                if (e != null && e.shouldCommit()) {
                    e.file = file;
                    e.operation = operation;
                    e.bytes = bytes;
                    e.commit();
                }
            }
        };
    }
}
