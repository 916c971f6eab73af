package io.datalake.schema;

import io.datalake.DatumValidationException;
import java.util.List;

/**
 * Thrown (signalled) by {@code addDatum} and {@code addData} in {@link ValidationMode#ENFORCE} mode when datums
 * violate the schema of their kind; nothing of the call's batch was written and no payload was uploaded. The
 * message names each offending datum (its position in the call and its id), its kind, the schema version, the JSON
 * pointer and the rule; {@link #violations()} carries the same as values.
 */
public class SchemaViolationException extends DatumValidationException {
    private static final long serialVersionUID = 1L;
    /** Datums described in the message; {@link #violations()} holds all of them. */
    private static final int MAX_IN_MESSAGE = 5;

    /** The offending datums. */
    @SuppressWarnings("serial") // an immutable List.copyOf list of records
    private final List<DatumViolations> violations;

    /**
     * Creates the exception.
     *
     * @param context what was being done, e.g. {@code "addData"}
     * @param violations the offending datums, at least one
     */
    public SchemaViolationException(String context, List<DatumViolations> violations) {
        super(message(context, violations));
        this.violations = List.copyOf(violations);
    }

    private static String message(String context, List<DatumViolations> violations) {
        StringBuilder s = new StringBuilder(context).append(": ").append(violations.size())
                .append(violations.size() == 1 ? " datum violates" : " datums violate")
                .append(" the schema of its kind; nothing was written: ");
        for (int i = 0; i < Math.min(MAX_IN_MESSAGE, violations.size()); i++) {
            s.append(i == 0 ? "" : " | ").append(violations.get(i));
        }
        if (violations.size() > MAX_IN_MESSAGE) {
            s.append(" | and ").append(violations.size() - MAX_IN_MESSAGE).append(" more");
        }
        return s.toString();
    }

    /**
     * Returns the offending datums with their violations.
     *
     * @return one entry per datum that violates its schema, in input order
     */
    public List<DatumViolations> violations() {
        return violations;
    }
}
