package io.jdax.memory;

/** Lets tests of other packages lower the process-wide mapping budget for a while. */
public final class MappingBudgets {

    private MappingBudgets() {
    }

    /** Runs {@code body} with room for {@code more} mappings beyond those held now, then restores the budget. */
    public static void withRoomFor(long more, Runnable body) {
        long limit = KernelMappings.limit();
        KernelMappings.limit(KernelMappings.inUse() + more);
        try {
            body.run();
        } finally {
            KernelMappings.limit(limit);
        }
    }
}
