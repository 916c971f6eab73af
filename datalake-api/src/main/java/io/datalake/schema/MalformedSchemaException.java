package io.datalake.schema;

import io.datalake.DatalakeNonTransientException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a stored schema document cannot be used: fields missing or of the wrong type, a schema text that is
 * not valid JSON Schema draft 2020-12, or one that refers to a remote or unknown {@code $ref} (stored schemas never
 * make the lake fetch anything). The lake itself never stores such a document; another client of the collection
 * did. Writes of that kind fail with it in {@link ValidationMode#ENFORCE} and {@link ValidationMode#WARN} mode
 * until a valid version is registered: a schema the lake cannot read is not silently skipped.
 */
public class MalformedSchemaException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /** The stored document's {@code _id}. */
    private final String documentId;

    /**
     * Creates the exception.
     *
     * @param documentId the stored document's {@code _id} as extended JSON
     * @param what the kind and version when they could be read, e.g. {@code "kind 'image' version 3"}
     * @param problem what is wrong with it
     * @param cause the failure that revealed it, or null
     */
    public MalformedSchemaException(String documentId, String what, String problem, @Nullable Throwable cause) {
        super("stored schema document " + documentId + " (" + what + ") cannot be used: " + problem, cause);
        this.documentId = documentId;
    }

    /**
     * Returns the offending document's {@code _id}.
     *
     * @return the {@code _id} as extended JSON
     */
    public String documentId() {
        return documentId;
    }
}
