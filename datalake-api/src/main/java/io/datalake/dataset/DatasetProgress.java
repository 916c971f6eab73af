package io.datalake.dataset;

/**
 * Receives the progress of a long dataset operation ({@link Datasets#createDraft(String, DatasetSource,
 * DatasetProgress)} and {@link Datasets#audit(org.bson.types.ObjectId, AuditOptions, java.util.List,
 * DatasetProgress)}), for example to draw a progress bar.
 *
 * <p>Calls are throttled and serial: at most one per chunk of rows (and one at the end of each step), never two
 * at once, with counts that increase within a step; the last count of a step that reads every row is its total.
 * They run on the lake's I/O threads, so a callback must be quick and must not block. A callback that throws fails
 * the operation with a {@link io.datalake.DatalakeException} whose cause is the thrown exception; the operation
 * stops as soon as it can and records nothing more (a draft is discarded, an audit records no report).
 *
 * <pre>{@code
 * ds.createDraft("street-scenes", source, done -> bar.set(done)).block();
 * }</pre>
 */
@FunctionalInterface
public interface DatasetProgress {
    /** Ignores all progress: what the overloads without a progress argument pass. */
    DatasetProgress NONE = done -> { };

    /**
     * Reports rows done in the current step. {@code createDraft} has one step and counts the rows written to the
     * draft (the total is not known in advance); {@code audit} has one step per check, announced by
     * {@link #check}, and counts the rows that check has read, out of {@link VersionInfo#rowCount()} (a check that
     * stops reading early ends below it).
     *
     * @param done rows done so far in the current step
     */
    void rows(long done);

    /**
     * Reports that an audit starts a check; the following {@link #rows} counts are that check's, from zero. The
     * built-in checks come first, then the user checks in the order given. Does nothing by default.
     *
     * @param name the check's name, as in the report
     * @param number the check's position, from 1
     * @param count how many checks the audit runs
     */
    default void check(String name, int number, int count) {
    }
}
