package io.jdax.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class AnonymousRegionTest extends RegionContract {

    @Override
    Region create(long byteSize) {
        return Region.anonymous(byteSize);
    }

    @Test
    void isAlignedToThePmdSizeAndPersistsNothing() {
        Region r = Region.anonymous(3 * 4096 + 5);
        try {
            assertEquals(0, r.segment().address() % Region.ANONYMOUS_ALIGNMENT);
            assertEquals(Persistence.NONE, r.persistence());
            assertEquals(java.util.Optional.empty(), r.file());
        } finally {
            r.close();
        }
    }

    @Test
    void regionsLargerThan2GiBWork() {
        long size = 3L << 30;
        Region r = Region.anonymous(size);
        try {
            r.segment().set(ValueLayout.JAVA_LONG, size - 8, -1L);
            r.segment().set(ValueLayout.JAVA_LONG, (2L << 30) + 8, 99L);
            assertEquals(-1L, r.segment().get(ValueLayout.JAVA_LONG, size - 8));
            assertEquals(99L, r.slice((2L << 30) + 8, 8).get(ValueLayout.JAVA_LONG, 0));
        } finally {
            r.close();
        }
    }
}
