package io.datalake.schema;

import io.datalake.InvalidArgumentException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link Schemas#register} before anything is stored when the text is not a usable JSON Schema draft
 * 2020-12: not JSON, not an object or boolean, invalid against the draft 2020-12 meta-schema, another
 * {@code $schema} dialect, a {@code $ref} that does not resolve inside the schema itself (remote references are
 * never fetched), or a {@code pattern} that is not a valid regular expression.
 */
public class InvalidSchemaException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /** The kind. */
    private final String kind;

    /**
     * Creates the exception.
     *
     * @param kind the kind the schema was meant for
     * @param reason what is wrong
     * @param cause the parser's or validator's failure, or null
     */
    public InvalidSchemaException(String kind, String reason, @Nullable Throwable cause) {
        super("invalid JSON Schema for kind '" + kind + "': " + reason, cause);
        this.kind = kind;
    }

    /**
     * Returns the kind the schema was meant for.
     *
     * @return the kind
     */
    public String kind() {
        return kind;
    }
}
