package io.datalake.io.internal;

import io.datalake.Datum;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

import static java.util.Objects.requireNonNull;

/**
 * The JSONL format: {@code data.jsonl} (one line per row) and {@code payloads/<sha256>}.
 *
 * <p>A line: {@code {"row": N, "columns": {COLUMN: {"id", "data", "metadata", "added_at", "derived_from",
 * "payload", "content_type"}}}}. {@code data} and {@code metadata} are relaxed extended JSON (a date is
 * {@code {"$date": "..."}}, an ObjectId {@code {"$oid": "..."}}, bytes {@code {"$binary": ...}}); {@code data} is
 * null for a registry datum, whose bytes are in the file {@code payload} names.
 */
final class JsonlWriter implements FormatWriter {
    static final String DATA_FILE = "data.jsonl";

    private @Nullable HashedFile data;

    @Override
    public PayloadLayout payloadLayout() {
        return PayloadLayout.PAYLOADS;
    }

    @Override
    public String manifestFormat() {
        return "datalake-jsonl";
    }

    @Override
    public void open(Workspace workspace, RowSource.Opened source) throws IOException {
        data = new HashedFile(workspace, DATA_FILE);
    }

    @Override
    public void write(List<RowSource.NumberedRow> batch, Map<ObjectId, Datum> datums, Map<ObjectId, String> payloads)
            throws IOException {
        for (RowSource.NumberedRow row : batch) {
            requireNonNull(data).writeLine(line(row, datums, payloads));
        }
    }

    @Override
    public Document finish(Workspace workspace, long rows) throws IOException {
        requireNonNull(data).finish();
        return new Document("data_file", DATA_FILE);
    }

    @Override
    public void abort() {
        if (data != null) {
            data.closeQuietly();
        }
    }

    private static String line(RowSource.NumberedRow row, Map<ObjectId, Datum> datums, Map<ObjectId, String> paths) {
        Document columns = new Document();
        for (Map.Entry<String, ObjectId> column : row.columns().entrySet()) {
            Datum d = ExportJob.datum(datums, row, column.getKey());
            columns.append(column.getKey(), new Document("id", d.id().toHexString())
                    .append("data", d.data())
                    .append("metadata", d.metadata())
                    .append("added_at", d.addedAt().toString())
                    .append("derived_from", d.derivedFrom() == null ? null : d.derivedFrom().toHexString())
                    .append("payload", paths.get(d.id()))
                    .append("content_type", d.payload() == null ? null : d.payload().contentType()));
        }
        return ExportJob.json(new Document("row", row.number()).append("columns", columns));
    }

}
