package io.datalake.mongo.internal.dataset;

import com.mongodb.DuplicateKeyException;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
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

    /** Rows a partition of the duplicate check and of diff aims at; tests lower it to cover many partitions. */
    private final int partitionRows;

    private final MongoCollection<Document> datasets;
    private final MongoCollection<Document> versions;
    private final MongoCollection<Document> chunks;
    private final MongoCollection<Document> tagMoves;
    private final MongoCollection<Document> datums;
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

    private static DatasetInfo toInfo(Document d, @Nullable Integer latest) {
        Map<String, Integer> tags = new LinkedHashMap<>();
        Document t = d.get("tags", Document.class);
        if (t != null) {
            t.forEach((k, v) -> {
                if (v instanceof Number n) {
                    tags.put(k, n.intValue());
                }
            });
        }
        Date created = d.getDate(CREATED_AT);
        return new DatasetInfo(d.getString("_id"), String.valueOf(d.get("description", "")), latest, tags,
                created == null ? Instant.EPOCH : created.toInstant(), String.valueOf(d.get("actor", "")));
    }

    private Mono<Integer> latestNumber(String name) {
        return server("finding latest of " + name, versions
                        .find(Filters.and(Filters.eq(DATASET, name), Filters.eq(STATE, VersionState.PUBLISHED.name())))
                        .sort(Sorts.descending(NUMBER)).projection(new Document(NUMBER, 1)).first())
                .map(d -> d.getInteger(NUMBER));
    }

    @Override
    public Flux<DatasetInfo> datasets() {
        return serverMany("listing datasets", datasets.find().sort(Sorts.ascending("_id")))
                .concatMap(d -> latestNumber(d.getString("_id")).map(n -> toInfo(d, n))
                        .defaultIfEmpty(toInfo(d, null)));
    }

    // ---- drafts ----

    @Override
    public Mono<VersionInfo> createDraft(String dataset, DatasetSource source, DatasetProgress progress) {
        return Mono.defer(() -> {
            VersionRef.requireName(dataset);
            if (source instanceof DatasetSource.FromIds ids) {
                requireColumn(ids.column());
                return write(dataset, new SourceInfo("ids", null, null, null, null),
                        Flux.from(ids.ids()).map(id -> Map.of(ids.column(), id)), progress);
            }
            if (source instanceof DatasetSource.FromQuery q) {
                return write(dataset, new SourceInfo("query", q.query().toJson(), q.options().seed(),
                        q.options().datumsWanted(), null), lake.queryRows(q.query(), q.options()), progress);
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
            Map<String, ObjectId> ordered = new LinkedHashMap<>();
            cols.forEach(c -> ordered.put(c, java.util.Objects.requireNonNull(r.get(c))));
            return new Row(removedCount[0]++, ordered);
        });
        Flux<Map<String, ObjectId>> baseRows = rows(base.id()).map(Row::columns);
        return Partitions.withTempDir("datalake-version", dir -> Partitions.write(removed, dir, "removed", partitions)
                .then(Mono.defer(() -> {
                    if (removedCount[0] == 0) {
                        return write(dataset, info, Flux.concat(baseRows, added), progress);
                    }
                    Flux<Map<String, ObjectId>> kept = Flux.using(
                            () -> new Partitions.DroppedRows(dir, partitions),
                            drop -> rows(base.id()).publishOn(reactor.core.scheduler.Schedulers.boundedElastic(), 256)
                                    .filter(r -> !drop.dropped(r.number())).map(Row::columns),
                            Partitions.DroppedRows::close);
                    return Partitions.write(rows(base.id()), dir, "base", partitions)
                            .then(Mono.fromRunnable(() -> Partitions.writeDropped(dir, partitions, cols.size()))
                                    .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()))
                            .then(write(dataset, info, Flux.concat(kept, added), progress));
                })).flux()).single();
    }

    private static void requireColumns(List<String> columns, Map<String, ObjectId> row) {
        if (!row.keySet().equals(new HashSet<>(columns))) {
            throw new InvalidArgumentException("row " + row + " has columns " + row.keySet() + ", the version has "
                    + columns);
        }
    }

    private static void requireColumn(String column) {
        if (column.isEmpty() || column.length() > 256 || column.startsWith("$") || column.contains(".")) {
            throw new InvalidArgumentException("invalid column name '" + column + "'");
        }
    }

    /** Writes a draft: the version document first (incomplete), then the chunks, then completes it. */
    private Mono<VersionInfo> write(String dataset, SourceInfo source, Flux<Map<String, ObjectId>> rows,
            DatasetProgress progress) {
        ObjectId id = new ObjectId();
        ProgressGuard reporter = new ProgressGuard(progress, "draft " + id + " of '" + dataset + "'");
        long[] written = {0};
        Document version = new Document("_id", id).append(DATASET, dataset).append(SLOT, "draft:" + id)
                .append(STATE, VersionState.DRAFT.name()).append("complete", false).append("rowCount", 0L)
                .append("source", sourceDoc(source)).append("actor", settings.actor())
                .append(CREATED_AT, Date.from(now()));
        AtomicReference<List<String>> columns = new AtomicReference<>();
        AtomicReference<RowHasher> hasher = new AtomicReference<>();
        long[] count = {0};
        Flux<Document> chunkDocs = rows.map(r -> {
            List<String> cols = columns.get();
            RowHasher h = hasher.get();
            if (cols == null || h == null) {
                cols = List.copyOf(r.keySet());
                cols.forEach(MongoDatasets::requireColumn);
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
        return create(dataset, "")
                .then(server("creating draft of " + dataset, versions.insertOne(version)))
                .thenMany(chunkDocs.concatMap(c -> server("writing rows of draft " + id, chunks.insertOne(c))
                        .doOnSuccess(r -> reporter.rows(written[0] += c.getInteger("n")))))
                .then(Mono.defer(() -> {
                    List<String> cols = columns.get();
                    RowHasher h = hasher.get();
                    if (cols == null || h == null) {
                        return Mono.error(new InvalidArgumentException("the source of draft " + id + " of '"
                                + dataset + "' has no rows; a version needs at least one row"));
                    }
                    return server("completing draft " + id, versions.updateOne(
                            Filters.and(Filters.eq("_id", id), Filters.eq(STATE, VersionState.DRAFT.name())),
                            Updates.combine(Updates.set("complete", true), Updates.set("rowCount", count[0]),
                                    Updates.set("columns", cols), Updates.set("contentHash", h.hex()))));
                }))
                .then(Mono.defer(() -> version(id)));
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
        Integer number = v.getInteger(NUMBER);
        if (number == null) {
            return Mono.just(VersionDocs.toInfo(v, List.of()));
        }
        return server("reading tags", datasets.find(Filters.eq("_id", v.getString(DATASET))).first())
                .map(d -> {
                    List<String> tags = new ArrayList<>();
                    toInfo(d, null).tags().forEach((t, n) -> {
                        if (n.equals(number)) {
                            tags.add(t);
                        }
                    });
                    tags.sort(null);
                    return VersionDocs.toInfo(v, tags);
                })
                .defaultIfEmpty(VersionDocs.toInfo(v, List.of()));
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
                    .filter(v -> VersionState.PUBLISHED.name().equals(v.getString(STATE)))
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
                .map(v -> {
                    List<String> tags = new ArrayList<>();
                    d.tags().forEach((t, n) -> {
                        if (n.equals(v.getInteger(NUMBER))) {
                            tags.add(t);
                        }
                    });
                    tags.sort(null);
                    return VersionDocs.toInfo(v, tags);
                }));
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

    /** Chunks one at a time, in index order: memory holds one chunk, demand is the subscriber's. */
    private Flux<Row> readRows(VersionInfo v, int fromChunk) {
        List<String> cols = v.columns();
        if (cols.isEmpty()) {
            return Flux.empty();
        }
        return serverMany("reading rows of " + v.id(), chunks
                        .find(Filters.and(Filters.eq(CHUNK_VERSION, v.id()), Filters.gte(CHUNK_INDEX, fromChunk)))
                        .sort(Sorts.ascending(CHUNK_INDEX)).batchSize(1))
                .concatMapIterable(c -> chunkRows(c, cols), 1);
    }

    private static List<Row> chunkRows(Document chunk, List<String> cols) {
        List<ObjectId> ids = chunk.getList(CHUNK_IDS, ObjectId.class);
        long first = (long) chunk.getInteger(CHUNK_INDEX) * CHUNK_ROWS;
        List<Row> rows = new ArrayList<>(ids.size() / cols.size());
        for (int i = 0; i + cols.size() <= ids.size(); i += cols.size()) {
            Map<String, ObjectId> m = new LinkedHashMap<>();
            for (int c = 0; c < cols.size(); c++) {
                m.put(cols.get(c), ids.get(i + c));
            }
            rows.add(new Row(first + i / cols.size(), m));
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
            return resolve(pinned).flatMap(v -> readRows(v, (int) (start / CHUNK_ROWS))
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
        ProgressGuard reporter = new ProgressGuard(progress, "the audit of draft " + draft);
        return version(draft).flatMap(v -> {
            if (v.state() != VersionState.DRAFT) {
                return Mono.error(new ImmutableVersionException(describe(v), "audit"));
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
                int[] number = {0};
                return Flux.fromIterable(all)
                        .concatMap(check -> Mono.defer(() -> {
                                    reporter.check(check.name(), ++number[0], all.size());
                                    return check.run(reporter.counted(rows(draft)), options);
                                })
                                .onErrorResume(e -> !(e instanceof DatalakeException && ((DatalakeException) e)
                                        .isTransient()), e -> Mono.just(new CheckResult(check.name(), false, 0, 0,
                                        List.of(), "check threw " + e))))
                        .collectList()
                        .flatMap(reporter::unlessFailed)
                        .flatMap(results -> {
                            AuditReport report = new AuditReport(hash, results, started, now(),
                                    settings.actor());
                            Document doc = VersionDocs.auditDoc(report).append("baseLatest", baseLatest);
                            return server("recording the audit of " + draft, versions.updateOne(
                                    Filters.and(Filters.eq("_id", draft),
                                            Filters.eq(STATE, VersionState.DRAFT.name()),
                                            Filters.eq("contentHash", hash)),
                                    Updates.set("audit", doc)))
                                    .flatMap(r -> r.getMatchedCount() == 1 ? Mono.just(report)
                                            : Mono.error(new ImmutableVersionException(describe(v), "audit")));
                        });
            });
        });
    }

    @Override
    public Mono<VersionInfo> publish(ObjectId draft) {
        return server("reading draft " + draft, versions.find(Filters.eq("_id", draft)).first())
                .switchIfEmpty(Mono.error(() -> new VersionNotFoundException(draft.toHexString())))
                .flatMap(v -> {
                    String state = v.getString(STATE);
                    String dataset = v.getString(DATASET);
                    if (VersionState.PUBLISHED.name().equals(state)) {
                        return Mono.error(new ImmutableVersionException(dataset + "@" + v.getInteger(NUMBER),
                                "publish"));
                    }
                    if (!VersionState.DRAFT.name().equals(state)) {
                        return Mono.error(new PublishConflictException(dataset, draft.toHexString(),
                                "it was discarded"));
                    }
                    String hash = v.getString("contentHash");
                    Document audit = v.get("audit", Document.class);
                    if (!v.getBoolean("complete", false) || hash == null) {
                        return Mono.error(new NotAuditedException(draft.toHexString(), "the draft is incomplete"));
                    }
                    if (audit == null) {
                        return Mono.error(new NotAuditedException(draft.toHexString(), "it was never audited"));
                    }
                    if (!hash.equals(audit.getString("contentHash"))) {
                        return Mono.error(new NotAuditedException(draft.toHexString(), "the audit is stale: it saw "
                                + audit.getString("contentHash") + ", the draft's content is " + hash));
                    }
                    if (!audit.getBoolean("passed", false)) {
                        return Mono.error(new NotAuditedException(draft.toHexString(), "the last audit failed: "
                                + VersionDocs.failedChecks(audit)));
                    }
                    int number = (audit.get("baseLatest") instanceof Number n ? n.intValue() : 0) + 1;
                    Bson filter = Filters.and(Filters.eq("_id", draft), Filters.eq(STATE, VersionState.DRAFT.name()),
                            Filters.eq("contentHash", hash), Filters.eq("audit.contentHash", hash),
                            Filters.eq("audit.passed", true));
                    Bson update = Updates.combine(Updates.set(STATE, VersionState.PUBLISHED.name()),
                            Updates.set(NUMBER, number), Updates.set(SLOT, dataset + "@" + number),
                            Updates.set("publishedAt", Date.from(now())));
                    return server("publishing draft " + draft, versions.updateOne(filter, update))
                            .onErrorMap(MongoDatasets::isDuplicate, e -> new PublishConflictException(dataset,
                                    draft.toHexString(), "version " + number + " of '" + dataset
                                    + "' was published first; re-audit the draft and publish again"))
                            .flatMap(r -> r.getMatchedCount() == 1 ? version(draft)
                                    : Mono.error(new PublishConflictException(dataset, draft.toHexString(),
                                            "the draft changed state while publishing")));
                });
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
        return version(draft).flatMap(v -> {
            if (v.state() == VersionState.PUBLISHED) {
                return Mono.error(new ImmutableVersionException(describe(v), "discard"));
            }
            // The state flips first: a crash after it leaves chunks that garbage collection deletes.
            return server("discarding draft " + draft, versions.updateOne(
                            Filters.and(Filters.eq("_id", draft), Filters.ne(STATE, VersionState.PUBLISHED.name())),
                            Updates.set(STATE, VersionState.DISCARDED.name())))
                    .flatMap(r -> r.getMatchedCount() == 1 ? deleteChunks(draft)
                            : Mono.error(new ImmutableVersionException(describe(v), "discard")));
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
        Date before = Date.from(now().minus(olderThan));
        return serverMany("listing drafts", versions.find(Filters.and(Filters.eq(STATE, VersionState.DRAFT.name()),
                        Filters.lte(CREATED_AT, before))).sort(Sorts.ascending(CREATED_AT)))
                .map(v -> VersionDocs.toInfo(v, List.of()));
    }

    @Override
    public Mono<Long> collectGarbage(Duration olderThan) {
        Mono<Long> drafts = drafts(olderThan).concatMap(v -> discard(v.id()).thenReturn(1L)
                        .onErrorResume(ImmutableVersionException.class, e -> Mono.just(0L)))
                .reduce(0L, Long::sum);
        // Chunks of discarded versions whose deletion was interrupted.
        Mono<Void> leftovers = serverMany("listing discarded versions", versions
                        .find(Filters.eq(STATE, VersionState.DISCARDED.name())).projection(new Document("_id", 1)))
                .concatMap(d -> deleteChunks(d.getObjectId("_id"))).then();
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
                .map(d -> new TagMove(dataset, d.getString("tag"), d.getInteger("from"), d.getInteger("to"),
                        d.getDate("at").toInstant(), String.valueOf(d.get("actor", ""))));
    }

    // ---- retention ----

    @Override
    public Mono<Map<ObjectId, Boolean>> isRetained(List<ObjectId> ids) {
        return Flux.fromIterable(ids).buffer(ID_BATCH).concatMap(batch -> {
            Set<ObjectId> asked = new HashSet<>(batch);
            return serverMany("isRetained", chunks.find(Filters.in(CHUNK_IDS, batch))
                            .projection(new Document(CHUNK_VERSION, 1).append(CHUNK_IDS, 1)))
                    .collectMultimap(c -> c.getObjectId(CHUNK_VERSION), c -> c.getList(CHUNK_IDS, ObjectId.class))
                    .flatMapMany(byVersion -> serverMany("isRetained versions", versions.find(Filters.and(
                                    Filters.in("_id", byVersion.keySet()),
                                    Filters.eq(STATE, VersionState.PUBLISHED.name())))
                                    .projection(new Document("_id", 1)))
                            .flatMapIterable(v -> byVersion.get(v.getObjectId("_id"))))
                    .flatMapIterable(list -> list)
                    .filter(asked::contains);
        }).collect(HashSet<ObjectId>::new, Set::add).map(retained -> {
            Map<ObjectId, Boolean> out = new LinkedHashMap<>();
            ids.forEach(id -> out.put(id, retained.contains(id)));
            return out;
        });
    }
}
