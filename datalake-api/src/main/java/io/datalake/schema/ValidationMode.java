package io.datalake.schema;

/**
 * What a lake does with a new datum that violates the latest schema of its kind.
 */
public enum ValidationMode {
    /**
     * Reject: the add fails with {@link SchemaViolationException} before anything is written (for {@code addData},
     * nothing of the batch that holds the datum).
     */
    ENFORCE,
    /**
     * Accept and report: the datum is stored, then the violations go to the
     * {@linkplain SchemaSettings#listener() listener} and to an SLF4J warning.
     */
    WARN,
    /** Do not validate (no schema is read). */
    OFF
}
