package io.jdax.model;

import java.util.function.Supplier;

/**
 * A kind of world: its name, the weights of its operations (indexed by {@link Step#op}) and a factory.
 *
 * @param name    shown with the seed
 * @param weights relative frequency of each operation
 * @param factory a fresh world, ready for the first step
 */
record WorldKind(String name, int[] weights, Supplier<World> factory) {

    int totalWeight() {
        int t = 0;
        for (int w : weights) {
            t += w;
        }
        return t;
    }

    /** Weights taken from an enum of operations that implement {@link Weighted}. */
    static <E extends Enum<E> & Weighted> int[] weightsOf(Class<E> ops) {
        E[] all = ops.getEnumConstants();
        int[] w = new int[all.length];
        for (int i = 0; i < all.length; i++) {
            w[i] = all[i].weight();
        }
        return w;
    }

    /** An operation with a relative frequency. */
    interface Weighted {
        int weight();
    }
}
