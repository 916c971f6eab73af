package io.datalake.dataset;

import io.datalake.DatalakeNonTransientException;

/**
 * Thrown when a stored dataset document (a dataset, a version, a row chunk or a tag move) is not one this library
 * can read, or when the stored rows of a version no longer match its recorded row count and content hash. Such
 * documents are written by other clients of the same collections (or by hand); the lake itself never writes one.
 * The message names the collection, the document and what is wrong with it.
 *
 * <p>Calls that read one dataset or version ({@code resolve}, {@code version}, {@code rows}, {@code page},
 * {@code audit}, {@code publish}, {@code diff}) fail with this exception; listings over many documents
 * ({@code datasets}, {@code versions}, {@code drafts}, {@code collectGarbage}, {@code tagHistory}) skip such
 * documents with a logged warning and answer for the rest.
 */
public class MalformedDatasetException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /** The offending document. */
    private final String document;

    /**
     * Creates the exception.
     *
     * @param document the collection and document, e.g. {@code Datum.datasetChunks {v: ..., c: 3}}
     * @param problem what is wrong with it
     */
    public MalformedDatasetException(String document, String problem) {
        super("stored dataset document " + document + " is not valid: " + problem);
        this.document = document;
    }

    /**
     * Returns the offending document.
     *
     * @return the collection and document identity
     */
    public String document() {
        return document;
    }
}
