package io.datalake.dataset;

import io.datalake.DatalakeNonTransientException;

/**
 * Thrown when a version reference or draft id names no version (an unknown number or tag, latest of a dataset never published, a draft id that does not exist or was garbage-collected).
 */
public class VersionNotFoundException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /** The reference. */
    private final String reference;

    /**
     * Creates the exception.
     *
     * @param reference the reference as the caller gave it, e.g. {@code street-scenes@7} or a draft id
     */
    public VersionNotFoundException(String reference) {
        super("no dataset version " + reference);
        this.reference = reference;
    }

    /**
     * Returns the reference that named nothing.
     *
     * @return the reference
     */
    public String reference() {
        return reference;
    }
}
