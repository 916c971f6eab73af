package io.datalake.schema;

/**
 * Receives the datums a lake in {@link ValidationMode#WARN} mode stored although they violate their schema. Called
 * once per such datum, after its batch was written, on the thread that completed the write: return quickly. An
 * exception it throws is logged and does not fail the add (the datum is already stored).
 */
@FunctionalInterface
public interface SchemaViolationListener {
    /**
     * Reports a stored datum that violates the schema of its kind.
     *
     * @param violations the datum, the schema version and what is wrong
     */
    void onViolations(DatumViolations violations);
}
