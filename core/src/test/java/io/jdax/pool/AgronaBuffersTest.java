package io.jdax.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;

class AgronaBuffersTest {

    @Test
    void anAgronaViewSharesTheBuffersBytes() {
        try (BufferPool pool = BufferPool.create(1 << 20); PooledBuffer b = pool.allocate(100)) {
            MutableDirectBuffer view = AgronaBuffers.view(b);
            assertEquals(100, view.capacity());
            view.putLong(16, 0x1122334455667788L, ByteOrder.nativeOrder());
            assertEquals(0x1122334455667788L, b.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 16));
            b.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 40, 7);
            assertEquals(7, view.getInt(40, ByteOrder.nativeOrder()));
            assertThrows(IndexOutOfBoundsException.class, () -> view.getByte(100));
        }
    }

    @Test
    void aReleasedBufferHasNoView() {
        try (BufferPool pool = BufferPool.create(1 << 20)) {
            PooledBuffer b = pool.allocate(10);
            b.release();
            assertThrows(IllegalStateException.class, () -> AgronaBuffers.view(b));
        }
    }
}
