package io.jdax.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.mapping.OutOfSpaceException;

import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A write that finds the store full: it throws {@link OutOfSpaceException} saying how many of its bytes are
 * written; those bytes are there, the rest are not, the file keeps the size the write gave it, and nothing
 * else changes. Freeing space makes the store usable again.
 */
class StoreFullTest {

    static final long PAGE = DaxStore.PAGE;

    DaxStore store;
    long dataPages;

    @BeforeEach
    void setUp() {
        store = DaxStore.anonymous(8L << 20);
        dataPages = store.stats().dataPages();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void aWriteLargerThanTheStoreWritesAPrefixSaysHowLongAndKeepsTheRest() throws InterruptedException {
        DaxFile f = store.create("big");
        int n = (int) ((dataPages + 8) * PAGE);
        byte[] src = DaxStoreTest.bytes(n, 1);
        OutOfSpaceException e = assertThrows(OutOfSpaceException.class, () -> f.write(100, src, 0, n));
        long written = e.written();
        assertTrue(written > 0 && written < n, "written " + written + " of " + n);
        assertTrue(e.getMessage().contains("store is full") && e.getMessage().contains("first " + written + " bytes"),
                e.getMessage());
        assertEquals(100 + n, f.size(), "the file keeps the size the write gave it");
        assertEquals(0, store.stats().freePages());
        byte[] back = new byte[n];
        assertEquals(n, f.read(100, back, 0, n));
        assertArrayEquals(Arrays.copyOf(src, (int) written), Arrays.copyOf(back, (int) written),
                "the bytes before the failing entry are written");
        byte[] zeros = new byte[(int) (n - written)];
        assertArrayEquals(zeros, Arrays.copyOfRange(back, (int) written, n), "the rest is not: it reads as zeros");
        f.truncate(0);
        assertEquals(dataPages, store.stats().freePages(), "truncating the file gives every block back");
        f.write(0, src, 0, (int) PAGE);
        assertEquals(PAGE, f.size(), "and the store is usable again");
    }

    @Test
    void aWriteIntoAHoleOfAFullStoreChangesNothing() throws InterruptedException {
        DaxFile sparse = store.create("sparse");
        sparse.truncate(4 * PAGE); // a hole: no block yet
        DaxFile filler = store.create("filler");
        int n = (int) ((dataPages + 1) * PAGE);
        assertThrows(OutOfSpaceException.class, () -> filler.write(0, new byte[n], 0, n));
        assertEquals(0, store.stats().freePages());
        OutOfSpaceException e = assertThrows(OutOfSpaceException.class,
                () -> sparse.write(PAGE, DaxStoreTest.bytes(10, 2), 0, 10));
        assertEquals(0, e.written());
        assertTrue(e.getMessage().contains("'sparse'") && e.getMessage().contains("offset " + PAGE), e.getMessage());
        assertEquals(4 * PAGE, sparse.size(), "a write inside the file does not change its size");
        byte[] back = new byte[(int) (4 * PAGE)];
        sparse.read(0, back, 0, back.length);
        assertArrayEquals(new byte[back.length], back, "the hole still reads as zeros");
    }

    @Test
    void anOverwriteOfAllocatedBlocksSucceedsOnAFullStore() {
        DaxFile f = store.create("f");
        f.write(0, DaxStoreTest.bytes((int) PAGE, 3), 0, (int) PAGE);
        DaxFile filler = store.create("filler");
        int n = (int) (dataPages * PAGE);
        assertThrows(OutOfSpaceException.class, () -> filler.write(0, new byte[n], 0, n));
        byte[] again = DaxStoreTest.bytes((int) PAGE, 4);
        f.write(0, again, 0, again.length);
        byte[] back = new byte[(int) PAGE];
        f.read(0, back, 0, back.length);
        assertArrayEquals(again, back);
    }
}
