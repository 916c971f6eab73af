package io.datalake.dataset;

import io.datalake.DatalakeNonTransientException;

/**
 * Thrown by {@link Datasets#publish} when the draft has no passing audit of exactly its current content: never audited, the last audit failed, the audit saw another content hash (stale), or the draft is incomplete.
 */
public class NotAuditedException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /** The draft. */
    private final String draft;

    /**
     * Creates the exception.
     *
     * @param draft the draft id
     * @param reason why, e.g. {@code "the last audit failed: datums exist"} or {@code "audit is stale"}
     */
    public NotAuditedException(String draft, String reason) {
        super("draft " + draft + " cannot be published: " + reason);
        this.draft = draft;
    }

    /**
     * Returns the draft id.
     *
     * @return the draft id
     */
    public String draft() {
        return draft;
    }
}
