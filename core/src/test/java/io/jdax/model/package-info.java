/**
 * Model-based randomized tests: seeded random sequences of operations against the real objects, checked
 * after every step against a small reference model of what must be true.
 *
 * <ul>
 *   <li>{@link io.jdax.model.Step}: one abstract operation, an op number and three random arguments that the
 *       world reads as "which live object, which size, which offset", so that a sequence with steps dropped
 *       still means something.</li>
 *   <li>{@link io.jdax.model.World}: the real objects plus the model; {@code apply} performs a step on both
 *       and asserts what the model predicts of the call (its result, or the exception an illegal call must
 *       raise), {@code check} compares every invariant, {@code finish} checks the tear-down.</li>
 *   <li>{@link io.jdax.model.ModelRunner}: generation from a seed, execution in sequences of a few thousand
 *       steps on a fresh world each, and shrinking of a failure (shortest failing prefix by binary search on
 *       its length, then dropping runs of steps, halving the run down to single steps).</li>
 *   <li>{@link io.jdax.model.ModelBasedTest}: the CI run, 1,000,000 steps by default
 *       ({@code -Djdax.model.steps=N}), the seed printed and replayed with {@code -Djdax.seed=S}.</li>
 * </ul>
 *
 * <p>{@link io.jdax.model.StoreWorld} runs a store (files, views, reflink, truncate, punch hole, fsync, memory
 * failure, crash) over a crash-simulation disk against {@link io.jdax.model.StoreModel}; store bugs it found
 * are in {@code StoreFindingsTest}, and until they are fixed the world steers around them (each behind a
 * property that turns the steering off). An operation added to an existing world is an enum constant with a
 * weight and a case in its {@code apply}.
 */
package io.jdax.model;
