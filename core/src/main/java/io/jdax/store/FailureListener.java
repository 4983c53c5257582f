package io.jdax.store;

/** Told of each file a memory failure hits (kernel: the holder's {@code notify_failure}). */
@FunctionalInterface
public interface FailureListener {

    /**
     * Called once per owner of a failed page, after its views were revoked.
     *
     * @param file   the file's name
     * @param offset byte offset in the file of the failed page
     */
    void failed(String file, long offset);
}
