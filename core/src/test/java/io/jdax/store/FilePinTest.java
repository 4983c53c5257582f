package io.jdax.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pins of a file's blocks (what truncate waits for) and the share count a view shows. */
class FilePinTest {

    static final long PAGE = DaxStore.PAGE;

    DaxStore store;

    @BeforeEach
    void setUp() {
        store = DaxStore.anonymous(8L << 20);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void aTruncateWaitsForAPinAndThePinSeesItWaiting() throws Exception {
        DaxFile f = store.create("a");
        f.write(0, MemorySegment.ofArray(new byte[(int) (4 * PAGE)]));
        FilePin pin = f.pin(PAGE + 10, true);
        assertEquals(0, pin.waiters());
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread truncate = Thread.ofPlatform().start(() -> {
            try {
                f.truncate(0);
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        while (pin.waiters() == 0 && truncate.isAlive()) {
            Thread.onSpinWait();
        }
        assertTrue(truncate.isAlive(), "the truncate must wait for the pin, not finish past it");
        assertEquals(1, pin.waiters());
        assertEquals(4 * PAGE, f.size(), "nothing is cut while the pin is held");
        pin.close();
        truncate.join();
        assertEquals(null, failed.get());
        assertEquals(0, f.size());
        assertFalse(pin.isOpen());
        pin.close(); // idempotent
    }

    @Test
    void aPinOfAHoleHoldsNothingAndBadOffsetsAreRefused() throws Exception {
        DaxFile f = store.create("a");
        f.truncate(2 * PAGE);
        try (FilePin hole = f.pin(PAGE, false)) {
            assertEquals(-1, hole.pfn());
            assertEquals(0, hole.waiters());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.pin(-1, false));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.pin(2 * PAGE, false));
        assertTrue(e.getMessage().contains(String.valueOf(2 * PAGE)), e.getMessage());
        f.truncate(0); // nothing was left pinned
    }

    @Test
    void aPinnedPageIsThePageAViewMaps() throws Exception {
        DaxFile f = store.create("a");
        f.write(0, MemorySegment.ofArray(new byte[(int) (4 * PAGE)]));
        try (FilePin pin = f.pin(3 * PAGE + 1, false); FileView v = f.map(3 * PAGE, PAGE, false)) {
            assertEquals(v.pfn(), pin.pfn());
        }
    }

    @Test
    void aReflinkedBlockIsSharedOnceBothFilesMapIt() throws Exception {
        DaxFile a = store.create("a");
        DaxFile b = store.create("b");
        a.write(0, MemorySegment.ofArray(new byte[(int) (2 * PAGE)]));
        try (FileView va = a.map(0, PAGE, false)) {
            assertEquals(1, va.shareCount(), "one file owns it");
        }
        store.reflink(a, 0, b, 0, 2 * PAGE);
        try (FileView va = a.map(0, PAGE, false); FileView vb = b.map(0, PAGE, false)) {
            assertEquals(va.pfn(), vb.pfn(), "one block, two names");
            assertEquals(2, va.shareCount());
            assertEquals(2, vb.shareCount());
        }
        b.truncate(0);
        try (FileView va = a.map(0, PAGE, false)) {
            assertEquals(1, va.shareCount(), "the copy let go of it");
        }
        b.truncate(PAGE);
        try (FileView hole = b.map(0, PAGE, false)) {
            assertEquals(0, hole.shareCount(), "a hole maps the zero page, which no file owns");
        }
    }
}
