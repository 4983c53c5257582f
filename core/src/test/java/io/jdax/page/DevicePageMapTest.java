package io.jdax.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jdax.memory.Region;

import org.junit.jupiter.api.Test;

class DevicePageMapTest extends PageMapContract {

    @Override
    PageMap create(Region region, long pageSize) {
        return PageMap.device(region, pageSize);
    }

    @Override
    void assertLastPutHandled(long head) {
        // the folio stays with the device, idle and ready to be referenced again
        assertEquals(0, map.refCount(head));
        map.incRef(head);
        assertEquals(1, map.refCount(head));
    }

    @Test
    void longTermPinsAreAllowedAndIdleWaitingIsNot() {
        map.incRef(9);
        assertEquals(9, map.pins().pin(9, true));
        assertThrows(IllegalStateException.class, () -> map.awaitIdle(9, 1, java.util.concurrent.TimeUnit.SECONDS, null));
    }
}
