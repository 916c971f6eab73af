package io.datalake.dataset;

import io.datalake.DatalakeNonTransientException;

/**
 * Thrown by {@link Datasets#publish} when another version of the same dataset was published since the draft was audited (two concurrent publishers: exactly one wins), or the draft was discarded or published meanwhile. The draft is left as it was; re-audit it and publish again if it is still wanted.
 */
public class PublishConflictException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /** The draft. */
    private final String draft;

    /**
     * Creates the exception.
     *
     * @param dataset the dataset name
     * @param draft the draft id
     * @param detail what happened instead, e.g. {@code "version 8 was published first"}
     */
    public PublishConflictException(String dataset, String draft, String detail) {
        super("cannot publish draft " + draft + " of '" + dataset + "': " + detail);
        this.draft = draft;
    }

    /**
     * Returns the id of the draft that was not published.
     *
     * @return the draft id
     */
    public String draft() {
        return draft;
    }
}
