package io.datalake.delete;

/**
 * Receives the progress of a delete, after each batch the server has removed. Called on the thread that completed
 * the batch; it must return quickly, and an exception it throws fails the delete (what was removed stays removed,
 * and every remaining datum still has its parent).
 */
@FunctionalInterface
public interface DeleteProgress {
    /** Reports nothing. */
    DeleteProgress NONE = (deleted, total) -> { };

    /**
     * Reports how many datums of the plan are deleted so far.
     *
     * @param deleted datums deleted so far
     * @param total datums in the plan
     */
    void deleted(long deleted, long total);
}
