package io.jdax.page;

import static io.jdax.page.PageMapContract.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jdax.internal.PageDescriptor;
import io.jdax.memory.Region;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The owner word of dax folios: associate / disassociate as fs/dax.c after the 2025 series. */
class FolioOwnersTest {

    Region region;
    PageMap map;
    FolioOwners owners;

    @BeforeEach
    void setUp() {
        region = Region.anonymous(1024 * 4096L);
        map = PageMap.dax(region);
        owners = map.owners();
    }

    @AfterEach
    void tearDown() {
        region.close();
    }

    @Test
    void firstMappingOwnsTheFolioAtItsIndex() {
        assertEquals(0, owners.associate(64, 3, 1234, false));
        assertEquals(3, owners.mapping(64));
        assertEquals(1234, owners.index(64));
        assertFalse(owners.isShared(64));
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.share(64)), "mapping 3");
    }

    @Test
    void aSharedExtentMappedBySecondMappingTurnsIntoShareTwoThenCountsUp() {
        owners.associate(64, 3, 10, true); // first mapper of a shared extent still owns it (kernel: mapping set)
        assertEquals(3, owners.mapping(64));
        assertEquals(2, owners.associate(64, 4, 20, true));
        assertTrue(owners.isShared(64));
        assertEquals(0, owners.mapping(64), "a shared folio has no single mapping");
        assertEquals(2, owners.share(64));
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.index(64)), "shared by 2");
        assertEquals(3, owners.associate(64, 5, 30, true));
        assertEquals(2, owners.disassociate(64));
        assertEquals(1, owners.disassociate(64));
        assertTrue(owners.isShared(64), "share 1 is still shared: the kernel splits at 0 only");
        assertEquals(0, owners.disassociate(64));
        assertFalse(owners.isShared(64));
        assertEquals(0, owners.mapping(64));
        assertEquals(0, owners.share(64));
        assertEquals(0L, PageDescriptor.owner(map.memmap(), 64), "never shared with count 0");
    }

    @Test
    void exclusiveAssociateOfAnOwnedFolioIsRefusedAndChangesNothing() {
        owners.associate(64, 3, 10, false);
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.associate(64, 4, 20, false)),
                "64", "mapping 3", "mapping 4");
        assertEquals(3, owners.mapping(64));
        assertEquals(10, owners.index(64));
        owners.associate(65, 3, 10, true);
        owners.associate(65, 4, 10, true);
        assertThrows(IllegalStateException.class, () -> owners.associate(65, 5, 20, false));
        assertEquals(2, owners.share(65));
    }

    @Test
    void disassociateOfAnUnownedFolioIsRefused() {
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.disassociate(64)), "64", "unowned");
        assertEquals(0L, PageDescriptor.owner(map.memmap(), 64));
    }

    @Test
    void idsAndIndicesOutOfRangeAreRefusedNamingTheValue() {
        long tooBigId = FolioOwners.MAX_MAPPING_ID + 1;
        long tooBigIndex = FolioOwners.MAX_INDEX + 1;
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> owners.associate(64, 0, 1, false)), "0");
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> owners.associate(64, -2, 1, false)), "-2");
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> owners.associate(64, tooBigId, 1, false)), tooBigId);
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> owners.associate(64, 1, tooBigIndex, false)), tooBigIndex);
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> owners.associate(64, 1, -1, false)), "-1");
        assertThrows(IllegalArgumentException.class, () -> owners.set(64, tooBigId, 0));
        assertThrows(IllegalArgumentException.class, () -> owners.set(64, 1, tooBigIndex));
        assertEquals(0L, PageDescriptor.owner(map.memmap(), 64));
        owners.associate(64, FolioOwners.MAX_MAPPING_ID, FolioOwners.MAX_INDEX, false);
        assertEquals(FolioOwners.MAX_MAPPING_ID, owners.mapping(64));
        assertEquals(FolioOwners.MAX_INDEX, owners.index(64));
    }

    @Test
    void tailPagesHaveNoOwnerWord() {
        map.prepCompound(64, 2);
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> owners.associate(65, 1, 0, false)),
                "65", "64");
        assertThrows(IllegalArgumentException.class, () -> owners.disassociate(66));
    }

    @Test
    void shareOverflowIsReportedAsOverflowAndChangesNothing() {
        owners.set(64, 0, Long.MAX_VALUE);
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.addShare(64, 1)), "overflow");
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.associate(64, 3, 0, true)),
                "overflow");
        assertEquals(Long.MAX_VALUE, owners.share(64));
    }

    @Test
    void addShareToZeroLeavesTheFolioUnowned() {
        owners.set(64, 0, 2);
        assertEquals(0, owners.addShare(64, -2));
        assertFalse(owners.isShared(64));
        assertEquals(0L, PageDescriptor.owner(map.memmap(), 64));
        assertMessageNames(assertThrows(IllegalStateException.class, () -> owners.addShare(64, -1)), "negative");
    }
}
