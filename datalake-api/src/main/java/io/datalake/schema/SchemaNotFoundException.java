package io.datalake.schema;

import io.datalake.DatalakeNonTransientException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a kind has no schema, or not the version asked for.
 */
public class SchemaNotFoundException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /** The kind. */
    private final String kind;
    /** The version asked for, or null for the latest. */
    private final @Nullable Integer version;

    /**
     * Creates the exception.
     *
     * @param kind the kind
     * @param version the version asked for, or null when any (the latest) was asked for
     */
    public SchemaNotFoundException(String kind, @Nullable Integer version) {
        super(version == null ? "no schema is registered for kind '" + kind + "'"
                : "kind '" + kind + "' has no schema version " + version);
        this.kind = kind;
        this.version = version;
    }

    /**
     * Returns the kind.
     *
     * @return the kind
     */
    public String kind() {
        return kind;
    }

    /**
     * Returns the version asked for.
     *
     * @return the version, or null when the latest was asked for
     */
    public @Nullable Integer version() {
        return version;
    }
}
