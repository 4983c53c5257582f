package io.jdax.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.memory.Region;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A multi-reference drop (an order-0 unpin, {@code putRefs}) racing other puts: the race is run
 * deterministically from the hook between the drop's checks and its compare-and-set, which makes the
 * compare-and-set fail and the drop look again.
 */
class FolioRefsTest {

    static final long HEAD = 7;

    Region region;
    PageMap map;

    @BeforeEach
    void setUp() {
        region = Region.anonymous(64 * 4096L);
        map = PageMap.device(region, 4096);
    }

    @AfterEach
    void tearDown() {
        map.refs().beforeDropExchange = null;
        region.close();
    }

    /** Runs {@code race} once, the first time a drop reaches its compare-and-set. */
    void raceOnce(Runnable race) {
        map.refs().beforeDropExchange = head -> {
            map.refs().beforeDropExchange = null;
            race.run();
        };
    }

    @Test
    void anUnpinRacingAViewsCloseLooksAtTheMapCountAgain() {
        map.incRef(HEAD);           // a view: its reference, then its mapping
        map.incMapCount(HEAD);
        map.pins().pin(HEAD, false);
        assertEquals(1 + PageMap.PIN_BIAS, map.refCount(HEAD));
        raceOnce(() -> {            // the view closes: map count first, then its reference
            map.decMapCount(HEAD);
            assertFalse(map.put(HEAD));
        });

        map.pins().unpin(HEAD);

        assertEquals(0, map.refCount(HEAD), "the unpin dropped the last reference");
        assertEquals(0, map.mapCount(HEAD));
        assertEquals(0, map.pins().pinCount(HEAD));
    }

    @Test
    void aDropThatWouldLeaveAMappingWithoutItsReferenceIsStillRefusedOnARetry() {
        map.incRef(HEAD);           // a mapping's reference and a second, plain one
        map.incMapCount(HEAD);
        map.get(HEAD);
        map.get(HEAD);
        raceOnce(() -> assertFalse(map.put(HEAD))); // a plain put: the mapping stays

        RefcountException e = assertThrows(RefcountException.class, () -> map.putRefs(HEAD, 2));

        assertTrue(e.getMessage().contains("mapcount 1"), e.getMessage());
        assertEquals(2, map.refCount(HEAD), "the refused drop left the count as the racing put made it");
        assertEquals(1, map.mapCount(HEAD));
        map.decMapCount(HEAD);
        assertTrue(map.putRefs(HEAD, 2));
    }
}
