package io.datalake.mongo.internal;

import io.datalake.query.engine.ServerFailures;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Projections.include;
import static com.mongodb.client.model.Sorts.ascending;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.morphia.Datastore;
import dev.morphia.Morphia;
import dev.morphia.mapping.MapperOptions;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.InvalidArgumentException;
import io.datalake.LakeStats;
import io.datalake.NewDatum;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.mongo.EmbeddedMongo;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.engine.EngineTuning;
import io.datalake.query.engine.QueryEngine;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.UuidRepresentation;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MongoDB {@link Datalake}. Entities are mapped by Morphia ({@link DatumEntity}) and all I/O goes through the
 * reactive driver with Morphia's codecs; nothing here knows whether the server is embedded.
 */
public final class MongoDatalake implements Datalake {
    /** Concurrent {@code $in} batches of one getData call; small so one call cannot hog the pool. */
    private static final int READ_CONCURRENCY = 4;
    /**
     * Close waits this many operation timeouts for writes under way: an insert, its parent re-check and an undo's
     * few steps are each bounded by one.
     */
    private static final int CLOSE_WAIT_TIMEOUTS = 3;

    private final DatalakeSettings settings;
    private final @Nullable EmbeddedMongo embedded;
    private final MongoClient client;
    private final com.mongodb.client.MongoClient morphiaClient;
    private final MongoCollection<Document> documents;
    private final QueryEngine queryEngine;
    private final Clock clock;
    private final int batchSize;
    /** Shared by a lake and its {@link #withOperationTimeout} views. */
    private final AtomicBoolean closed;
    /** False for a view: closing it leaves the lake it came from open. */
    private final boolean owner;
    private final PayloadStore payloads;
    /** Morphia's codec of the entity: each new datum is encoded once, measured, then written as raw BSON. */
    private final Codec<DatumEntity> entityCodec;
    private final MongoCollection<RawBsonDocument> encodedDocuments;
    /** Wraps the collection writes go through; the identity except in tests that inject failures. */
    private final UnaryOperator<MongoCollection<RawBsonDocument>> writeInterceptor;
    private final DatumWriter writer;
    /** Writes under way in this lake and its views (see {@link DatumWriter}); shared so close awaits them all. */
    private final Set<CompletableFuture<Void>> pendingWrites;

    private MongoDatalake(DatalakeSettings settings, @Nullable EmbeddedMongo embedded, String uri,
            UnaryOperator<MongoCollection<RawBsonDocument>> writeInterceptor) {
        this.settings = settings;
        this.writeInterceptor = writeInterceptor;
        this.pendingWrites = ConcurrentHashMap.newKeySet();
        this.embedded = embedded;
        this.clock = settings.clock();
        this.batchSize = settings.batchSize();
        this.closed = new AtomicBoolean();
        this.owner = true;
        MongoClientSettings clientSettings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .applicationName("datalake")
                .uuidRepresentation(UuidRepresentation.STANDARD)
                // The driver's operation timeout (timeoutMS): every command carries the remaining time as
                // maxTimeMS, and the driver gives up on the client side too (closing the connection), which is what
                // bounds servers that ignore maxTimeMS, such as the embedded one, or that do not answer at all.
                .timeout(settings.operationTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            this.payloads = new PayloadStore(settings.registry());
            opened.add(payloads);
            this.client = MongoClients.create(clientSettings);
            opened.add(client);
            // Morphia builds its mapper and codecs from a synchronous client; it is used for nothing else.
            this.morphiaClient = com.mongodb.client.MongoClients.create(clientSettings);
            opened.add(morphiaClient);
            Datastore datastore = Morphia.createDatastore(morphiaClient, settings.database(), MapperOptions.builder()
                    .storeNulls(true)
                    .storeEmpties(true)
                    .uuidRepresentation(UuidRepresentation.STANDARD)
                    .build());
            MongoDatabase database = client.getDatabase(settings.database());
            this.documents = database.getCollection(settings.collection());
            this.queryEngine = new QueryEngine(documents, EngineTuning.withBatchSize(batchSize));
            this.entityCodec = datastore.getCodecRegistry().get(DatumEntity.class);
            this.encodedDocuments = documents.withDocumentClass(RawBsonDocument.class);
            this.writer = newWriter();
        } catch (RuntimeException e) {
            // Nothing half-opened may outlive a failed open: close what was created, newest first.
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** A view of {@code lake} whose collections run under another operation time limit. */
    private MongoDatalake(MongoDatalake lake, DatalakeSettings settings) {
        long timeoutMs = settings.operationTimeout().toMillis();
        this.settings = settings;
        this.embedded = null;
        this.clock = lake.clock;
        this.batchSize = lake.batchSize;
        this.closed = lake.closed;
        this.owner = false;
        this.client = lake.client;
        this.morphiaClient = lake.morphiaClient;
        this.payloads = lake.payloads;
        this.entityCodec = lake.entityCodec;
        this.documents = lake.documents.withTimeout(timeoutMs, TimeUnit.MILLISECONDS);
        this.encodedDocuments = lake.encodedDocuments.withTimeout(timeoutMs, TimeUnit.MILLISECONDS);
        this.writeInterceptor = lake.writeInterceptor;
        this.pendingWrites = lake.pendingWrites;
        this.writer = newWriter();
        this.queryEngine = new QueryEngine(documents, EngineTuning.withBatchSize(batchSize));
    }

    /**
     * Opens a lake: starts the embedded server when no URI is set, connects, and creates the indexes.
     *
     * @param settings the lake's settings
     * @return the open lake
     * @throws DatalakeException if the server cannot be started or reached or the indexes cannot be created
     */
    public static MongoDatalake open(DatalakeSettings settings) {
        return open(settings, UnaryOperator.identity());
    }

    /** Opens a lake whose writes go through {@code writeInterceptor(collection)}: for tests that inject failures. */
    static MongoDatalake open(DatalakeSettings settings,
            UnaryOperator<MongoCollection<RawBsonDocument>> writeInterceptor) {
        String uri = settings.mongoUri();
        EmbeddedMongo embedded = null;
        if (uri == null) {
            embedded = EmbeddedMongo.start();
            uri = embedded.connectionString();
        }
        MongoDatalake lake;
        try {
            lake = new MongoDatalake(settings, embedded, uri, writeInterceptor);
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            if (e instanceof InvalidArgumentException) {
                throw e;
            }
            throw new DatalakeException("could not open the lake with " + settings, e);
        }
        try {
            // Bounded by the operation timeout: the driver fails it with a timeout when no server answers.
            lake.createIndexes().block();
        } catch (RuntimeException e) {
            lake.close();
            throw e instanceof DatalakeException ? e : new DatalakeException("could not open the lake", e);
        }
        return lake;
    }

    private DatumWriter newWriter() {
        return new DatumWriter(documents, writeInterceptor.apply(encodedDocuments), entityCodec, payloads, clock,
                batchSize, this::requireOpen, pendingWrites);
    }

    private Mono<Void> createIndexes() {
        return Flux.from(documents.createIndexes(IndexDefinitions.forDatums()))
                .then()
                .onErrorMap(e -> ServerFailures.translate("creating indexes on " + namespace(), e));
    }

    /**
     * Returns the raw collection of datum documents, for components that query with projections (the query
     * engine, lineage).
     *
     * @return the collection with the default codecs
     */
    public MongoCollection<Document> documents() {
        return documents;
    }

    /**
     * Returns the settings this lake was opened with.
     *
     * @return the settings
     */
    public DatalakeSettings settings() {
        return settings;
    }

    @Override
    public Mono<Datum> addDatum(NewDatum datum) {
        return writer.addDatum(datum);
    }

    @Override
    public Flux<Datum> addData(Publisher<NewDatum> data) {
        if (data == null) {
            return Flux.error(new InvalidArgumentException("addData: data must not be null"));
        }
        return writer.addData(data);
    }

    @Override
    public Mono<Datum> getDatum(ObjectId id) {
        return getDatum(id, true);
    }

    @Override
    public Mono<Datum> getDatum(ObjectId id, boolean loadPayload) {
        if (id == null) {
            return Mono.error(new InvalidArgumentException("getDatum: id must not be null"));
        }
        return Mono.defer(() -> {
                    requireOpen();
                    return Mono.from(encodedDocuments.find(eq(DatumEntity.ID, id)).first());
                })
                .onErrorMap(e -> ServerFailures.translate("getDatum " + id, e))
                .map(raw -> StoredDatums.decode(raw, entityCodec))
                .switchIfEmpty(Mono.error(() -> new DatumNotFoundException("getDatum", List.of(id))))
                .flatMap(datum -> loadPayload ? payloads.load(datum, null) : Mono.just(datum));
    }

    @Override
    public Flux<Datum> getData(List<ObjectId> ids) {
        return getData(ids, true);
    }

    @Override
    public Flux<Datum> getData(List<ObjectId> ids, boolean loadPayloads) {
        if (ids == null) {
            return Flux.error(new InvalidArgumentException("getData: ids must not be null"));
        }
        int nullAt = indexOfNull(ids);
        if (nullAt >= 0) {
            return Flux.error(new InvalidArgumentException("getData: id at index " + nullAt + " is null"));
        }
        return Flux.defer(() -> {
            requireOpen();
            List<ObjectId> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
            return Flux.fromIterable(partition(distinct, batchSize))
                    .flatMap(batch -> Flux.from(encodedDocuments.find(in(DatumEntity.ID, batch))), READ_CONCURRENCY)
                    .onErrorMap(e -> ServerFailures.translate("getData of " + ids.size() + " ids", e))
                    .map(raw -> StoredDatums.decode(raw, entityCodec))
                    .collectMap(Datum::id, datum -> datum, () -> new HashMap<>(distinct.size()))
                    .flatMapMany(found -> {
                        List<ObjectId> missing = new ArrayList<>();
                        for (ObjectId id : distinct) {
                            if (!found.containsKey(id)) {
                                missing.add(id);
                            }
                        }
                        if (!missing.isEmpty()) {
                            return Flux.error(new DatumNotFoundException("getData", missing));
                        }
                        if (!loadPayloads) {
                            return Flux.fromIterable(ids).map(found::get);
                        }
                        PayloadStore.PayloadCache cache = PayloadStore.newCache();
                        return Flux.fromIterable(found.values())
                                .flatMap(datum -> payloads.load(datum, cache), payloads.concurrency())
                                .collectMap(Datum::id)
                                .flatMapMany(loaded -> Flux.fromIterable(ids).map(loaded::get));
                    });
        });
    }

    @Override
    public Flux<ByteBuffer> getPayload(ObjectId id) {
        return getDatum(id, false).flatMapMany(payloads::stream);
    }

    @Override
    public Flux<ObjectId> getDirectlyDerivedData(ObjectId id) {
        if (id == null) {
            return Flux.error(new InvalidArgumentException("getDirectlyDerivedData: id must not be null"));
        }
        // The existence check and the children lookup are independent: run them concurrently.
        return Mono.zip(requireExisting(List.of(id), "getDirectlyDerivedData").thenReturn(true),
                        childrenByParent(List.of(id)))
                .flatMapIterable(both -> both.getT2().getOrDefault(id, List.of()));
    }

    @Override
    public Flux<ObjectId> getAncestors(ObjectId id) {
        return new LineageWalker(documents, batchSize).ancestors(id);
    }

    @Override
    public Mono<Lineage> getLineage(ObjectId id, LineageDirection direction, int maxDepth, int maxNodes) {
        return new LineageWalker(documents, batchSize).lineage(id, direction, maxDepth, maxNodes);
    }

    @Override
    public Flux<Map<String, ObjectId>> queryRows(Query query, QueryOptions options) {
        return Flux.defer(() -> {
            requireOpen();
            return queryEngine.rows(query, options);
        });
    }

    @Override
    public QueryPlan explain(Query query, QueryOptions options) {
        return queryEngine.explain(query, options);
    }

    @Override
    public Mono<LakeStats> getStats() {
        return new StatsCollector(documents, batchSize).collect();
    }

    @Override
    public Flux<ObjectId> getIndirectlyDerivedData(ObjectId id) {
        if (id == null) {
            return Flux.error(new InvalidArgumentException("getIndirectlyDerivedData: id must not be null"));
        }
        return requireExisting(List.of(id), "getIndirectlyDerivedData")
                .thenMany(new DescendantWalker(documents, batchSize).walk(id))
                .onErrorMap(e -> ServerFailures.translate("getIndirectlyDerivedData " + id, e));
    }

    /**
     * Looks up the children of many parents with one {@code $in} query per batch; each parent's children are
     * ordered oldest first (by {@code added_at}, then {@code _id}).
     */
    private Mono<Map<ObjectId, List<ObjectId>>> childrenByParent(List<ObjectId> parents) {
        return Flux.fromIterable(partition(parents, batchSize))
                .concatMap(batch -> Flux.from(documents
                        .find(in(DatumEntity.DERIVED_FROM, batch))
                        .projection(include(DatumEntity.ID, DatumEntity.DERIVED_FROM))
                        .sort(ascending(DatumEntity.ADDED_AT, DatumEntity.ID))))
                .onErrorMap(e -> ServerFailures.translate("looking up children of " + parents.size() + " datums", e))
                .collect(HashMap::new, (map, doc) -> {
                    ObjectId child = StoredDatums.objectId(doc.get(DatumEntity.ID));
                    if (child == null) {
                        ForeignDocuments.skipped("getDirectlyDerivedData", doc.get(DatumEntity.ID),
                                "its _id is not an ObjectId");
                        return;
                    }
                    map.computeIfAbsent(doc.getObjectId(DatumEntity.DERIVED_FROM), k -> new ArrayList<>()).add(child);
                });
    }

    /** Completes empty when every id exists, else fails with {@link DatumNotFoundException} naming the missing. */
    private Mono<Void> requireExisting(List<ObjectId> ids, String context) {
        return writer.requireExisting(ids, context);
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new DatalakeException("this lake is closed: " + this);
        }
    }

    /**
     * Builds the API view of an entity: a new one, or a stored one that {@link StoredDatums} checked.
     *
     * @throws IllegalArgumentException if a stored value has no JSON-like form or a required field is missing
     */
    static Datum toDatum(DatumEntity entity) {
        if (entity.id == null || entity.addedAt == null) {
            throw new IllegalArgumentException(entity.id == null ? "it has no ObjectId _id" : "it has no added_at");
        }
        return Datum.builder()
                .id(entity.id)
                .data(BsonValues.fromStoredChecked(entity.data, DatumEntity.DATA))
                .registryUri(entity.registryUri)
                .registryKey(entity.registryKey)
                .payload(PayloadStore.fromStored(entity.payload))
                .derivedFrom(entity.derivedFrom)
                .metadata(metadataOf(entity))
                .addedAt(entity.addedAt.truncatedTo(ChronoUnit.MILLIS))
                .build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, @Nullable Object> metadataOf(DatumEntity entity) {
        Object metadata = BsonValues.fromStoredChecked(entity.metadata, DatumEntity.METADATA);
        return metadata == null ? Map.of() : (Map<String, @Nullable Object>) metadata;
    }

    private String namespace() {
        return settings.database() + "." + settings.collection();
    }

    private static int indexOfNull(List<?> list) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                return i;
            }
        }
        return -1;
    }

    static <T> List<List<T>> partition(List<T> items, int size) {
        List<List<T>> batches = new ArrayList<>((items.size() + size - 1) / size);
        for (int from = 0; from < items.size(); from += size) {
            batches.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return batches;
    }

    @Override
    public Datalake withOperationTimeout(Duration timeout) {
        return new MongoDatalake(this, settings.toBuilder().operationTimeout(timeout).build());
    }

    @Override
    public void close() {
        if (owner && closed.compareAndSet(false, true)) {
            try {
                // New calls fail from here on; a batch already being inserted ends, and is undone if it failed.
                DatumWriter.awaitPending(pendingWrites, settings.operationTimeout().multipliedBy(CLOSE_WAIT_TIMEOUTS));
                client.close();
                morphiaClient.close();
                payloads.close();
            } finally {
                if (embedded != null) {
                    embedded.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "MongoDatalake{" + settings + (embedded != null ? ", embedded=" + embedded : "")
                + (owner ? "" : ", view") + "}";
    }
}
