package io.jdax.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.mapping.MappingPin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's JFR events: one per fsync with the bytes it flushed, one per idle wait of a layout break. */
class StoreEventsTest {

    static final long PAGE = DaxStore.PAGE;

    @Test
    void anFsyncRecordsItsBytesAndATruncateRecordsOnlyTheTimeItWaited(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("events.jfr");
        try (DaxStore store = DaxStore.anonymous(64 * PAGE * 16); Recording r = new Recording()) {
            r.enable("io.jdax.StoreWriteback").withThreshold(Duration.ZERO);
            r.enable("io.jdax.StoreIdleWait").withThreshold(Duration.ZERO);
            r.start();
            DaxFile f = store.create("f");
            f.write(0, new byte[(int) (4 * PAGE)], 0, (int) (4 * PAGE));
            f.fsync();
            f.truncate(3 * PAGE); // nothing busy: no wait, no event
            MappingPin pin = f.mapping().pin(1, false);
            CompletableFuture<Void> cut = CompletableFuture.runAsync(() -> {
                try {
                    f.truncate(PAGE);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> new Thread(runnable).start());
            long pfn = pin.pfn();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                while (store.pageMap().idleWaiterCount(pfn) == 0) {
                    Thread.onSpinWait();
                }
            });
            pin.close();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> cut.get());
            r.stop();
            r.dump(out);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(out);
        List<RecordedEvent> writebacks = events.stream()
                .filter(e -> e.getEventType().getName().equals("io.jdax.StoreWriteback")).toList();
        List<RecordedEvent> waits = events.stream()
                .filter(e -> e.getEventType().getName().equals("io.jdax.StoreIdleWait")).toList();
        assertEquals(1, writebacks.size(), writebacks.toString());
        assertEquals(4 * PAGE, writebacks.get(0).getLong("bytes"));
        assertTrue(waits.size() >= 1, "the pinned truncate waited: " + waits);
        for (RecordedEvent w : waits) {
            assertEquals("truncate", w.getString("operation"));
            assertEquals(2 * PAGE, w.getLong("bytes"), "the range the waiting truncate cut");
        }
    }
}
