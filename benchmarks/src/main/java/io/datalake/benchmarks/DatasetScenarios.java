package io.datalake.benchmarks;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.AuditReport;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.Row;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Scenarios 9, 10 and 11 on the image lake of scenario 3, in one interleaved loop: freezing the full 3-level
 * query into a draft ({@code createDraft}) against the same query alone; reading a 100k-row version back
 * ({@code rows}) against a raw read of its chunk documents; and the diff of two 100k-row versions (1% of the rows
 * removed, 1% added) against reading both. Every ratio is the median of the per-round ratios.
 */
final class DatasetScenarios {
    /** The 100k-row version's query: every classified image with its latest classification. */
    static final String LATEST_LABEL = """
            [{"column": "image", "data.type": "image"},
             {"column": "classification", "derived_from": "image", "data.type": "classification",
              "strategy": "latest"}]
            """;
    private static final String CREATED = "bench-create";
    private static final String READ = "bench-rows";
    /**
     * Reads (and diffs) per timed run: one read of 100k rows takes tens of milliseconds on the embedded server,
     * where a single collection pause would decide the ratio.
     */
    static final int REPEATS = 5;
    /** Rows per chunk document, as the store writes them (the datasets layout in the README). */
    static final int CHUNK_ROWS = 10_000;

    private DatasetScenarios() {
    }

    static List<ScenarioResult> run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        boolean create = options.wants(9);
        boolean read = options.wants(10);
        boolean diff = options.wants(11);
        Query full = Query.fromJson(QueryScenarios.LATEST_LATEST);
        Query labelled = Query.fromJson(LATEST_LABEL);
        Workloads.ImageLakeShape shape = new Workloads.ImageLakeShape();
        String database = server.freshDatabase();
        try (Datalake lake = server.openLake(database)) {
            context.log().println("  loading the query lake");
            BenchServer.load(lake, Workloads.imageLake(options.images(), options.seed(), shape));
            Datasets ds = lake.datasets();
            MongoCollection<Document> chunks = server.raw().getDatabase(database)
                    .getCollection(DatalakeSettings.DEFAULT_COLLECTION + ".datasetChunks");
            String lakeLine = "Lake: " + shape + " (the lake of scenario 3)";

            VersionInfo first = null;
            VersionInfo second = null;
            int changed = 0;
            if (read || diff) {
                context.log().println("  freezing the 2-level query into " + READ + "@1");
                first = published(ds, ds.createDraft(READ, DatasetSource.query(labelled, QueryOptions.defaults()))
                        .block());
                require(first.rowCount() == shape.classifiedImages, first + " has " + first.rowCount()
                        + " rows, expected " + shape.classifiedImages);
            }
            if (diff) {
                VersionInfo base = Objects.requireNonNull(first);
                changed = (int) Math.max(1, Math.min(base.rowCount() / 100, shape.unclassifiedImages));
                context.log().println("  " + READ + "@2: @1 with " + changed + " rows removed and " + changed
                        + " added");
                second = published(ds, ds.createDraft(READ, derived(lake, ds, base, changed)).block());
                require(second.rowCount() == base.rowCount(), second + " has " + second.rowCount() + " rows");
            }

            String queryName = "3-level query alone, " + shape.latestLatestRows + " rows";
            String createName = "createDraft from the same query, " + shape.latestLatestRows + " rows";
            long rows = shape.classifiedImages;
            String times = ", " + REPEATS + " times";
            String rowsName = "rows of a " + rows + "-row version" + times;
            String rawName = "raw: find its " + chunkCount(rows) + " chunk documents, ids decoded" + times;
            String rawOneName = "raw, the store's cursor (one chunk per batch)" + times;
            String diffName = "diff of two " + rows + "-row versions, " + 2 * changed + " differences" + times;
            String bothName = "rows of both versions, one after the other" + times;
            List<Trial> trials = new ArrayList<>();
            if (create) {
                trials.add(LineageScenario.counted(queryName, shape.latestLatestRows,
                        () -> QueryScenarios.rows(lake, full, QueryOptions.defaults())));
                trials.add(createTrial(createName, ds, full, shape.latestLatestRows));
            }
            if (read) {
                VersionInfo v = Objects.requireNonNull(first);
                trials.add(LineageScenario.counted(rowsName, REPEATS * rows,
                        () -> repeat(() -> count(ds.rows(v.ref())))));
                trials.add(LineageScenario.counted(rawName, REPEATS * rows,
                        () -> repeat(() -> RawBaselines.chunkRows(chunks, v.id(), v.columns().size()))));
                trials.add(LineageScenario.counted(rawOneName, REPEATS * rows, () -> repeat(
                        () -> RawBaselines.chunkRowsOnePerBatch(chunks, v.id(), v.columns().size()))));
            }
            if (diff) {
                VersionRef a = Objects.requireNonNull(first).ref();
                VersionRef b = Objects.requireNonNull(second).ref();
                trials.add(LineageScenario.counted(diffName, REPEATS * 2L * changed,
                        () -> repeat(() -> count(ds.diff(a, b)))));
                trials.add(LineageScenario.counted(bothName, REPEATS * 2 * rows,
                        () -> repeat(() -> count(ds.rows(a)) + count(ds.rows(b)))));
            }
            Map<String, Stats> stats = Interleaved.run(trials, context);

            List<ScenarioResult> results = new ArrayList<>();
            if (create) {
                ScenarioResult s9 = new ScenarioResult(9, "Dataset create");
                s9.setup.add(lakeLine);
                s9.setup.add("createDraft(name, DatasetSource.query(q, QueryOptions.defaults())) of scenario 3's "
                        + "query against queryRows of the same query and options (rows counted): the draft streams "
                        + "the rows into chunk documents of " + CHUNK_ROWS + " rows, hashes them and "
                        + "completes the version document; each run's draft is discarded afterwards, untimed");
                s9.timed(stats, createName, shape.latestLatestRows, "rows");
                s9.timed(stats, queryName, shape.latestLatestRows, "rows");
                s9.checks.add(Check.paired("createDraft time / query time (paired)", Stats.in(stats, createName),
                        Stats.in(stats, queryName), false, 1.5));
                results.add(s9);
            }
            if (read) {
                ScenarioResult s10 = new ScenarioResult(10, "Dataset read");
                s10.setup.add(lakeLine);
                s10.setup.add("Version " + READ + "@1: the 2-level query (every classified image, its latest "
                        + "classification) frozen, published; " + rows + " rows of 2 columns");
                s10.setup.add("Store: rows(NAME@1) streamed and counted (Row objects in manifest order). Raw: "
                        + "find({v: versionId}).sort({c: 1}) over the chunk documents with the driver's default "
                        + "batch size, each document's ids list decoded as ObjectIds and counted. Each timed run "
                        + "reads " + REPEATS + " times in a row (one read takes tens of milliseconds)");
                s10.timed(stats, rowsName, REPEATS * rows, "rows");
                s10.timed(stats, rawName, REPEATS * rows, "rows");
                s10.timed(stats, rawOneName, REPEATS * rows, "rows");
                s10.notes.add("The last figure is not a target: the raw read with the store's filter and batch size "
                        + "(one chunk document per round trip), which separates the cost of the store's cursor from "
                        + "the cost of building Row objects.");
                s10.checks.add(Check.paired("rows throughput / raw chunk read throughput (paired)",
                        Stats.in(stats, rawName), Stats.in(stats, rowsName), true, 0.8));
                results.add(s10);
            }
            if (diff) {
                ScenarioResult s11 = new ScenarioResult(11, "Dataset diff");
                s11.setup.add(lakeLine);
                s11.setup.add("Versions " + READ + "@1 (as in scenario 10) and @2: @1 without every "
                        + (rows / Math.max(1, changed)) + "th row (" + changed + " rows) plus " + changed
                        + " new rows (an image with no classification paired with an existing classification), "
                        + "made with DatasetSource.fromVersion, audited and published");
                s11.setup.add("diff(@1, @2) streamed and counted (" + changed + " ADDED + " + changed
                        + " REMOVED) against rows(@1) then rows(@2), counted; each timed run does it " + REPEATS
                        + " times in a row");
                s11.timed(stats, diffName, REPEATS * 2 * changed, "differences");
                s11.timed(stats, bothName, REPEATS * 2 * rows, "rows");
                s11.checks.add(Check.paired("diff time / time to read both versions (paired)",
                        Stats.in(stats, diffName), Stats.in(stats, bothName), false, 2));
                results.add(s11);
            }
            return results;
        } finally {
            server.drop(database);
        }
    }

    /**
     * A derived version's source: {@code base} without {@code changed} rows spread over it, plus {@code changed}
     * rows that pass the audit (existing datums, not in the base: images with no classification).
     */
    private static DatasetSource derived(Datalake lake, Datasets ds, VersionInfo base, int changed) {
        List<Map<String, ObjectId>> rows = ds.rows(base.ref()).map(Row::columns).collectList().blockOptional()
                .orElseThrow();
        long step = rows.size() / changed;
        List<Map<String, ObjectId>> removed = new ArrayList<>(changed);
        for (int i = 0; i < changed; i++) {
            removed.add(rows.get((int) (i * step)));
        }
        List<ObjectId> unclassified = lake.queryRows(Query.fromJson(QueryScenarios.MISSING), QueryOptions.defaults())
                .map(r -> Objects.requireNonNull(r.get("image"))).take(changed).collectList().blockOptional()
                .orElseThrow();
        require(unclassified.size() == changed, "only " + unclassified.size() + " images with no classification");
        List<Map<String, ObjectId>> added = new ArrayList<>(changed);
        for (int i = 0; i < changed; i++) {
            Map<String, ObjectId> row = new LinkedHashMap<>();
            row.put("image", unclassified.get(i));
            row.put("classification", Objects.requireNonNull(removed.get(i).get("classification")));
            added.add(row);
        }
        return DatasetSource.fromVersion(base.ref(), Flux.fromIterable(added), Flux.fromIterable(removed));
    }

    /** Audits a complete draft with the built-in checks and publishes it (untimed set-up). */
    private static VersionInfo published(Datasets ds, @Nullable VersionInfo draft) {
        VersionInfo d = Objects.requireNonNull(draft, "createDraft returned nothing");
        AuditReport report = Objects.requireNonNull(ds.audit(d.id(), AuditOptions.defaults(), List.of()).block());
        require(report.passed(), "the audit of " + d.id() + " failed: " + report.checks());
        return Objects.requireNonNull(ds.publish(d.id()).block());
    }

    /** createDraft of the query, the row count checked; each run's draft is discarded after the timed part. */
    private static Trial createTrial(String name, Datasets ds, Query query, long expected) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() {
                AtomicReference<@Nullable ObjectId> made = new AtomicReference<>();
                return new Run() {
                    @Override
                    public void run() {
                        VersionInfo v = Objects.requireNonNull(ds.createDraft(CREATED,
                                DatasetSource.query(query, QueryOptions.defaults())).block());
                        made.set(v.id());
                        require(v.complete() && v.rowCount() == expected, name + " made " + v.rowCount()
                                + " rows, expected " + expected);
                    }

                    @Override
                    public void cleanup() {
                        ObjectId id = made.get();
                        if (id != null) {
                            ds.discard(id).block();
                        }
                    }
                };
            }
        };
    }

    /** Runs {@code work} {@link #REPEATS} times in a row; returns the total count. */
    private static long repeat(LineageScenario.Count work) throws Exception {
        long total = 0;
        for (int i = 0; i < REPEATS; i++) {
            total += work.count();
        }
        return total;
    }

    private static long count(Flux<?> items) {
        return ReadScenario.count(items.count().block());
    }

    private static long chunkCount(long rows) {
        int per = CHUNK_ROWS;
        return (rows + per - 1) / per;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
