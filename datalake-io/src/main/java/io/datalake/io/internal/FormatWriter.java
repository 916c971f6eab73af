package io.datalake.io.internal;

import io.datalake.Datum;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * One export format's files, fed batch by batch by {@link ExportJob}. Calls come one at a time, in order, on a
 * thread that may block: {@link #open}, {@link #write} per batch, then {@link #finish}; {@link #abort} instead of
 * {@code finish} after a failure or cancellation (the partial folder is deleted afterwards anyway).
 */
interface FormatWriter {
    /**
     * Where the job copies registry payloads before each batch is written, or null when the format needs none.
     *
     * @return the layout, or null
     */
    @Nullable PayloadLayout payloadLayout();

    /**
     * Whether the job copies the registry payloads of a column's datums before each batch (COCO copies only its
     * image column).
     *
     * @param column a column of the source
     * @return true by default
     */
    default boolean copiesPayloads(String column) {
        return true;
    }

    /** The manifest's {@code format} value, such as {@code datalake-jsonl}. */
    String manifestFormat();

    /**
     * Called once before the first batch.
     *
     * @param workspace the partial folder
     * @param source the resolved source (its description and columns)
     */
    void open(Workspace workspace, RowSource.Opened source) throws IOException;

    /**
     * Writes one batch of rows.
     *
     * @param batch the rows, in order
     * @param datums every datum of the batch, by id (payloads not loaded)
     * @param payloads for each registry datum of the batch, its copy's path relative to the export folder (empty
     *     when {@link #payloadLayout()} is null)
     */
    void write(List<RowSource.NumberedRow> batch, Map<ObjectId, Datum> datums, Map<ObjectId, String> payloads)
            throws IOException;

    /**
     * Closes the files, flushes them to disk and records each with {@link Workspace#addFile}.
     *
     * @param workspace the partial folder
     * @param rows the rows written
     * @return fields the manifest adds for this format (may be empty)
     */
    Document finish(Workspace workspace, long rows) throws IOException;

    /** Closes whatever is open without finishing; never throws. */
    void abort();
}
