package io.datalake.benchmarks;

/**
 * One side of a comparison. {@link #prepare()} does the untimed set-up of one run (a fresh database, the ids to
 * read) and returns the timed part; its clean-up is untimed too.
 */
interface Trial {
    /** The figure's name as printed in the results. */
    String name();

    /**
     * Prepares one run.
     *
     * @return the work to time
     * @throws Exception if set-up fails (the benchmark stops)
     */
    Run prepare() throws Exception;

    /** The timed work of one run and its untimed clean-up. */
    interface Run {
        void run() throws Exception;

        default void cleanup() throws Exception {
        }
    }
}
