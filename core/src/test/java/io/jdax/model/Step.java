package io.jdax.model;

import java.util.SplittableRandom;

/**
 * One abstract operation of a random sequence: which operation, and three random numbers the world reads as
 * its arguments (which live object, which size, which offset). A step names no object directly, so a
 * sequence with steps dropped still means something: "the 3rd live buffer" is whatever is live then.
 */
record Step(int op, long a, long b, long c) {

    /** A step whose operation is drawn with the given weights. */
    static Step random(SplittableRandom r, int[] weights, int totalWeight) {
        int x = r.nextInt(totalWeight);
        int op = 0;
        while (x >= weights[op]) {
            x -= weights[op];
            op++;
        }
        return new Step(op, r.nextLong() & Long.MAX_VALUE, r.nextLong() & Long.MAX_VALUE, r.nextLong() & Long.MAX_VALUE);
    }

    /** The {@code i}th of {@code n} choices (n > 0), from argument {@code x}. */
    static int pick(long x, int n) {
        return (int) (x % n);
    }
}
