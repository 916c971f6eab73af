package io.datalake.mongo.internal.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import com.networknt.schema.JsonSchema;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.PayloadInfo;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.ServerFailures;
import io.datalake.schema.DatumViolations;
import io.datalake.schema.InvalidSchemaException;
import io.datalake.schema.MalformedSchemaException;
import io.datalake.schema.Schema;
import io.datalake.schema.SchemaConflictException;
import io.datalake.schema.SchemaNotFoundException;
import io.datalake.schema.SchemaSettings;
import io.datalake.schema.SchemaViolation;
import io.datalake.schema.SchemaViolationException;
import io.datalake.schema.SchemaViolationListener;
import io.datalake.schema.Schemas;
import io.datalake.schema.ValidationMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The schemas of a lake on MongoDB, and the gate the write path validates new datums through.
 *
 * <p>Storage: collection {@code <C>.schemas}, one immutable document per version
 * {@code {_id, kind, version, schema: "<text>", createdAt, actor}} with a unique index {@code {kind: 1, version: 1}}.
 * The text is kept as a string, so {@code $}-keys of a schema are legal and the bytes registered are the bytes read.
 * Registering reads the highest version and inserts the next one; the unique index turns a concurrent
 * registration of the same number into a duplicate-key error, and the loser retries with a fresh number.
 *
 * <p>Cache: per kind, the latest version read (or the fact that there is none) is reused for
 * {@link SchemaSettings#cacheTtl()}; its compiled validator is kept until a newer version replaces it. This lake's
 * own registrations replace the entry at once. A lake and its views share the cache; each runs its server calls
 * under its own operation time limit.
 */
public final class MongoSchemas implements Schemas {
    private static final Logger LOG = LoggerFactory.getLogger(MongoSchemas.class);
    /** Versions tried by one registration before it reports a conflict. */
    static final int MAX_REGISTER_ATTEMPTS = 8;
    /** Registry payloads loaded at once by a check. */
    private static final int CHECK_LOAD_CONCURRENCY = 4;

    static final String ID = "_id";
    static final String KIND = "kind";
    static final String VERSION = "version";
    static final String SCHEMA = "schema";
    static final String CREATED_AT = "createdAt";
    static final String ACTOR = "actor";

    private final MongoCollection<Document> schemas;
    private final DatalakeSettings settings;
    private final SchemaSettings schemaSettings;
    private final List<String> selector;
    private final StoredDatumSource stored;
    private final Runnable requireOpen;
    /** Shared by a lake and its views: a view differs only in the time limit of its server calls. */
    private final ConcurrentHashMap<String, Latest> latest;

    /**
     * The latest version of a kind as last read.
     *
     * @param compiled the latest version, or null when the kind had no schema
     * @param readAt {@link System#nanoTime()} of the read
     */
    private record Latest(@Nullable Compiled compiled, long readAt) {
    }

    /**
     * Creates the schemas of a lake.
     *
     * @param database the lake's database
     * @param settings the lake's settings
     * @param stored reads stored datums for {@link #check}
     * @param requireOpen fails when the lake is closed
     * @param lake the schemas of the lake this is a view of, whose cache it shares; null for a lake
     */
    public MongoSchemas(MongoDatabase database, DatalakeSettings settings, StoredDatumSource stored,
            Runnable requireOpen, @Nullable MongoSchemas lake) {
        this.latest = lake != null ? lake.latest : new ConcurrentHashMap<>();
        this.schemas = database.getCollection(collectionName(settings))
                .withTimeout(settings.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        this.settings = settings;
        this.schemaSettings = settings.schemas();
        this.selector = schemaSettings.kindSelectorPath();
        this.stored = stored;
        this.requireOpen = requireOpen;
    }

    /**
     * Returns the name of the schema collection of a lake.
     *
     * @param settings the lake's settings
     * @return {@code <collection>.schemas}
     */
    public static String collectionName(DatalakeSettings settings) {
        return settings.collection() + ".schemas";
    }

    /**
     * Creates the unique index of the schema collection; called when the lake opens.
     *
     * @param database the lake's database
     * @param settings the lake's settings
     * @return completes when the index exists
     */
    public static Mono<Void> createIndexes(MongoDatabase database, DatalakeSettings settings) {
        return Mono.from(database.getCollection(collectionName(settings)).createIndexes(List.of(new IndexModel(
                        new Document(KIND, 1).append(VERSION, 1), new IndexOptions().unique(true)))))
                .then()
                .onErrorMap(e -> ServerFailures.translate("creating the schema index", e));
    }

    // ---- the public API ----

    @Override
    public Mono<Schema> register(String kind, String schemaJson) {
        return Mono.defer(() -> {
            requireOpen.run();
            requireKind("register", kind);
            if (schemaJson == null) {
                throw new InvalidArgumentException("register: schemaJson must not be null");
            }
            JsonSchema validator;
            try {
                validator = SchemaCompiler.compile(schemaJson);
            } catch (SchemaCompiler.Problem e) {
                throw new InvalidSchemaException(kind, e.reason(), e.getCause());
            }
            return attemptRegister(kind, schemaJson, validator, 1);
        });
    }

    private Mono<Schema> attemptRegister(String kind, String json, JsonSchema validator, int attempt) {
        return highestVersion(kind).flatMap(highest -> {
            Instant now = settings.clock().instant().truncatedTo(ChronoUnit.MILLIS);
            Schema schema = new Schema(kind, highest + 1, json, now, settings.actor());
            Document doc = new Document(ID, new ObjectId()).append(KIND, kind).append(VERSION, schema.version())
                    .append(SCHEMA, json).append(CREATED_AT, Date.from(now)).append(ACTOR, schema.actor());
            return Mono.from(schemas.insertOne(doc))
                    .thenReturn(schema)
                    .doOnNext(s -> latest.put(kind, new Latest(new Compiled(s, validator), System.nanoTime())))
                    .onErrorResume(e -> isDuplicateKey(e), e -> attempt < MAX_REGISTER_ATTEMPTS
                            ? attemptRegister(kind, json, validator, attempt + 1)
                            : Mono.error(new SchemaConflictException(kind, attempt)));
        }).onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translate("register " + kind, e));
    }

    private static boolean isDuplicateKey(Throwable e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }

    /** The highest version number stored for a kind, 0 when none; only the number is read and checked. */
    private Mono<Integer> highestVersion(String kind) {
        return Mono.from(schemas.find(latestFilter(kind)).sort(Sorts.descending(VERSION))
                        .projection(Projections.include(VERSION, KIND)).limit(1).first())
                .map(doc -> {
                    Object v = doc.get(VERSION);
                    Integer version = versionOf(v);
                    if (version == null) {
                        throw new MalformedSchemaException(idOf(doc), "kind '" + kind + "'",
                                "its version " + v + " is not a whole number from 1 to " + Integer.MAX_VALUE, null);
                    }
                    return version;
                })
                .defaultIfEmpty(0);
    }

    /** Numeric versions only (a number compares only with numbers in MongoDB), so the sort is by value. */
    private static Bson latestFilter(String kind) {
        return Filters.and(Filters.eq(KIND, kind), Filters.gte(VERSION, 1));
    }

    @Override
    public Mono<Schema> get(String kind) {
        return Mono.defer(() -> {
            requireOpen.run();
            requireKind("get", kind);
            return readLatest(kind).flatMap(found -> found.isPresent() ? Mono.just(found.get().schema())
                    : Mono.error(new SchemaNotFoundException(kind, null)));
        });
    }

    @Override
    public Mono<Schema> get(String kind, int version) {
        return Mono.defer(() -> {
            requireOpen.run();
            requireKind("get", kind);
            return server("get " + kind + "@" + version, schemas.find(Filters.and(Filters.eq(KIND, kind),
                            Filters.eq(VERSION, version))).first())
                    .map(MongoSchemas::parse)
                    .switchIfEmpty(Mono.error(() -> new SchemaNotFoundException(kind, version)));
        });
    }

    @Override
    public Flux<Schema> list() {
        return Flux.defer(() -> {
            requireOpen.run();
            // One pass in (kind, version) order, on the unique index; the last document of each kind is its latest.
            return serverMany("list schemas", schemas.find(Filters.gte(VERSION, 1))
                            .sort(Sorts.ascending(KIND, VERSION)).projection(Projections.include(KIND, VERSION)))
                    .windowUntilChanged(doc -> String.valueOf(doc.get(KIND)))
                    .concatMap(window -> window.last())
                    .concatMap(doc -> doc.get(KIND) instanceof String k && versionOf(doc.get(VERSION)) != null
                            ? get(k, Objects.requireNonNull(versionOf(doc.get(VERSION))))
                            : Mono.error(new MalformedSchemaException(idOf(doc), "kind " + doc.get(KIND),
                                    "its kind is not a string or its version not a whole number", null)));
        });
    }

    @Override
    public Flux<Schema> history(String kind) {
        return Flux.defer(() -> {
            requireOpen.run();
            requireKind("history", kind);
            return serverMany("history " + kind, schemas.find(latestFilter(kind)).sort(Sorts.ascending(VERSION)))
                    .map(MongoSchemas::parse);
        });
    }

    @Override
    public Flux<DatumViolations> check(String kind, LongConsumer progress) {
        return Flux.defer(() -> {
            requireOpen.run();
            requireKind("check", kind);
            if (progress == null) {
                throw new InvalidArgumentException("check: progress must not be null");
            }
            return readLatest(kind).flatMapMany(found -> {
                if (found.isEmpty()) {
                    return Flux.error(new SchemaNotFoundException(kind, null));
                }
                Compiled compiled = found.get();
                AtomicLong checked = new AtomicLong();
                Bson filter = storedFilter(kind);
                int limit = settings.batchSize();
                return stored.page(filter, null, limit)
                        .expand(page -> page.read() < limit || page.last() == null ? Mono.empty()
                                : stored.page(filter, page.last(), limit))
                        .concatMap(page -> Flux.fromIterable(page.datums())
                                .flatMapSequential(this::withJsonPayload, CHECK_LOAD_CONCURRENCY)
                                .concatMapIterable(datum -> {
                                    StoredView view = StoredView.of(datum);
                                    if (!kind.equals(JsonViews.select(selector, view.data(), view.hasData(),
                                            datum.metadata()))) {
                                        return List.of();
                                    }
                                    checked.incrementAndGet();
                                    List<SchemaViolation> violations = compiled.validate(
                                            JsonViews.view(view.data(), view.hasData(), datum.metadata()));
                                    return violations.isEmpty() ? List.of() : List.of(new DatumViolations(
                                            datum.id(), null, kind, compiled.schema().version(), violations));
                                })
                                .doOnComplete(() -> progress.accept(checked.get())));
            });
        });
    }

    /**
     * Validates stored datums, each against the latest schema of its kind as this lake's cache knows it (within
     * the cache TTL): for a scan over the whole lake (fsck) that reads the datums itself. Datums without a kind,
     * or whose kind has no schema or the mode {@link ValidationMode#OFF}, are passed over.
     *
     * @param datums stored datums, with JSON registry payloads loaded when their data should be checked
     * @return the violating datums, in input order
     */
    public Flux<DatumViolations> violations(Flux<Datum> datums) {
        return datums.concatMap(datum -> {
            StoredView view = StoredView.of(datum);
            String kind = JsonViews.select(selector, view.data(), view.hasData(), datum.metadata());
            if (kind == null || Schema.kindProblem(kind) != null) {
                return Mono.empty();
            }
            return cachedLatest(kind).flatMap(found -> {
                if (found.isEmpty()) {
                    return Mono.empty();
                }
                List<SchemaViolation> violations = found.get().validate(
                        JsonViews.view(view.data(), view.hasData(), datum.metadata()));
                return violations.isEmpty() ? Mono.empty() : Mono.just(new DatumViolations(datum.id(), null, kind,
                        found.get().schema().version(), violations));
            });
        });
    }

    /** What of a stored datum the view holds: inline data, or a loaded JSON payload; binary payloads are not in it. */
    private record StoredView(@Nullable Object data, boolean hasData) {
        static StoredView of(Datum datum) {
            if (datum.registryKey() != null && !isJsonPayload(datum)) {
                return new StoredView(null, false);
            }
            return new StoredView(datum.data(), JsonViews.dataInView(datum.data()));
        }
    }

    private static boolean isJsonPayload(Datum datum) {
        PayloadInfo info = datum.payload();
        return info != null && (PayloadInfo.JSON.equals(info.contentType())
                || PayloadInfo.BSON.equals(info.contentType()));
    }

    /** JSON payloads are loaded even when the kind is in metadata: the schema may constrain the data. */
    private Mono<Datum> withJsonPayload(Datum datum) {
        return datum.registryKey() != null && isJsonPayload(datum) ? stored.withPayload(datum) : Mono.just(datum);
    }

    /**
     * The server-side filter of the datums a check reads: the kind at the selector's path (inline data or
     * metadata), plus, when the selector is under {@code data}, every datum with a JSON payload in a registry
     * (their data is not in MongoDB; the kind is read after loading them).
     */
    private Bson storedFilter(String kind) {
        Bson byKind = Filters.eq(schemaSettings.kindSelector(), kind);
        if (!selector.get(0).equals(DatumFields.DATA)) {
            return byKind;
        }
        return Filters.or(byKind, Filters.and(Filters.type(DatumFields.REGISTRY_KEY, "string"),
                Filters.in(DatumFields.PAYLOAD + ".content_type", PayloadInfo.JSON, PayloadInfo.BSON)));
    }

    // ---- the write path ----

    /**
     * A new datum the write path asks to validate.
     *
     * @param index its position in the call
     * @param id the id it will be stored under
     * @param kind its kind
     * @param data its data (converted for storage when inline)
     * @param hasData whether the data is part of the view
     * @param metadata its metadata
     */
    public record Candidate(long index, ObjectId id, String kind, @Nullable Object data, boolean hasData,
            Map<String, ? extends @Nullable Object> metadata) {
    }

    /**
     * Tells whether new datums need looking at: false when validation is off for every kind.
     *
     * @return whether {@link #candidate} can return anything
     */
    public boolean validating() {
        return schemaSettings.mode() != ValidationMode.OFF
                || schemaSettings.modes().containsValue(ValidationMode.ENFORCE)
                || schemaSettings.modes().containsValue(ValidationMode.WARN);
    }

    /**
     * Selects a new datum's kind without building its view.
     *
     * @param index its position in the call
     * @param id its id
     * @param data its data as converted for storage, or as passed for a registry payload
     * @param metadata its metadata
     * @return the candidate, or null when the datum has no kind or its kind is not validated
     */
    public @Nullable Candidate candidate(long index, ObjectId id, @Nullable Object data,
            Map<String, ? extends @Nullable Object> metadata) {
        boolean hasData = JsonViews.dataInView(data);
        String kind = JsonViews.select(selector, data, hasData, metadata);
        if (kind == null || Schema.kindProblem(kind) != null || schemaSettings.mode(kind) == ValidationMode.OFF) {
            return null;
        }
        return new Candidate(index, id, kind, data, hasData, metadata);
    }

    /**
     * Validates new datums against the latest schema of their kinds, before anything of them is written.
     *
     * @param candidates the datums with a validated kind
     * @param context what is being done, for the error, e.g. {@code "addData"}
     * @return the violations of datums whose kind is in {@link ValidationMode#WARN} mode (to {@link #report} once
     *     stored); fails with {@link SchemaViolationException} listing every violating datum of an
     *     {@link ValidationMode#ENFORCE} kind, and with {@link MalformedSchemaException} when a kind's latest stored
     *     schema cannot be used
     */
    public Mono<List<DatumViolations>> validate(List<Candidate> candidates, String context) {
        if (candidates.isEmpty()) {
            return Mono.just(List.of());
        }
        Set<String> kinds = new LinkedHashSet<>();
        for (Candidate c : candidates) {
            kinds.add(c.kind());
        }
        return Flux.fromIterable(kinds)
                .concatMap(kind -> cachedLatest(kind).map(found -> Map.entry(kind, found)))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .map(byKind -> {
                    List<DatumViolations> rejected = new ArrayList<>();
                    List<DatumViolations> warned = new ArrayList<>();
                    for (Candidate c : candidates) {
                        Optional<Compiled> found = byKind.get(c.kind());
                        if (found == null || found.isEmpty()) {
                            continue;
                        }
                        List<SchemaViolation> violations = found.get().validate(
                                JsonViews.view(c.data(), c.hasData(), c.metadata()));
                        if (!violations.isEmpty()) {
                            DatumViolations v = new DatumViolations(c.id(), c.index(), c.kind(),
                                    found.get().schema().version(), violations);
                            (schemaSettings.mode(c.kind()) == ValidationMode.ENFORCE ? rejected : warned).add(v);
                        }
                    }
                    if (!rejected.isEmpty()) {
                        throw new SchemaViolationException(context, rejected);
                    }
                    return warned;
                });
    }

    /**
     * Reports datums stored in {@link ValidationMode#WARN} mode despite violations: an SLF4J warning each, and the
     * listener. A listener's failure is logged, never thrown (the datums are stored).
     *
     * @param warned what {@link #validate} returned for the stored datums
     */
    public void report(List<DatumViolations> warned) {
        SchemaViolationListener listener = schemaSettings.listener();
        for (DatumViolations v : warned) {
            LOG.warn("stored despite schema violations (mode WARN): {}", v);
            if (listener != null) {
                try {
                    listener.onViolations(v);
                } catch (RuntimeException e) {
                    LOG.warn("the schema violation listener failed on datum {}", v.datumId(), e);
                }
            }
        }
    }

    // ---- reading and caching ----

    /** The latest version of a kind, from the cache while it is younger than the TTL. */
    private Mono<Optional<Compiled>> cachedLatest(String kind) {
        Latest cached = latest.get(kind);
        if (cached != null && System.nanoTime() - cached.readAt() < schemaSettings.cacheTtl().toNanos()) {
            return Mono.just(Optional.ofNullable(cached.compiled()));
        }
        return readLatest(kind);
    }

    /** Reads the latest version of a kind from the server, compiling it unless the cache holds the same one. */
    private Mono<Optional<Compiled>> readLatest(String kind) {
        long readAt = System.nanoTime();
        return server("reading the schema of " + kind, schemas.find(latestFilter(kind))
                        .sort(Sorts.descending(VERSION)).limit(1).first())
                .map(doc -> Optional.of(compiledOf(kind, doc)))
                .defaultIfEmpty(Optional.empty())
                .doOnNext(found -> latest.put(kind, new Latest(found.orElse(null), readAt)));
    }

    private Compiled compiledOf(String kind, Document doc) {
        Schema schema = parse(doc);
        Latest cached = latest.get(kind);
        Compiled known = cached == null ? null : cached.compiled();
        if (known != null && known.schema().equals(schema)) {
            return known;
        }
        try {
            return new Compiled(schema, SchemaCompiler.compile(schema.json()));
        } catch (SchemaCompiler.Problem e) {
            throw new MalformedSchemaException(idOf(doc), "kind '" + kind + "' version " + schema.version(),
                    e.reason(), e.getCause());
        }
    }

    /**
     * Reads a stored schema document, which another client may have written.
     *
     * @throws MalformedSchemaException naming the document when a field is missing or of the wrong type
     */
    static Schema parse(Document doc) {
        Object kind = doc.get(KIND);
        Object version = doc.get(VERSION);
        String what = "kind " + (kind instanceof String ? "'" + kind + "'" : String.valueOf(kind))
                + " version " + version;
        List<String> problems = new ArrayList<>();
        if (!(kind instanceof String k) || Schema.kindProblem(k) != null) {
            problems.add("kind is not a valid kind");
        }
        Integer v = versionOf(version);
        if (v == null) {
            problems.add("version is not a whole number from 1 to " + Integer.MAX_VALUE);
        }
        if (!(doc.get(SCHEMA) instanceof String)) {
            problems.add("schema is not a string");
        }
        if (!(doc.get(CREATED_AT) instanceof Date)) {
            problems.add("createdAt is not a date");
        }
        if (!(doc.get(ACTOR) instanceof String)) {
            problems.add("actor is not a string");
        }
        if (!problems.isEmpty()) {
            throw new MalformedSchemaException(idOf(doc), what, String.join(", ", problems), null);
        }
        return new Schema((String) Objects.requireNonNull(kind), Objects.requireNonNull(v),
                (String) Objects.requireNonNull(doc.get(SCHEMA)),
                ((Date) Objects.requireNonNull(doc.get(CREATED_AT))).toInstant(),
                (String) Objects.requireNonNull(doc.get(ACTOR)));
    }

    private static @Nullable Integer versionOf(@Nullable Object v) {
        if (v instanceof Integer i) {
            return i >= 1 ? i : null;
        }
        if (v instanceof Long l) {
            return l >= 1 && l <= Integer.MAX_VALUE ? (int) (long) l : null;
        }
        if (v instanceof Double d) {
            return d >= 1 && d <= Integer.MAX_VALUE && d == Math.rint(d) ? (int) (double) d : null;
        }
        return null;
    }

    private static String idOf(Document doc) {
        Object id = doc.get(ID);
        return id instanceof ObjectId o ? o.toHexString() : String.valueOf(id);
    }

    private static void requireKind(String call, String kind) {
        String problem = Schema.kindProblem(kind);
        if (problem != null) {
            throw new InvalidArgumentException(call + ": " + problem + ", got "
                    + (kind == null ? null : "'" + kind + "'"));
        }
    }

    private static <T> Mono<T> server(String context, Publisher<T> call) {
        return Mono.from(call).onErrorMap(e -> !(e instanceof DatalakeException),
                e -> ServerFailures.translate(context, e));
    }

    private static <T> Flux<T> serverMany(String context, Publisher<T> call) {
        return Flux.from(call).onErrorMap(e -> !(e instanceof DatalakeException),
                e -> ServerFailures.translate(context, e));
    }

    /** For tests: the view a schema sees of a datum. */
    static ObjectNode viewOf(Datum datum) {
        StoredView view = StoredView.of(datum);
        return JsonViews.view(view.data(), view.hasData(), datum.metadata());
    }
}
