package io.datalake.dataset;

import io.datalake.DatalakeNonTransientException;

/**
 * Thrown by every call that would change a published (or discarded) version: appending rows, auditing, discarding, publishing it again.
 */
public class ImmutableVersionException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /** The version. */
    private final String version;

    /**
     * Creates the exception.
     *
     * @param version the version, e.g. {@code street-scenes@7} or a draft id
     * @param operation what was refused, e.g. {@code "discard"}
     */
    public ImmutableVersionException(String version, String operation) {
        super(operation + " refused: version " + version + " is published and immutable");
        this.version = version;
    }

    /**
     * Creates the exception for a version that cannot change for another reason than being published, e.g. a
     * draft discarded while its rows were being written.
     *
     * @param version the version, e.g. a draft id
     * @param operation what was refused, e.g. {@code "writing rows"}
     * @param reason why, e.g. {@code "it was discarded"}
     */
    public ImmutableVersionException(String version, String operation, String reason) {
        super(operation + " refused: version " + version + " " + reason);
        this.version = version;
    }

    /**
     * Returns the version that was not changed.
     *
     * @return the version
     */
    public String version() {
        return version;
    }
}
