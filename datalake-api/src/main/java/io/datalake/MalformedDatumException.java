package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a stored document asked for by id is not a datum this library can read: it lacks {@code added_at},
 * its {@code derived_from} is not an ObjectId, its {@code metadata} is not a document, it holds a value with no
 * JSON-like form, and so on. Such documents are written by other clients of the same collection; the lake itself
 * never writes one. The message names the document's {@code _id} and what is wrong with it.
 *
 * <p>Operations that read one datum by id ({@code getDatum}, {@code getData}, {@code getPayload}) fail with this
 * exception; operations over the whole lake (queries, {@code getStats}, lineage and derivation walks) skip such
 * documents with a logged warning and answer for the rest.
 */
public class MalformedDatumException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    private final String documentId;

    /**
     * Creates the exception.
     *
     * @param documentId the document's {@code _id} as extended JSON (it may not be an ObjectId)
     * @param message what is wrong with the document
     * @param cause the decoding failure that revealed it, or null
     */
    public MalformedDatumException(String documentId, String message, @Nullable Throwable cause) {
        super("stored document " + documentId + " is not a valid datum: " + message, cause);
        this.documentId = documentId;
    }

    /**
     * Returns the offending document's {@code _id}.
     *
     * @return the {@code _id} as extended JSON, e.g. {@code {"$oid": "..."}} or {@code "abc"}
     */
    public String documentId() {
        return documentId;
    }
}
