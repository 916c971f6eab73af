package io.datalake.io.internal;

import io.datalake.Datalake;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where an export's rows come from: a published version or a query. {@link #open()} resolves the source once
 * (a version reference to its number) and returns its description for the manifest with its rows.
 */
public final class RowSource {
    /** One row: its number and, per column in order, the datum id. */
    record NumberedRow(long number, Map<String, ObjectId> columns) {
    }

    /** A resolved source: what the manifest says about it, its columns and its rows (cold). */
    record Opened(Document description, List<String> columns, Flux<NumberedRow> rows) {
    }

    private final Mono<Opened> opener;

    private RowSource(Mono<Opened> opener) {
        this.opener = opener;
    }

    /**
     * A published version; the reference is resolved once so every row comes from the same version.
     *
     * @param lake the lake
     * @param ref the version reference
     * @return the source
     */
    public static RowSource version(Datalake lake, VersionRef ref) {
        return new RowSource(Mono.defer(() -> lake.datasets().resolve(ref)).map(info -> {
            VersionRef pinned = info.ref();
            Document description = new Document("type", "version")
                    .append("ref", pinned.toString())
                    .append("requested", ref.toString())
                    .append("dataset", info.dataset())
                    .append("number", info.number())
                    .append("version_id", info.id().toHexString())
                    .append("content_hash", info.contentHash())
                    .append("row_count", info.rowCount())
                    .append("columns", info.columns());
            Flux<NumberedRow> rows = lake.datasets().rows(pinned)
                    .map(row -> new NumberedRow(row.number(), row.columns()));
            return new Opened(description, columnsOf(info), rows);
        }));
    }

    /**
     * A query's rows, numbered from 0 in the query's order.
     *
     * @param lake the lake
     * @param query the query
     * @param options the query options
     * @return the source
     */
    public static RowSource query(Datalake lake, Query query, QueryOptions options) {
        return new RowSource(Mono.fromCallable(() -> {
            Document description = new Document("type", "query")
                    .append("query", Document.parse("{\"levels\": " + query.toJson() + "}").get("levels"))
                    .append("columns", query.outputColumns());
            AtomicLong counter = new AtomicLong();
            Flux<NumberedRow> rows = Flux.defer(() -> {
                counter.set(0);
                return lake.queryRows(query, options).map(r -> new NumberedRow(counter.getAndIncrement(), r));
            });
            return new Opened(description, query.outputColumns(), rows);
        }));
    }

    Mono<Opened> open() {
        return opener;
    }

    private static List<String> columnsOf(VersionInfo info) {
        return info.columns();
    }
}
