package io.datalake.io;

import io.datalake.Datalake;
import io.datalake.InvalidArgumentException;
import io.datalake.dataset.VersionRef;
import io.datalake.io.internal.ExportJob;
import io.datalake.io.internal.RowSource;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.nio.file.Path;
import reactor.core.publisher.Mono;

/**
 * Exports a published dataset version or a query's rows to a new folder.
 *
 * <p>The export streams: rows are read with backpressure in batches of {@link ExportOptions#batchSize()}, each
 * batch's datums are read with one batched call, and payloads are copied at most
 * {@link ExportOptions#payloadConcurrency()} at a time, so memory is bounded by one batch whatever the size of the
 * export. The folder appears complete or not at all: everything is written into a sibling folder named
 * {@code <OUT_DIR name>.partial-<random>}, flushed to disk, and renamed to {@code OUT_DIR} in one atomic move. A
 * failed or cancelled export deletes its partial folder; a killed process may leave one behind (never a folder
 * named {@code OUT_DIR}), which is safe to delete.
 */
public final class Exporter {
    private final Datalake lake;

    private Exporter(Datalake lake) {
        this.lake = lake;
    }

    /**
     * Returns an exporter reading from a lake.
     *
     * @param lake the lake; the exporter does not close it
     * @return the exporter
     * @throws InvalidArgumentException if the lake is null
     */
    public static Exporter of(Datalake lake) {
        if (lake == null) {
            throw new InvalidArgumentException("lake must not be null");
        }
        return new Exporter(lake);
    }

    /**
     * Exports a published version. The manifest records the version's reference ({@code NAME@N}, resolved once at
     * the start, so a tag moving during the export does not change what is exported), id and content hash.
     *
     * @param version the version ({@code NAME}, {@code NAME@N} or {@code NAME@tag})
     * @param outDir the folder to create; it must not exist; its parent is created if missing
     * @param options the format, batch size, payload concurrency and progress listener
     * @return the report, when the folder is complete; fails (before writing anything) with
     *     {@link ExportTargetExistsException} if {@code outDir} exists, with {@link InvalidArgumentException}
     *     naming it if a file stands where its parent folder would be, with
     *     {@link io.datalake.dataset.VersionNotFoundException} if the version does not exist, with
     *     {@link io.datalake.RegistryException} if a payload is missing or corrupt, with
     *     {@link UnexportableDatumException} naming the datum and field if a datum cannot be written in the format
     *     (COCO: a malformed annotation, an image without bytes or of unknown size), with
     *     {@link InvalidArgumentException} if a COCO column is not a column of the source, and with
     *     {@link io.datalake.DatalakeException} if a file cannot be written
     * @throws InvalidArgumentException if an argument is null
     */
    public Mono<ExportReport> exportVersion(VersionRef version, Path outDir, ExportOptions options) {
        require(version, "version");
        return export(RowSource.version(lake, version), outDir, options);
    }

    /**
     * Exports the rows of a query (row numbers count from 0 in the query's row order). The manifest records the
     * query as JSON.
     *
     * @param query the query
     * @param queryOptions rows wanted, seed, batch size and join hint of the query
     * @param outDir the folder to create; it must not exist; its parent is created if missing
     * @param options the format, batch size, payload concurrency and progress listener
     * @return the report, when the folder is complete; fails as {@link #exportVersion} does, and with
     *     {@link io.datalake.InvalidQueryException} if the server rejects the query
     * @throws InvalidArgumentException if an argument is null
     */
    public Mono<ExportReport> exportQuery(Query query, QueryOptions queryOptions, Path outDir,
            ExportOptions options) {
        require(query, "query");
        require(queryOptions, "queryOptions");
        return export(RowSource.query(lake, query, queryOptions), outDir, options);
    }

    private Mono<ExportReport> export(RowSource source, Path outDir, ExportOptions options) {
        require(outDir, "outDir");
        require(options, "options");
        return new ExportJob(lake, source, outDir.toAbsolutePath().normalize(), options).run();
    }

    private static void require(@org.jspecify.annotations.Nullable Object value, String name) {
        if (value == null) {
            throw new InvalidArgumentException(name + " must not be null");
        }
    }
}
