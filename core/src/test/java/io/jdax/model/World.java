package io.jdax.model;

/**
 * Real objects and a reference model of what must be true of them. The runner makes a fresh world for each
 * sequence, {@link #apply applies} its steps one by one and {@link #check checks} after each. A new kind of
 * world (a store of files with reflink, truncate, punch hole, writeback, memory failure and crash) is a new
 * implementation with its own operations; a new operation of an existing world is a new constant of its
 * operation enum and a case in {@code apply}: the runner, seeds and shrinking stay as they are.
 */
interface World extends AutoCloseable {

    /** Performs the step on the real objects and on the model, asserting what the model predicts of the call. */
    void apply(Step step) throws Exception;

    /** Asserts every invariant of the model against the real objects. */
    void check() throws Exception;

    /** Runs after the last step: tear-down that must also keep the model's promises (leak reports, say). */
    default void finish() throws Exception {
    }

    /**
     * The last step applied, as performed and as a reader would write it (the world may have read an
     * operation as another, an allocation as a release when the pool is half full, say), for a failure report.
     */
    String lastStep();

    /** Releases the real objects, whatever state a failure left them in. */
    @Override
    void close();
}
