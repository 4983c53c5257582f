package io.jdax.bench.cli;

import io.jdax.store.DaxFile;
import io.jdax.store.DaxStore;
import io.jdax.store.FilePin;
import io.jdax.store.FileView;

import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The file store part of {@code jdax demo}: a file written, reflinked to a second name, one page mapped from
 * both names (one block, its share count), a truncate of the copy that waits for a pin, an fsync of exactly
 * the dirty pages, and the statistics. On anonymous memory: nothing is left behind.
 */
final class DemoStore implements DemoCommand.Part {

    private static final long PAGE = DaxStore.PAGE;
    private static final int PAGES = 16;

    @Override
    public String title() {
        return "A file store: write, reflink, map from both names, truncate past a pin, fsync";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        try (DaxStore store = DaxStore.anonymous(8L << 20)) {
            out.printf("A store over 8 MiB of anonymous memory: %s of metadata, %d pages of 4 KiB for file data%n",
                    DemoCommand.mib(store.stats().metadataBytes()), store.stats().dataPages());
            DaxFile log = store.create("log");
            log.truncate(PAGES * PAGE); // its size first: the records below are shorter than their pages
            for (int i = 0; i < PAGES; i++) {
                log.write(i * PAGE, record("record " + i));
            }
            out.printf("'log' written: %d pages, one record each; %d extents; fsync flushed %d bytes (all of it is new)%n",
                    PAGES, log.stats().extents(), log.fsync());

            DaxFile copy = store.create("log.copy");
            long free = store.stats().freePages();
            store.reflink(log, 0, copy, 0, PAGES * PAGE);
            out.printf("reflink(log -> log.copy, %d KiB): 'log.copy' is %d bytes and shares every block, no byte "
                    + "copied: free pages %d before, %d after%n", PAGES * PAGE >> 10, copy.size(), free,
                    store.stats().freePages());

            try (FileView a = log.map(0, PAGE, false)) {
                out.printf("map page 0 of 'log': pfn %d, share count %d (one file has mapped the block)%n",
                        a.pfn(), a.shareCount());
                try (FileView b = copy.map(0, PAGE, false)) {
                    out.printf("map page 0 of 'log.copy': pfn %d, the same block; share count now %d on both "
                            + "(%d, %d); it reads \"%s\"%n", b.pfn(), b.shareCount(), a.shareCount(), b.shareCount(),
                            text(b.segment()));
                }
            }

            FilePin io = copy.pin(0, false);
            out.printf("pin page 0 of 'log.copy' for an I/O in flight (pfn %d): a pin cannot be revoked, it is "
                    + "waited for%n", io.pfn());
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread truncate = Thread.ofPlatform().name("truncate").start(() -> {
                try {
                    copy.truncate(0);
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            while (io.waiters() == 0 && truncate.isAlive()) {
                Thread.onSpinWait(); // the waiter count rises once truncate is queued on the pinned block
            }
            if (!truncate.isAlive()) {
                throw new IllegalStateException("truncate did not wait for the pin", failed.get());
            }
            out.printf("truncate('log.copy', 0) started on another thread: it waits for the pin (waiters on the "
                    + "pinned block: %d); 'log.copy' is still %d bytes%n", io.waiters(), copy.size());
            io.close();
            truncate.join();
            if (failed.get() != null) {
                throw new IllegalStateException("truncate failed", failed.get());
            }
            out.printf("the I/O completes and closes its pin: the truncate finished; 'log.copy' is %d bytes, its "
                    + "blocks stayed with 'log' (free pages %d)%n", copy.size(), store.stats().freePages());
            try (FileView a = log.map(0, PAGE, false)) {
                out.printf("page 0 of 'log': share count %d, reads \"%s\"%n", a.shareCount(), text(a.segment()));
            }

            log.write(3 * PAGE, record("record 3, again"));
            log.write(9 * PAGE, record("record 9, again"));
            out.printf("two records rewritten (pages 3 and 9): %d dirty entries; fsync flushed %d bytes, exactly "
                    + "those two pages of the %d KiB file%n", log.stats().dirtyEntries(), log.fsync(),
                    log.size() >> 10);
            out.println("statistics: " + log.stats());
            out.println("            " + copy.stats());
            out.println("            " + store.stats());
        }
    }

    private static MemorySegment record(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment s = MemorySegment.ofArray(new byte[b.length + 1]); // NUL-terminated
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    private static String text(MemorySegment page) {
        return page.getString(0, StandardCharsets.UTF_8);
    }
}
