package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** The backing directory of anonymous regions, the one-claimant rule, and the process-wide mapping budget. */
@Isolated // changes process-wide settings: the free-space probe and the mapping budget
class RegionBackingTest {

    @TempDir
    Path dir;

    @Test
    void anAnonymousRegionIsBackedInTheDirectoryAskedForAndLeavesNothingThere() throws Exception {
        try (Region r = Region.anonymous(1 << 20, dir)) {
            r.segment().set(ValueLayout.JAVA_LONG, (1 << 20) - 8, 5L);
            assertEquals(0, r.segment().address() % Region.ANONYMOUS_ALIGNMENT);
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "the backing file is unlinked at once");
            }
        }
    }

    @Test
    void aRegionLargerThanItsFilesystemsFreeSpaceFailsAtCreationSayingWhatToDo() throws Exception {
        ToLongFunction<Path> real = AnonymousBacking.freeSpace;
        AnonymousBacking.freeSpace = p -> 64L << 20; // a container's default /dev/shm
        long before = KernelMappings.inUse();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Region.anonymous(256L << 20, dir));
            String m = e.getMessage();
            assertTrue(m.contains(Long.toString(256L << 20)) && m.contains(dir.toString())
                    && m.contains(Long.toString(64L << 20)) && m.contains("--shm-size")
                    && m.contains(Region.SHM_DIR_PROPERTY), m);
            assertEquals(before, KernelMappings.inUse(), "nothing mapped");
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count());
            }
            // what fits (with its padding) is made
            Region.anonymous((64L << 20) - Region.ANONYMOUS_ALIGNMENT, dir).close();
        } finally {
            AnonymousBacking.freeSpace = real;
        }
    }

    @Test
    void aDirectoryThatIsNotWritableIsNamed() {
        Path missing = dir.resolve("missing");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Region.anonymous(4096, missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void theSystemPropertyChoosesTheDefaultDirectory() {
        String old = System.getProperty(Region.SHM_DIR_PROPERTY);
        System.setProperty(Region.SHM_DIR_PROPERTY, dir.toString());
        try {
            assertEquals(dir, Region.defaultBackingDirectory());
        } finally {
            if (old == null) {
                System.clearProperty(Region.SHM_DIR_PROPERTY);
            } else {
                System.setProperty(Region.SHM_DIR_PROPERTY, old);
            }
        }
    }

    @Test
    void aRegionHasOneClaimantUntilItDetachesOrTheRegionCloses() {
        AutoCloseable first = () -> { };
        AutoCloseable second = () -> { };
        Region r = Region.anonymous(1 << 20);
        r.claim(first);
        assertEquals(Optional.of(first), r.claimant());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.claim(second));
        assertTrue(e.getMessage().contains(first.toString()), e.getMessage());
        assertEquals(Optional.of(first), r.claimant(), "the refused claim changed nothing");
        r.attach(second); // attaching is not claiming
        r.detach(first);
        assertEquals(Optional.empty(), r.claimant());
        r.claim(second);
        r.close();
        assertEquals(Optional.empty(), r.claimant());
        e = assertThrows(IllegalStateException.class, () -> r.claim(first));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void aClaimantIsClosedWithTheRegion() {
        boolean[] closed = {false};
        Region r = Region.anonymous(1 << 20);
        r.claim(() -> closed[0] = true);
        r.close();
        assertTrue(closed[0]);
    }

    @Test
    void regionsAndViewsCountAgainstTheMappingBudgetAndClosingGivesItBack() {
        long limit = KernelMappings.limit();
        long base = KernelMappings.inUse();
        KernelMappings.limit(base + 3);
        List<AutoCloseable> held = new ArrayList<>();
        try {
            Region r = Region.anonymous(1 << 20);
            held.add(r);
            assertEquals(base + 1, KernelMappings.inUse());
            Arena views = Arena.ofShared();
            held.add(views);
            r.mapView(0, 4096, views);
            r.mapView(4096, 4096, views);
            assertEquals(base + 3, KernelMappings.inUse());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.mapView(0, 4096, views));
            assertTrue(e.getMessage().contains(Long.toString(base + 3)) && e.getMessage().contains("budget")
                    && e.getMessage().contains(KernelMappings.LIMIT_PROPERTY), e.getMessage());
            assertThrows(IllegalStateException.class, () -> Region.anonymous(4096));
            assertEquals(base + 3, KernelMappings.inUse(), "refusals count nothing");
            views.close();
            assertEquals(base + 1, KernelMappings.inUse(), "a closed arena gives its mappings back");
            try (Arena again = Arena.ofConfined()) {
                r.mapView(0, 4096, again);
            }
            r.close();
            assertEquals(base, KernelMappings.inUse());
        } finally {
            KernelMappings.limit(limit);
            for (AutoCloseable c : held) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closed above
                }
            }
        }
        assertFalse(KernelMappings.inUse() > base);
    }
}
