package io.datalake.io.internal;

import io.datalake.Datum;
import io.datalake.io.ExportOptions;
import io.datalake.io.PayloadMode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

import static java.util.Objects.requireNonNull;

/**
 * The Parquet format: {@code data/part-00000.parquet}, one row per row, columns as {@link ParquetTable} describes
 * (inferred from the first batch), and {@code payloads/<sha256>} unless payloads are embedded.
 *
 * <p>One file, whatever the size: Parquet readers split work by row group, not by file. Its footer holds
 * {@code datalake.source} (the manifest's source: version reference and content hash, or the query) and
 * {@code datalake.columns} (each Parquet column's export column, part, field and type).
 */
final class ParquetExportWriter implements FormatWriter {
    static final String DATA_FILE = "data/part-00000.parquet";
    /** Footer key: the export's source as JSON (the manifest's {@code source}). */
    static final String FOOTER_SOURCE = "datalake.source";
    /** Footer key: the columns as JSON (the manifest's {@code parquet_columns}). */
    static final String FOOTER_COLUMNS = "datalake.columns";

    private final ExportOptions options;
    private final ParquetTable.Options tableOptions;
    private @Nullable Workspace workspace;
    private RowSource.@Nullable Opened source;
    private @Nullable ParquetTable table;
    private @Nullable ParquetShard shard;

    ParquetExportWriter(ExportOptions options) {
        this.options = options;
        this.tableOptions = new ParquetTable.Options(options.payloadMode() == PayloadMode.EMBED, false);
    }

    @Override
    public PayloadLayout payloadLayout() {
        return tableOptions.embed() ? PayloadLayout.STAGING : PayloadLayout.PAYLOADS;
    }

    @Override
    public String manifestFormat() {
        return "datalake-parquet";
    }

    @Override
    public void open(Workspace workspace, RowSource.Opened source) {
        this.workspace = workspace;
        this.source = source;
    }

    @Override
    public void write(List<RowSource.NumberedRow> batch, Map<ObjectId, Datum> datums, Map<ObjectId, String> payloads)
            throws IOException {
        Workspace ws = requireNonNull(workspace);
        ParquetShard out = shard == null ? start(batch, datums) : shard;
        for (RowSource.NumberedRow row : batch) {
            out.write(new ParquetTable.RowInput(row, datums, payloads, ws.dir()));
        }
        if (tableOptions.embed()) {
            deleteStaged(ws, payloads);
        }
    }

    private ParquetShard start(List<RowSource.NumberedRow> sample, Map<ObjectId, Datum> datums) throws IOException {
        RowSource.Opened opened = requireNonNull(source);
        ParquetTable t = ParquetTable.infer(opened.columns(), sample, datums, tableOptions);
        table = t;
        shard = new ParquetShard(requireNonNull(workspace), DATA_FILE, t, footer(opened, t),
                options.rowGroupRows(), 1);
        return shard;
    }

    @Override
    public Document finish(Workspace ws, long rows) throws IOException {
        ParquetShard out = shard == null ? start(List.of(), Map.of()) : shard;
        out.finish();
        return new Document("data_files", List.of(DATA_FILE))
                .append("parquet_columns", requireNonNull(table).describe());
    }

    @Override
    public void abort() {
        if (shard != null) {
            shard.abort();
        }
    }

    static Map<String, String> footer(RowSource.Opened opened, ParquetTable table) {
        Map<String, String> footer = new LinkedHashMap<>();
        footer.put(FOOTER_SOURCE, ExportJob.json(opened.description()));
        footer.put(FOOTER_COLUMNS, ParquetTable.jsonValue(table.describe()));
        return footer;
    }

    /**
     * Deletes the staged copies a written batch read: the disk holds one batch of them, not the whole export (a
     * payload needed again later is copied again; copies of the next batch start only after this one is written).
     */
    static void deleteStaged(Workspace ws, Map<ObjectId, String> payloads) throws IOException {
        for (String relative : payloads.values()) {
            Files.deleteIfExists(ws.dir().resolve(relative));
        }
    }
}
