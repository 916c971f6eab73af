package io.datalake.mongo.internal.dataset;

import com.mongodb.DuplicateKeyException;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoCursorNotFoundException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.cursor.TimeoutMode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.AuditReport;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.DatasetCheck;
import io.datalake.dataset.DatasetInfo;
import io.datalake.dataset.DatasetNotFoundException;
import io.datalake.dataset.DatasetProgress;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.DiffEntry;
import io.datalake.dataset.ImmutableVersionException;
import io.datalake.dataset.MalformedDatasetException;
import io.datalake.dataset.NotAuditedException;
import io.datalake.dataset.PublishConflictException;
import io.datalake.dataset.Row;
import io.datalake.dataset.RowPage;
import io.datalake.dataset.SourceInfo;
import io.datalake.dataset.TagMove;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionNotFoundException;
import io.datalake.dataset.VersionRef;
import io.datalake.dataset.VersionState;
import io.datalake.query.engine.ServerFailures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Datasets on MongoDB. The version document is the unit of atomicity: a draft becomes published by one conditional
 * update of it (state DRAFT and a passing audit of its content hash) that also claims the unique slot
 * {@code NAME@N}; {@code latest} is the highest published number, so that same update moves it.
 */
public final class MongoDatasets implements Datasets {
    /** Rows per chunk document: 10,000 rows of a few ids stay far below the 16 MB document limit. */
    public static final int CHUNK_ROWS = 10_000;
    static final String DATASET = "dataset";
    static final String NUMBER = "number";
    static final String STATE = "state";
    static final String SLOT = "slot";
    static final String CREATED_AT = "createdAt";
    static final String CHUNK_VERSION = "v";
    static final String CHUNK_INDEX = "c";
    static final String CHUNK_IDS = "ids";
    private static final int ID_BATCH = 1000;
    /**
     * Columns a version may have: a chunk of {@value #CHUNK_ROWS} rows of 64 ids is about 13 MB of BSON, below the
     * 16 MB document limit. (A query has at most 100 levels; more than 64 columns is refused with a clear error.)
     */
    public static final int MAX_COLUMNS = 64;
    /** The longest column name and user check name accepted. */
    static final int MAX_NAME_CHARS = 256;
    /** Chunks per cursor batch: two keep the next chunk on its way while one is read, in at most ~2 x 16 MB. */
    private static final int CURSOR_CHUNKS = 2;
    /** Re-openings of a chunk cursor the server dropped, per read. */
    private static final int CURSOR_REOPENS = 100;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MongoDatasets.class);

    /** Rows a partition of the duplicate check and of diff aims at; tests lower it to cover many partitions. */
    private final int partitionRows;

    private final MongoCollection<Document> datasets;
    private final MongoCollection<Document> versions;
    private final MongoCollection<Document> chunks;
    private final MongoCollection<Document> tagMoves;
    private final MongoCollection<Document> datums;
    private final String datasetsName;
    private final String versionsName;
    private final String chunksName;
    private final String tagMovesName;
    private final Datalake lake;
    private final DatalakeSettings settings;

    /**
     * Creates the datasets of a lake, its collections named after the datum collection.
     *
     * @param database the lake's database
     * @param settings the lake's (or view's) settings: collection name, actor, clock, operation time limit
     * @param lake the lake, for queries and datum reads
     */
    public MongoDatasets(MongoDatabase database, DatalakeSettings settings, Datalake lake) {
        this(database, settings, lake, Partitions.DEFAULT_PARTITION_ROWS);
    }

    /** As above, with a partition size tests lower to cover many partitions with few rows. */
    MongoDatasets(MongoDatabase database, DatalakeSettings settings, Datalake lake, int partitionRows) {
        long ms = settings.operationTimeout().toMillis();
        String base = settings.collection();
        this.datasets = database.getCollection(base + ".datasets").withTimeout(ms, TimeUnit.MILLISECONDS);
        this.versions = database.getCollection(base + ".datasetVersions").withTimeout(ms, TimeUnit.MILLISECONDS);
        this.chunks = database.getCollection(base + ".datasetChunks").withTimeout(ms, TimeUnit.MILLISECONDS);
        this.tagMoves = database.getCollection(base + ".datasetTagMoves").withTimeout(ms, TimeUnit.MILLISECONDS);
        this.datums = database.getCollection(base).withTimeout(ms, TimeUnit.MILLISECONDS);
        this.datasetsName = base + ".datasets";
        this.versionsName = base + ".datasetVersions";
        this.chunksName = base + ".datasetChunks";
        this.tagMovesName = base + ".datasetTagMoves";
        this.lake = lake;
        this.settings = settings;
        this.partitionRows = partitionRows;
    }

    /**
     * Creates the indexes of the dataset collections; called when the lake opens.
     *
     * @param database the lake's database
     * @param settings the lake's settings
     * @return completes when the indexes exist
     */
    public static Mono<Void> createIndexes(MongoDatabase database, DatalakeSettings settings) {
        String base = settings.collection();
        return Flux.concat(
                        database.getCollection(base + ".datasetVersions").createIndexes(DatasetIndexes.versions()),
                        database.getCollection(base + ".datasetChunks").createIndexes(DatasetIndexes.chunks()),
                        database.getCollection(base + ".datasetTagMoves").createIndexes(DatasetIndexes.tagMoves()))
                .then()
                .onErrorMap(e -> ServerFailures.translate("creating the dataset indexes", e));
    }

    private Instant now() {
        return settings.clock().instant();
    }

    private static <T> Mono<T> server(String context, org.reactivestreams.Publisher<T> call) {
        return Mono.from(call).onErrorMap(e -> !(e instanceof DatalakeException),
                e -> ServerFailures.translate(context, e));
    }

    private static <T> Flux<T> serverMany(String context, org.reactivestreams.Publisher<T> call) {
        return Flux.from(call).onErrorMap(e -> !(e instanceof DatalakeException),
                e -> ServerFailures.translate(context, e));
    }

    // ---- datasets ----

    @Override
    public Mono<DatasetInfo> create(String name, String description) {
        return Mono.defer(() -> {
            VersionRef.requireName(name);
            Document doc = new Document("_id", name).append("description", description)
                    .append(CREATED_AT, Date.from(now())).append("actor", settings.actor())
                    .append("tags", new Document());
            return server("creating dataset " + name, datasets.updateOne(Filters.eq("_id", name),
                            Updates.setOnInsert(doc), new com.mongodb.client.model.UpdateOptions().upsert(true)))
                    .onErrorResume(e -> isDuplicate(e), e -> Mono.empty()) // a concurrent create won: same result
                    .then(dataset(name));
        });
    }

    private Mono<DatasetInfo> dataset(String name) {
        return server("reading dataset " + name, datasets.find(Filters.eq("_id", name)).first())
                .switchIfEmpty(Mono.error(() -> new DatasetNotFoundException(name)))
                .flatMap(d -> latestNumber(name).map(n -> toInfo(d, n)).defaultIfEmpty(toInfo(d, null)));
    }

    /** Reads a dataset document, checking the fields the library relies on ({@link MalformedDatasetException}). */
    private DatasetInfo toInfo(Document d, @Nullable Integer latest) {
        String where = datasetsName + " " + VersionDocs.describeId(d.get("_id"));
        if (!(d.get("_id") instanceof String name)) {
            throw new MalformedDatasetException(where, "its _id is not a string");
        }
        Map<String, Integer> tags = new LinkedHashMap<>();
        Object t = d.get("tags");
        if (t instanceof Document doc) {
            doc.forEach((k, v) -> {
                if (!(v instanceof Integer n)) {
                    throw new MalformedDatasetException(where, "tag '" + k + "' is " + v + ", not a version number");
                }
                tags.put(k, n);
            });
        } else if (t != null) {
            throw new MalformedDatasetException(where, "'tags' is not a document");
        }
        Object created = d.get(CREATED_AT);
        if (created != null && !(created instanceof Date)) {
            throw new MalformedDatasetException(where, "'createdAt' is not a date");
        }
        return new DatasetInfo(name, String.valueOf(d.get("description", "")), latest, tags,
                created == null ? Instant.EPOCH : ((Date) created).toInstant(), String.valueOf(d.get("actor", "")));
    }

    private Mono<Integer> latestNumber(String name) {
        return server("finding latest of " + name, versions
                        .find(Filters.and(Filters.eq(DATASET, name), Filters.eq(STATE, VersionState.PUBLISHED.name())))
                        .sort(Sorts.descending(NUMBER)).projection(new Document(NUMBER, 1)).first())
                .map(d -> {
                    if (d.get(NUMBER) instanceof Integer n && n >= 1) {
                        return n;
                    }
                    throw new MalformedDatasetException(versionsName + " " + VersionDocs.describeId(d.get("_id")),
                            "a published version of '" + name + "' has 'number' " + d.get(NUMBER)
                                    + ", not a positive 32-bit integer");
                });
    }

    @Override
    public Flux<DatasetInfo> datasets() {
        return serverMany("listing datasets", datasets.find().sort(Sorts.ascending("_id")))
                .concatMap(d -> Mono.defer(() -> {
                    DatasetInfo info = toInfo(d, null);
                    return latestNumber(info.name()).map(n -> toInfo(d, n)).defaultIfEmpty(info);
                }).onErrorResume(MalformedDatasetException.class, e -> skip(e)));
    }

    /** Listings skip a foreign or damaged document, with a warning, and answer for the rest. */
    private static <T> Mono<T> skip(MalformedDatasetException e) {
        LOG.warn("skipping a dataset document: {}", e.getMessage());
        return Mono.empty();
    }

    // ---- drafts ----

    @Override
    public Mono<VersionInfo> createDraft(String dataset, DatasetSource source, DatasetProgress progress) {
        return Mono.defer(() -> {
            VersionRef.requireName(dataset);
            if (source instanceof DatasetSource.FromIds ids) {
                requireColumn(ids.column());
                return write(dataset, new SourceInfo("ids", null, null, null, null),
                        Flux.from(ids.ids()).map(id -> Map.of(ids.column(), id)), List.of(ids.column()),
                        progress);
            }
            if (source instanceof DatasetSource.FromQuery q) {
                return write(dataset, new SourceInfo("query", q.query().toJson(), q.options().seed(),
                        q.options().datumsWanted(), null), lake.queryRows(q.query(), q.options()),
                        q.query().outputColumns(), progress);
            }
            DatasetSource.FromVersion fv = (DatasetSource.FromVersion) source;
            return resolve(fv.base()).flatMap(base -> fromVersion(dataset, base, fv, progress));
        });
    }

    /**
     * Base rows minus removed plus added, with bounded memory: the removed rows and the base's rows go into hash
     * partitions on local temporary files ({@link Partitions}); per partition, the base row numbers equal to a
     * removed row are listed ascending; a k-way merge of those lists then filters the base as it streams again in
     * manifest order. Every occurrence of a removed row is dropped. No removed rows: the base streams once.
     */
    private Mono<VersionInfo> fromVersion(String dataset, VersionInfo base, DatasetSource.FromVersion fv,
            DatasetProgress progress) {
        SourceInfo info = new SourceInfo("version", null, null, null, base.ref());
        List<String> cols = base.columns();
        int partitions = Partitions.count(base.rowCount(), partitionRows);
        Flux<Map<String, ObjectId>> added = Flux.from(fv.added()).doOnNext(r -> requireColumns(cols, r));
        long[] removedCount = {0};
        Flux<Row> removed = Flux.from(fv.removed()).map(r -> {
            requireColumns(cols, r);
            if (removedCount[0] >= base.rowCount()) {
                // Removed rows must be base rows: more of them than the base has is a mistake, and stopping here
                // keeps the per-partition sets of removed rows as small as the base's partitions.
                throw new InvalidArgumentException("more rows to remove than the " + base.rowCount() + " rows of "
                        + base.ref());
            }
            Map<String, ObjectId> ordered = new LinkedHashMap<>();
            cols.forEach(c -> ordered.put(c, r.get(c)));
            return new Row(removedCount[0]++, ordered);
        });
        Flux<Map<String, ObjectId>> baseRows = readRows(base, 0).map(Row::columns);
        return Partitions.withTempDir("datalake-version", dir -> Partitions.write(removed, dir, "removed", partitions)
                .then(Mono.defer(() -> {
                    if (removedCount[0] == 0) {
                        return write(dataset, info, Flux.concat(baseRows, added), cols, progress);
                    }
                    Flux<Map<String, ObjectId>> kept = Flux.using(
                            () -> new Partitions.DroppedRows(dir, partitions),
                            drop -> readRows(base, 0).publishOn(reactor.core.scheduler.Schedulers.boundedElastic(), 256)
                                    .filter(r -> !drop.dropped(r.number())).map(Row::columns),
                            Partitions.DroppedRows::close);
                    return Partitions.write(readRows(base, 0), dir, "base", partitions)
                            .then(Mono.fromRunnable(() -> Partitions.writeDropped(dir, partitions, cols,
                                            base.ref().toString()))
                                    .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()))
                            .then(write(dataset, info, Flux.concat(kept, added), cols, progress));
                })).flux()).single();
    }

    private static void requireColumns(List<String> columns, Map<String, ObjectId> row) {
        if (!row.keySet().equals(new HashSet<>(columns))
                || row.values().stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidArgumentException("row " + row + " has columns " + row.keySet() + ", the version has "
                    + columns + " (each with a datum id)");
        }
    }

    /**
     * Column names: 1 to 256 characters, no leading '$', no '.', no control characters (the content hash ends each
     * name with a 0x00 byte, so a name holding one could hash like two columns).
     */
    private static void requireColumn(String column) {
        boolean control = column.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f);
        if (column.isEmpty() || column.length() > MAX_NAME_CHARS || column.startsWith("$") || column.contains(".")
                || control) {
            String shown = column.length() > 64 ? column.substring(0, 64) + "... (" + column.length()
                    + " characters)" : column;
            throw new InvalidArgumentException("invalid column name '" + shown.replaceAll("\\p{Cntrl}", "?")
                    + "': column names have 1 to " + MAX_NAME_CHARS
                    + " characters, no leading '$', no '.', no control characters");
        }
    }

    private static List<String> requireColumnList(List<String> columns) {
        if (columns.size() > MAX_COLUMNS) {
            throw new InvalidArgumentException("a version has at most " + MAX_COLUMNS + " columns, the rows have "
                    + columns.size());
        }
        columns.forEach(MongoDatasets::requireColumn);
        return List.copyOf(columns);
    }

    /**
     * Writes a draft: the version document first (incomplete), then the chunks, then completes it, so no chunk
     * exists before its version document. {@code knownColumns}, when given, fixes the column order (else the first
     * row's).
     */
    private Mono<VersionInfo> write(String dataset, SourceInfo source, Flux<Map<String, ObjectId>> rows,
            @Nullable List<String> knownColumns, DatasetProgress progress) {
        ObjectId id = new ObjectId();
        ProgressGuard reporter = new ProgressGuard(progress, "draft " + id + " of '" + dataset + "'");
        long[] written = {0};
        Document version = new Document("_id", id).append(DATASET, dataset).append(SLOT, "draft:" + id)
                .append(STATE, VersionState.DRAFT.name()).append("complete", false).append("rowCount", 0L)
                .append("source", sourceDoc(source)).append("actor", settings.actor())
                .append(CREATED_AT, Date.from(now()));
        AtomicReference<List<String>> columns = new AtomicReference<>(knownColumns);
        AtomicReference<RowHasher> hasher = new AtomicReference<>(knownColumns == null ? null
                : new RowHasher(knownColumns));
        long[] count = {0};
        Flux<Document> chunkDocs = rows.map(r -> {
            List<String> cols = columns.get();
            RowHasher h = hasher.get();
            if (cols == null || h == null) {
                cols = requireColumnList(List.copyOf(r.keySet()));
                columns.set(cols);
                h = new RowHasher(cols);
                hasher.set(h);
            }
            if (r.size() != cols.size()) {
                throw new InvalidArgumentException("row " + count[0] + " has columns " + r.keySet()
                        + ", the first row had " + cols);
            }
            ObjectId[] ids = new ObjectId[cols.size()];
            for (int i = 0; i < ids.length; i++) {
                ObjectId v = r.get(cols.get(i));
                if (v == null) {
                    throw new InvalidArgumentException("row " + count[0] + " has columns " + r.keySet()
                            + ", the first row had " + cols);
                }
                ids[i] = v;
            }
            h.row(ids);
            count[0]++;
            return ids;
        }).buffer(CHUNK_ROWS).index().map(t -> {
            List<ObjectId> flat = new ArrayList<>(t.getT2().size() * t.getT2().get(0).length);
            for (ObjectId[] row : t.getT2()) {
                flat.addAll(List.of(row));
            }
            return new Document(CHUNK_VERSION, id).append(CHUNK_INDEX, t.getT1().intValue())
                    .append("n", t.getT2().size()).append(CHUNK_IDS, flat);
        });
        if (knownColumns != null) {
            requireColumnList(knownColumns);
        }
        return create(dataset, "")
                .then(server("creating draft of " + dataset, versions.insertOne(version)))
                .then(chunkDocs.concatMap(c -> server("writing rows of draft " + id, chunks.insertOne(c))
                        .doOnSuccess(r -> reporter.rows(written[0] += c.getInteger("n")))).then()
                .then(Mono.defer(() -> {
                    List<String> cols = columns.get();
                    RowHasher h = hasher.get();
                    if (cols == null || h == null || count[0] == 0) {
                        return Mono.error(new InvalidArgumentException("the source of draft " + id + " of '"
                                + dataset + "' has no rows; a version needs at least one row"));
                    }
                    return server("completing draft " + id, versions.updateOne(
                            Filters.and(Filters.eq("_id", id), Filters.eq(STATE, VersionState.DRAFT.name())),
                            Updates.combine(Updates.set("complete", true), Updates.set("rowCount", count[0]),
                                    Updates.set("columns", cols), Updates.set("contentHash", h.hex()))))
                            .flatMap(r -> r.getMatchedCount() == 1 ? Mono.<Void>empty()
                                    : Mono.error(new ImmutableVersionException(dataset + " draft " + id,
                                            "writing rows", "was discarded while its rows were being written")));
                }))
                // A failed or cancelled write leaves no draft behind: discarded at once (a killed process leaves
                // an incomplete draft, which collectGarbage removes).
                .onErrorResume(e -> abandon(id).onErrorResume(x -> Mono.empty()).then(Mono.error(
                        e instanceof DatalakeException ? e : new io.datalake.DatalakeNonTransientException(
                                "the source of a draft of '" + dataset + "' failed: " + e, e))))
                .doOnCancel(() -> abandon(id).subscribe(null, e -> LOG.warn("could not discard the cancelled "
                        + "draft {} of '{}'; collectGarbage will", id, dataset, e))))
                .then(Mono.defer(() -> version(id)));
    }

    /** Discards a draft this process was writing, and its chunks. */
    private Mono<Void> abandon(ObjectId id) {
        return server("discarding the failed draft " + id, versions.updateOne(Filters.and(Filters.eq("_id", id),
                        Filters.eq(STATE, VersionState.DRAFT.name())), Updates.set(STATE,
                        VersionState.DISCARDED.name())))
                .then(deleteChunks(id));
    }

    private static Document sourceDoc(SourceInfo s) {
        Document d = new Document("kind", s.kind());
        if (s.queryJson() != null) {
            d.append("query", s.queryJson());
        }
        if (s.seed() != null) {
            d.append("seed", s.seed());
        }
        if (s.datumsWanted() != null) {
            d.append("datumsWanted", s.datumsWanted());
        }
        if (s.derivedFrom() != null) {
            d.append("derivedFrom", s.derivedFrom().toString());
        }
        return d;
    }

    // ---- versions ----

    @Override
    public Mono<VersionInfo> version(ObjectId id) {
        return server("reading version " + id, versions.find(Filters.eq("_id", id)).first())
                .switchIfEmpty(Mono.error(() -> new VersionNotFoundException(id.toHexString())))
                .flatMap(this::withTags);
    }

    private Mono<VersionInfo> withTags(Document v) {
        return Mono.defer(() -> {
            VersionInfo info = VersionDocs.toInfo(v, List.of(), versionsName);
            Integer number = info.number();
            if (number == null) {
                return Mono.just(info);
            }
            return server("reading tags", datasets.find(Filters.eq("_id", info.dataset())).first())
                    .map(d -> {
                        List<String> tags = new ArrayList<>();
                        toInfo(d, null).tags().forEach((t, n) -> {
                            if (n.equals(number)) {
                                tags.add(t);
                            }
                        });
                        tags.sort(null);
                        return VersionDocs.toInfo(v, tags, versionsName);
                    })
                    .defaultIfEmpty(info);
        });
    }

    @Override
    public Mono<VersionInfo> resolve(VersionRef ref) {
        String name = ref.dataset();
        return dataset(name).flatMap(d -> {
            Integer number;
            if (ref.isLatest()) {
                number = d.latest();
            } else if (ref.isNumber()) {
                number = Integer.valueOf(ref.selector());
            } else {
                number = d.tags().get(ref.selector());
            }
            if (number == null) {
                return Mono.error(new VersionNotFoundException(ref.toString()));
            }
            return server("resolving " + ref, versions.find(Filters.eq(SLOT, name + "@" + number)).first())
                    .filter(v -> VersionState.PUBLISHED.name().equals(v.get(STATE)))
                    .switchIfEmpty(Mono.error(() -> new VersionNotFoundException(ref.toString())))
                    .flatMap(this::withTags);
        });
    }

    @Override
    public Flux<VersionInfo> versions(String dataset) {
        return dataset(dataset).flatMapMany(d -> serverMany("listing versions of " + dataset, versions
                        .find(Filters.and(Filters.eq(DATASET, dataset),
                                Filters.eq(STATE, VersionState.PUBLISHED.name())))
                        .sort(Sorts.ascending(NUMBER)))
                .concatMap(v -> Mono.fromCallable(() -> {
                    VersionInfo info = VersionDocs.toInfo(v, List.of(), versionsName);
                    List<String> tags = new ArrayList<>();
                    d.tags().forEach((t, n) -> {
                        if (n.equals(info.number())) {
                            tags.add(t);
                        }
                    });
                    tags.sort(null);
                    return VersionDocs.toInfo(v, tags, versionsName);
                }).onErrorResume(MalformedDatasetException.class, e -> skip(e))));
    }

    /**
     * One page of the ids of the versions whose rows are kept (drafts and published versions, not discarded ones),
     * in {@code _id} order, for a whole-lake check (fsck) that reads each with {@link #version} and
     * {@link #rows(ObjectId)}. One call under the operation time limit; version documents whose {@code _id} is not
     * an ObjectId are not listed.
     *
     * @param after the last id of the previous page, or null for the first page
     * @param limit the page size
     * @return the ids, at most {@code limit}
     */
    public Mono<List<ObjectId>> keptVersionIds(@Nullable ObjectId after, int limit) {
        Bson kept = Filters.in(STATE, VersionState.DRAFT.name(), VersionState.PUBLISHED.name());
        Bson filter = Filters.and(after == null ? Filters.type("_id", org.bson.BsonType.OBJECT_ID)
                : Filters.gt("_id", after), kept);
        return serverMany("listing dataset versions", versions.find(filter).projection(new Document("_id", 1))
                        .sort(Sorts.ascending("_id")).limit(limit))
                .<ObjectId>handle((d, sink) -> {
                    if (d.get("_id") instanceof ObjectId id) {
                        sink.next(id);
                    }
                })
                .collectList();
    }

    // ---- rows ----

    @Override
    public Flux<Row> rows(VersionRef ref) {
        return resolve(ref).flatMapMany(v -> readRows(v, 0));
    }

    @Override
    public Flux<Row> rows(ObjectId id) {
        return version(id).flatMapMany(v -> readRows(v, 0));
    }

    /**
     * Reads chunk by chunk: one bounded call per chunk of {@value #CHUNK_ROWS} rows (no cursor that must live as
     * long as a slow reader), each chunk checked against the version (index, row count, ids), and, when the read
     * starts at row 0, the rows hashed as they pass: a stream whose rows differ from the recorded content hash or
     * row count ends with {@link MalformedDatasetException} after its last row instead of completing.
     */
    private Flux<Row> readRows(VersionInfo v, long fromRow) {
        List<String> cols = v.columns();
        if (v.state() == VersionState.DISCARDED) {
            return Flux.error(new VersionNotFoundException(describe(v) + " (discarded, its rows are deleted)"));
        }
        if (!v.complete() || cols.isEmpty()) {
            return Flux.empty(); // an incomplete draft: its columns are not known yet
        }
        long chunkCount = (v.rowCount() + CHUNK_ROWS - 1) / CHUNK_ROWS;
        long fromChunk = fromRow / CHUNK_ROWS;
        String expected = v.contentHash();
        return Flux.defer(() -> {
            RowHasher hasher = fromRow == 0 ? new RowHasher(cols) : null; // one per subscription
            long[] next = {fromChunk};
            return chunkCursor(v, next, chunkCount)
                .map(doc -> {
                    long c = next[0];
                    if (doc.get(CHUNK_INDEX) instanceof Integer stored && stored > c) {
                        throw missingChunk(v, c, chunkCount);
                    }
                    List<Row> rows = chunkRows(doc, v, (int) c, hasher);
                    next[0] = c + 1;
                    return rows;
                })
                .concatWith(Mono.defer(() -> next[0] < chunkCount
                        ? Mono.error(missingChunk(v, next[0], chunkCount)) : Mono.empty()))
                .concatMapIterable(rows -> rows, 1)
                .concatWith(Mono.fromRunnable(() -> {
                    if (hasher != null && expected != null && !hasher.hex().equals(expected)) {
                        throw new MalformedDatasetException(versionsName + " " + v.id().toHexString(),
                                "the stored rows of " + describe(v) + " do not match its content hash " + expected
                                        + " (a chunk was changed after the version was written)");
                    }
                }));
        });
    }

    /**
     * The chunks of {@code v} from {@code next[0]} in order, through one cursor whose every batch (not its whole
     * life) is under the operation time limit, so a slow reader is not cut off. A server that drops the cursor
     * while the reader is slow (real MongoDB closes idle cursors after 10 minutes) is asked again from the next
     * chunk not yet read; {@code next[0]} is advanced by the caller as chunks are taken.
     */
    private Flux<Document> chunkCursor(VersionInfo v, long[] next, long chunkCount) {
        return Flux.defer(() -> serverMany("reading rows of " + describe(v), chunks.find(Filters.and(
                        Filters.eq(CHUNK_VERSION, v.id()), Filters.gte(CHUNK_INDEX, (int) next[0])))
                        .sort(Sorts.ascending(CHUNK_INDEX)).batchSize(CURSOR_CHUNKS)
                        .timeoutMode(TimeoutMode.ITERATION)))
                .retryWhen(Retry.max(CURSOR_REOPENS).filter(MongoDatasets::cursorLost)
                        .doBeforeRetry(r -> LOG.warn("reading rows of {}: the server dropped the cursor; reading on "
                                + "from chunk {}", describe(v), next[0])))
                .take(Math.max(0, chunkCount - next[0]), true);
    }

    private static boolean cursorLost(Throwable e) {
        Throwable cause = e instanceof DatalakeException && e.getCause() != null ? e.getCause() : e;
        return cause instanceof MongoCursorNotFoundException;
    }

    private MalformedDatasetException missingChunk(VersionInfo v, long c, long chunkCount) {
        return new MalformedDatasetException(chunkName(v, c), "chunk " + c + " of the " + chunkCount + " chunks of "
                + describe(v) + " is missing");
    }

    private String chunkName(VersionInfo v, long chunk) {
        return chunksName + " {v: " + v.id().toHexString() + ", c: " + chunk + "}";
    }

    /** The rows of chunk {@code index} of {@code v}, after checking the stored chunk against the version. */
    private List<Row> chunkRows(Document chunk, VersionInfo v, int index, @Nullable RowHasher hasher) {
        List<String> cols = v.columns();
        long first = (long) index * CHUNK_ROWS;
        long expectedRows = Math.min(CHUNK_ROWS, v.rowCount() - first);
        String where = chunkName(v, index);
        if (!(chunk.get(CHUNK_INDEX) instanceof Integer stored) || stored != index) {
            throw new MalformedDatasetException(where, "'c' is " + chunk.get(CHUNK_INDEX) + ", not " + index);
        }
        if (!(chunk.get("n") instanceof Integer n) || n != expectedRows) {
            throw new MalformedDatasetException(where, "'n' is " + chunk.get("n") + ", the version's row count "
                    + v.rowCount() + " puts " + expectedRows + " rows in this chunk");
        }
        if (!(chunk.get(CHUNK_IDS) instanceof List<?> ids) || ids.size() != expectedRows * cols.size()) {
            Object raw = chunk.get(CHUNK_IDS);
            throw new MalformedDatasetException(where, "'ids' is " + (raw instanceof List<?> l ? "an array of "
                    + l.size() : "not an array of") + " ids, " + expectedRows + " rows of " + cols.size()
                    + " columns need " + expectedRows * cols.size());
        }
        List<Row> rows = new ArrayList<>((int) expectedRows);
        ObjectId[] row = new ObjectId[cols.size()];
        for (int i = 0; i < ids.size(); i += cols.size()) {
            for (int c = 0; c < cols.size(); c++) {
                if (!(ids.get(i + c) instanceof ObjectId id)) {
                    throw new MalformedDatasetException(where, "'ids' holds " + ids.get(i + c) + " at " + (i + c)
                            + ", not an ObjectId");
                }
                row[c] = id;
            }
            if (hasher != null) {
                hasher.row(row);
            }
            // Rows share the version's column list: no hash map per row (benchmark scenario 10).
            rows.add(Row.of(first + i / cols.size(), cols, row));
        }
        return rows;
    }

    @Override
    public Mono<RowPage> page(VersionRef ref, @Nullable String cursor, int pageSize, boolean expand) {
        return Mono.defer(() -> {
            if (pageSize < 1 || pageSize > CHUNK_ROWS) {
                return Mono.error(new InvalidArgumentException("pageSize must be 1.." + CHUNK_ROWS + ", was "
                        + pageSize));
            }
            Cursor at = cursor == null ? null : Cursor.parse(cursor, ref.dataset());
            VersionRef pinned = at == null ? ref : VersionRef.of(ref.dataset(), at.version());
            long start = at == null ? 0 : at.row();
            return resolve(pinned).flatMap(v -> start > v.rowCount()
                    ? Mono.error(new InvalidArgumentException("invalid page cursor '" + cursor + "': row " + start
                            + " is beyond the " + v.rowCount() + " rows of " + describe(v)))
                    : readRows(v, start)
                    .skipWhile(r -> r.number() < start).take(pageSize + 1L).collectList()
                    .flatMap(rows -> {
                        Integer number = v.number();
                        String next = rows.size() > pageSize && number != null ? new Cursor(ref.dataset(),
                                number, rows.get(pageSize).number()).encode() : null;
                        List<Row> page = rows.size() > pageSize ? rows.subList(0, pageSize) : rows;
                        if (!expand) {
                            return Mono.just(new RowPage(page, Map.of(), next));
                        }
                        Set<ObjectId> ids = new java.util.LinkedHashSet<>();
                        page.forEach(r -> ids.addAll(r.columns().values()));
                        return lake.getData(List.copyOf(ids), false).collectMap(Datum::id)
                                .map(m -> new RowPage(page, m, next));
                    }));
        });
    }

    // ---- audit and publish ----

    @Override
    public Mono<AuditReport> audit(ObjectId draft, AuditOptions options, List<DatasetCheck> checks,
            DatasetProgress progress) {
        return Mono.defer(() -> {
            for (DatasetCheck check : checks) {
                String name = check.name();
                if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
                    throw new InvalidArgumentException("check name '" + (name.length() > 64 ? name.substring(0, 64)
                            + "... (" + name.length() + " characters)" : name) + "' must have 1 to "
                            + MAX_NAME_CHARS + " characters");
                }
            }
            // Examples are kept in memory while a check runs and recorded in the version document: bounded.
            AuditOptions bounded = options.maxExamples() <= VersionDocs.MAX_RECORDED_EXAMPLES ? options
                    : new AuditOptions(options.payloads(), options.payloadSample(), VersionDocs.MAX_RECORDED_EXAMPLES);
            ProgressGuard reporter = new ProgressGuard(progress, "the audit of draft " + draft);
            return version(draft).flatMap(v -> audit(v, bounded, checks, reporter));
        });
    }

    private Mono<AuditReport> audit(VersionInfo v, AuditOptions options, List<DatasetCheck> checks,
            ProgressGuard reporter) {
        ObjectId draft = v.id();
        if (v.state() == VersionState.PUBLISHED) {
            return Mono.error(new ImmutableVersionException(describe(v), "audit"));
        }
        if (v.state() == VersionState.DISCARDED) {
            return Mono.error(new ImmutableVersionException(describe(v), "audit", "was discarded"));
        }
        String hash = v.contentHash();
        if (!v.complete() || hash == null) {
            return Mono.error(new NotAuditedException(draft.toHexString(), "the draft is incomplete"));
        }
        Instant started = now();
        return latestNumber(v.dataset()).defaultIfEmpty(0).flatMap(baseLatest -> {
            List<DatasetCheck> all = new ArrayList<>(BuiltInChecks.of(lake, datums, options,
                    v.rowCount(), v.columns().size(), partitionRows));
            all.addAll(checks);
            // Every check reads the rows of this very version document, hash-verified (readRows from row 0).
            int[] number = {0};
            return Flux.fromIterable(all)
                    .concatMap(check -> Mono.defer(() -> {
                                reporter.check(check.name(), ++number[0], all.size());
                                return check.run(reporter.counted(readRows(v, 0)), options);
                            })
                            .map(r -> new CheckResult(check.name(), r.passed(), r.rowsChecked(), r.failures(),
                                    r.exampleRows().size() > options.maxExamples()
                                            ? r.exampleRows().subList(0, options.maxExamples()) : r.exampleRows(),
                                    VersionDocs.truncate(r.message())))
                            .switchIfEmpty(Mono.fromSupplier(() -> new CheckResult(check.name(), false, 0, 0,
                                    List.of(), "the check answered nothing")))
                            .onErrorResume(e -> !(e instanceof DatalakeException && ((DatalakeException) e)
                                    .isTransient()), e -> Mono.just(new CheckResult(check.name(), false, 0, 0,
                                    List.of(), VersionDocs.truncate("check threw " + e)))))
                    .collectList()
                    .flatMap(reporter::unlessFailed)
                    .flatMap(results -> {
                        AuditReport report = new AuditReport(hash, results, started, now(), settings.actor());
                        Document doc = VersionDocs.auditDoc(report).append("baseLatest", baseLatest)
                                .append("rowCount", v.rowCount()).append("columns", v.columns());
                        return server("recording the audit of " + draft, versions.updateOne(
                                Filters.and(Filters.eq("_id", draft), Filters.eq(STATE, VersionState.DRAFT.name()),
                                        Filters.eq("contentHash", hash), Filters.eq("rowCount", v.rowCount()),
                                        Filters.eq("columns", v.columns())),
                                Updates.set("audit", doc)))
                                .flatMap(r -> r.getMatchedCount() == 1 ? Mono.just(report)
                                        : Mono.error(new ImmutableVersionException(describe(v), "recording the audit",
                                                "changed while it was audited (published, discarded or rewritten)")));
                    });
        });
    }

    @Override
    public Mono<VersionInfo> publish(ObjectId draft) {
        return server("reading draft " + draft, versions.find(Filters.eq("_id", draft)).first())
                .switchIfEmpty(Mono.error(() -> new VersionNotFoundException(draft.toHexString())))
                .flatMap(doc -> Mono.defer(() -> publish(doc, VersionDocs.toInfo(doc, List.of(), versionsName))));
    }

    private Mono<VersionInfo> publish(Document doc, VersionInfo v) {
        ObjectId draft = v.id();
        String dataset = v.dataset();
        String id = draft.toHexString();
        if (v.state() == VersionState.PUBLISHED) {
            return Mono.error(new ImmutableVersionException(describe(v), "publish"));
        }
        if (v.state() != VersionState.DRAFT) {
            return Mono.error(new PublishConflictException(dataset, id, "it was discarded"));
        }
        String hash = v.contentHash();
        if (!v.complete() || hash == null) {
            return Mono.error(new NotAuditedException(id, "the draft is incomplete"));
        }
        Document audit = (Document) doc.get("audit"); // toInfo checked it is a document or absent
        if (audit == null) {
            return Mono.error(new NotAuditedException(id, "it was never audited"));
        }
        if (!hash.equals(audit.get("contentHash"))) {
            return Mono.error(new NotAuditedException(id, "the audit is stale: it saw " + audit.get("contentHash")
                    + ", the draft's content is " + hash));
        }
        if (!(audit.get("rowCount") instanceof Number n && n.longValue() == v.rowCount())
                || !v.columns().equals(audit.get("columns"))) {
            return Mono.error(new NotAuditedException(id, "the audit is stale: it saw " + audit.get("rowCount")
                    + " rows of columns " + audit.get("columns") + ", the draft has " + v.rowCount() + " rows of "
                    + v.columns()));
        }
        if (!Boolean.TRUE.equals(audit.get("passed"))) {
            return Mono.error(new NotAuditedException(id, "the last audit failed: "
                    + VersionDocs.failedChecks(audit)));
        }
        if (!(audit.get("baseLatest") instanceof Integer base) || base < 0 || base == Integer.MAX_VALUE) {
            return Mono.error(new MalformedDatasetException(versionsName + " " + id, "'audit.baseLatest' is "
                    + audit.get("baseLatest") + ", not a version number or 0"));
        }
        int number = base + 1;
        Bson filter = Filters.and(Filters.eq("_id", draft), Filters.eq(STATE, VersionState.DRAFT.name()),
                Filters.eq("contentHash", hash), Filters.eq("rowCount", v.rowCount()),
                Filters.eq("columns", v.columns()), Filters.eq("audit.contentHash", hash),
                Filters.eq("audit.rowCount", v.rowCount()), Filters.eq("audit.columns", v.columns()),
                Filters.eq("audit.passed", true), Filters.eq("audit.baseLatest", base));
        Bson update = Updates.combine(Updates.set(STATE, VersionState.PUBLISHED.name()),
                Updates.set(NUMBER, number), Updates.set(SLOT, dataset + "@" + number),
                Updates.set("publishedAt", Date.from(now())));
        return server("publishing draft " + draft, versions.updateOne(filter, update))
                .onErrorMap(MongoDatasets::isDuplicate, e -> new PublishConflictException(dataset, id, "version "
                        + number + " of '" + dataset + "' was published first; re-audit the draft and publish again"))
                .flatMap(r -> r.getMatchedCount() == 1 ? version(draft)
                        : Mono.error(new PublishConflictException(dataset, id,
                                "the draft changed while publishing")));
    }

    static boolean isDuplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DuplicateKeyException || (t instanceof MongoWriteException w
                    && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Mono<Void> discard(ObjectId draft) {
        // Only the state matters here, so a draft with other damaged fields can still be discarded.
        return server("reading draft " + draft, versions.find(Filters.eq("_id", draft)).first())
                .switchIfEmpty(Mono.error(() -> new VersionNotFoundException(draft.toHexString())))
                .flatMap(v -> {
                    String name = v.get(DATASET) + (v.get(NUMBER) == null ? " draft " + draft : "@" + v.get(NUMBER));
                    if (VersionState.PUBLISHED.name().equals(v.get(STATE))) {
                        return Mono.error(new ImmutableVersionException(name, "discard"));
                    }
                    // The state flips first: a crash after it leaves chunks that garbage collection deletes.
                    return server("discarding draft " + draft, versions.updateOne(Filters.and(Filters.eq("_id", draft),
                                    Filters.ne(STATE, VersionState.PUBLISHED.name())),
                                    Updates.set(STATE, VersionState.DISCARDED.name())))
                            .flatMap(r -> r.getMatchedCount() == 1 ? deleteChunks(draft)
                                    : Mono.error(new ImmutableVersionException(name, "discard")));
                });
    }

    private Mono<Void> deleteChunks(ObjectId version) {
        return server("deleting rows of " + version, chunks.deleteMany(Filters.eq(CHUNK_VERSION, version))).then();
    }

    private static String describe(VersionInfo v) {
        return v.number() == null ? v.dataset() + " draft " + v.id() : v.dataset() + "@" + v.number();
    }

    @Override
    public Flux<VersionInfo> drafts(Duration olderThan) {
        if (olderThan.isNegative()) {
            // now() minus a negative age is in the future: every draft, even one started a moment ago.
            return Flux.error(new InvalidArgumentException("olderThan must not be negative, was " + olderThan));
        }
        Date before = Date.from(now().minus(olderThan));
        return serverMany("listing drafts", versions.find(Filters.and(Filters.eq(STATE, VersionState.DRAFT.name()),
                        Filters.lte(CREATED_AT, before))).sort(Sorts.ascending(CREATED_AT)))
                .concatMap(v -> Mono.fromCallable(() -> VersionDocs.toInfo(v, List.of(), versionsName))
                        .onErrorResume(MalformedDatasetException.class, e -> skip(e)));
    }

    @Override
    public Mono<Long> collectGarbage(Duration olderThan) {
        if (olderThan.isNegative()) {
            return Mono.error(new InvalidArgumentException("olderThan must not be negative, was " + olderThan));
        }
        Mono<Long> drafts = drafts(olderThan).concatMap(v -> discard(v.id()).thenReturn(1L)
                        .onErrorResume(ImmutableVersionException.class, e -> Mono.just(0L)))
                .reduce(0L, Long::sum);
        // Chunks of discarded versions whose deletion was interrupted.
        Mono<Void> leftovers = serverMany("listing discarded versions", versions
                        .find(Filters.eq(STATE, VersionState.DISCARDED.name())).projection(new Document("_id", 1)))
                .concatMap(d -> d.get("_id") instanceof ObjectId id ? deleteChunks(id) : Mono.empty()).then();
        return drafts.flatMap(n -> leftovers.thenReturn(n));
    }

    // ---- diff ----

    @Override
    public Flux<DiffEntry> diff(VersionRef a, VersionRef b) {
        return Mono.zip(resolve(a), resolve(b)).flatMapMany(t -> {
            if (!t.getT1().columns().equals(t.getT2().columns())) {
                return Flux.error(new InvalidArgumentException("cannot diff " + a + " (columns "
                        + t.getT1().columns() + ") with " + b + " (columns " + t.getT2().columns() + ")"));
            }
            return Diff.of(rows(t.getT1().id()), rows(t.getT2().id()), t.getT1().columns(),
                    Math.max(t.getT1().rowCount(), t.getT2().rowCount()), partitionRows);
        });
    }

    // ---- tags ----

    @Override
    public Mono<TagMove> tag(String dataset, String tag, int version) {
        return Mono.defer(() -> {
            VersionRef.requireName(dataset);
            VersionRef.requireTag(tag);
            return resolve(VersionRef.of(dataset, version)).flatMap(v -> moveTag(dataset, tag, version));
        });
    }

    @Override
    public Mono<TagMove> untag(String dataset, String tag) {
        return Mono.defer(() -> {
            VersionRef.requireName(dataset);
            VersionRef.requireTag(tag);
            return moveTag(dataset, tag, null);
        });
    }

    private Mono<TagMove> moveTag(String dataset, String tag, @Nullable Integer to) {
        Bson update = to == null ? Updates.unset("tags." + tag) : Updates.set("tags." + tag, to);
        return server("moving tag " + dataset + "@" + tag, datasets.findOneAndUpdate(Filters.eq("_id", dataset),
                        update))
                .switchIfEmpty(Mono.error(() -> new DatasetNotFoundException(dataset)))
                .flatMap(before -> {
                    Integer from = toInfo(before, null).tags().get(tag);
                    if (from == null && to == null) {
                        return Mono.empty();
                    }
                    TagMove move = new TagMove(dataset, tag, from, to, now(), settings.actor());
                    Document doc = new Document(DATASET, dataset).append("tag", tag).append("from", from)
                            .append("to", to).append("at", Date.from(move.at())).append("actor", move.actor());
                    return server("recording tag move", tagMoves.insertOne(doc)).thenReturn(move);
                });
    }

    @Override
    public Flux<TagMove> tagHistory(String dataset) {
        return serverMany("reading tag history of " + dataset, tagMoves.find(Filters.eq(DATASET, dataset))
                        .sort(Sorts.ascending("at", "_id")))
                .concatMap(d -> {
                    if (d.get("tag") instanceof String tag && d.get("at") instanceof Date at
                            && (d.get("from") == null || d.get("from") instanceof Integer)
                            && (d.get("to") == null || d.get("to") instanceof Integer)) {
                        return Mono.just(new TagMove(dataset, tag, (Integer) d.get("from"), (Integer) d.get("to"),
                                at.toInstant(), String.valueOf(d.get("actor", ""))));
                    }
                    return skip(new MalformedDatasetException(tagMovesName + " " + VersionDocs.describeId(
                            d.get("_id")), "a tag move needs 'tag' (string), 'at' (date), 'from' and 'to' (numbers)"));
                });
    }

    // ---- retention ----

    /**
     * Batches of {@value #ID_BATCH} ids: one {@code $in} over the chunks of published versions (multikey index on
     * {@code ids}), streamed a few chunks at a time and cancelled once every id of the batch is found, so memory
     * holds a few chunks, not every chunk that mentions an id. Drafts do not retain (see the README).
     */
    @Override
    public Mono<Map<ObjectId, Boolean>> isRetained(List<ObjectId> ids) {
        Mono<List<ObjectId>> published = serverMany("isRetained: listing published versions", versions
                        .find(Filters.eq(STATE, VersionState.PUBLISHED.name())).projection(new Document("_id", 1)))
                .<ObjectId>handle((d, sink) -> {
                    if (d.get("_id") instanceof ObjectId id) {
                        sink.next(id);
                    }
                })
                .collectList().cache();
        return Mono.defer(() -> {
        Set<ObjectId> retained = new HashSet<>();
        return Flux.fromIterable(ids).buffer(ID_BATCH).concatMap(batch -> published.flatMapMany(versionIds -> {
            Set<ObjectId> wanted = new HashSet<>(batch);
            wanted.removeAll(retained);
            if (wanted.isEmpty() || versionIds.isEmpty()) {
                return Flux.empty();
            }
            return serverMany("isRetained", chunks.find(Filters.and(Filters.in(CHUNK_IDS, wanted),
                            Filters.in(CHUNK_VERSION, versionIds))).projection(new Document(CHUNK_IDS, 1))
                            .batchSize(4))
                    .doOnNext(c -> {
                        // Stored chunks are untrusted: anything that is not an ObjectId simply matches nothing.
                        Object stored = c.get(CHUNK_IDS);
                        for (Object o : stored instanceof List<?> l ? l : List.of(String.valueOf(stored))) {
                            if (o instanceof ObjectId id && wanted.remove(id)) {
                                retained.add(id);
                            }
                        }
                        if (stored instanceof ObjectId id && wanted.remove(id)) {
                            retained.add(id);
                        }
                    })
                    .takeUntil(c -> wanted.isEmpty());
        }), 1).then(Mono.fromSupplier(() -> {
            Map<ObjectId, Boolean> out = new LinkedHashMap<>();
            ids.forEach(id -> out.put(id, retained.contains(id)));
            return out;
        }));
        });
    }

    /**
     * As {@link #isRetained}, but every chunk of a published version that mentions an id of the batch is read (no
     * early stop), since every version is named; memory holds a few chunks plus the answer.
     */
    @Override
    public Mono<Map<ObjectId, List<VersionRef>>> retainedBy(List<ObjectId> ids) {
        if (ids == null || ids.stream().anyMatch(java.util.Objects::isNull)) {
            return Mono.error(new InvalidArgumentException("retainedBy: ids must not be null or contain null"));
        }
        Mono<Map<ObjectId, VersionRef>> published = serverMany("retainedBy: listing published versions", versions
                        .find(Filters.eq(STATE, VersionState.PUBLISHED.name()))
                        .projection(new Document("_id", 1).append(DATASET, 1).append(NUMBER, 1)))
                .<Map.Entry<ObjectId, VersionRef>>handle((d, sink) -> {
                    // A foreign version document that names no valid NAME@N cannot be named: it retains nothing.
                    if (d.get("_id") instanceof ObjectId id && d.get(DATASET) instanceof String name
                            && d.get(NUMBER) instanceof Integer n && n > 0 && VersionRef.NAME.matcher(name).matches()
                            && name.length() <= VersionRef.MAX_NAME_LENGTH) {
                        sink.next(Map.entry(id, VersionRef.of(name, n)));
                    }
                })
                .collectMap(Map.Entry::getKey, Map.Entry::getValue).cache();
        return Mono.defer(() -> {
            Map<ObjectId, Set<VersionRef>> found = new HashMap<>();
            return Flux.fromIterable(ids).buffer(ID_BATCH).concatMap(batch -> published.flatMapMany(byId -> {
                Set<ObjectId> wanted = new HashSet<>(batch);
                if (byId.isEmpty()) {
                    return Flux.empty();
                }
                return serverMany("retainedBy", chunks.find(Filters.and(Filters.in(CHUNK_IDS, wanted),
                                Filters.in(CHUNK_VERSION, byId.keySet())))
                                .projection(new Document(CHUNK_IDS, 1).append(CHUNK_VERSION, 1)).batchSize(4))
                        .doOnNext(c -> {
                            VersionRef version = byId.get(c.get(CHUNK_VERSION));
                            Object stored = c.get(CHUNK_IDS);
                            if (version == null) {
                                return;
                            }
                            // Stored chunks are untrusted: a lone id (not a list) matches the $in too.
                            for (Object o : stored instanceof List<?> list ? list : List.of(String.valueOf(stored))) {
                                if (o instanceof ObjectId id && wanted.contains(id)) {
                                    found.computeIfAbsent(id, k -> new java.util.TreeSet<>(BY_NAME_THEN_NUMBER))
                                            .add(version);
                                }
                            }
                            if (stored instanceof ObjectId id && wanted.contains(id)) {
                                found.computeIfAbsent(id, k -> new java.util.TreeSet<>(BY_NAME_THEN_NUMBER))
                                        .add(version);
                            }
                        });
            }), 1).then(Mono.fromSupplier(() -> {
                Map<ObjectId, List<VersionRef>> out = new LinkedHashMap<>();
                for (ObjectId id : ids) {
                    Set<VersionRef> refs = found.get(id);
                    if (refs != null) {
                        out.put(id, List.copyOf(refs));
                    }
                }
                return out;
            }));
        });
    }

    private static final java.util.Comparator<VersionRef> BY_NAME_THEN_NUMBER = java.util.Comparator
            .comparing(VersionRef::dataset).thenComparingInt(v -> Integer.parseInt(v.selector()));
}
