package io.jdax.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.memory.Region;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class PoolPageMapTest extends PageMapContract {

    final List<Long> released = new ArrayList<>();

    @Override
    PageMap create(Region region, long pageSize) {
        return PageMap.pool(region, pageSize, (m, head) -> {
            assertEquals(0, m.refCount(head), "the releaser receives an idle folio");
            released.add(head);
        });
    }

    @Override
    void assertLastPutHandled(long head) {
        assertEquals(List.of(head), released, "the last put hands the folio to the releaser, once");
    }

    @Test
    void onlyTheLastPutReleases() {
        prep(64, 3);
        take(64);
        map.getRefs(64, 2);
        map.put(64);
        map.put(64);
        assertTrue(released.isEmpty());
        map.put(64);
        assertEquals(List.of(64L), released);
    }

    @Test
    void poolMapsDoNotWaitForIdle() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.awaitIdle(1, null));
        assertTrue(e.getMessage().contains("POOL"), e.getMessage());
        assertThrows(NullPointerException.class, () -> PageMap.pool(region, null));
    }

    @Test
    void theLayoutIsTheAllocatorsAndCannotBeChangedFromOutside() {
        IllegalStateException prep = assertThrows(IllegalStateException.class, () -> map.prepCompound(8, 1));
        assertTrue(prep.getMessage().contains("pfn 8") && prep.getMessage().contains("allocator"), prep.getMessage());
        prep(8, 1);
        assertThrows(IllegalStateException.class, () -> map.split(8));
        assertEquals(1, map.order(8), "a refused split changes nothing");
    }

    @Test
    void ownerFieldsAreTheAllocatorsAndCannotBeWritten() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.owners().set(12, 5, 1));
        assertTrue(e.getMessage().contains("pfn 12") && e.getMessage().contains("allocator"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> map.owners().addShare(12, 1));
        assertEquals(0, map.owners().mapping(12));
        assertEquals(0, map.owners().share(12));
    }

    @Test
    void incRefOfAFreePageIsRefusedBecauseOnlyTheAllocatorLeavesIdle() {
        RefcountException e = assertThrows(RefcountException.class, () -> map.incRef(5));
        assertTrue(e.getMessage().contains("pfn 5") && e.getMessage().contains("allocator"), e.getMessage());
        assertEquals(5, e.pfn());
        assertEquals(0, e.count());
        assertEquals(0, map.refCount(5));
        take(5);
        map.incRef(5); // with a reference held it is a get
        assertEquals(2, map.refCount(5));
    }

    @Test
    void longTermPinsAreAllowed() {
        take(9);
        assertEquals(9, map.pins().pin(9, true));
    }
}
