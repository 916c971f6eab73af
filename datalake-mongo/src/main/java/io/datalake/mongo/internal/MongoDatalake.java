package io.datalake.mongo.internal;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.LakeStats;
import io.datalake.NewDatum;
import io.datalake.dataset.Datasets;
import io.datalake.delete.DeleteOptions;
import io.datalake.delete.DeletePlan;
import io.datalake.feed.FeedEvent;
import io.datalake.feed.FeedToken;
import io.datalake.feed.WatchOptions;
import io.datalake.fsck.FsckFinding;
import io.datalake.fsck.FsckOptions;
import io.datalake.fsck.FsckReport;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.mongo.EmbeddedMongo;
import io.datalake.mongo.internal.dataset.MongoDatasets;
import io.datalake.mongo.internal.feed.ChangeStreams;
import io.datalake.mongo.internal.feed.MongoFeed;
import io.datalake.mongo.internal.gc.GcGuard;
import io.datalake.mongo.internal.gc.GcRecords;
import io.datalake.mongo.internal.gc.PayloadGc;
import io.datalake.mongo.internal.processor.MongoProcessors;
import io.datalake.mongo.internal.schema.MongoSchemas;
import io.datalake.processor.Processors;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.engine.DerivationGraph;
import io.datalake.query.engine.EngineTuning;
import io.datalake.query.engine.QueryEngine;
import io.datalake.schema.Schemas;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MongoDB {@link Datalake}: a thin facade, as the driver's {@code MongoCollectionImpl} is over its operation
 * classes. {@link LakeLifecycle} starts and closes the server, clients and registries; {@link DatumWriter} writes;
 * {@link DatumReader} reads by id; the query engine answers queries. Entities are mapped by Morphia
 * ({@link DatumEntity}) and all I/O goes through the reactive driver; nothing here knows whether the server is
 * embedded.
 */
public final class MongoDatalake implements Datalake {
    private final DatalakeSettings settings;
    /** Shared by a lake and its {@link #withOperationTimeout} views; only the lake closes it. */
    private final LakeLifecycle lifecycle;
    /** False for a view: closing it leaves the lake it came from open. */
    private final boolean owner;
    private final int batchSize;
    private final MongoCollection<Document> documents;
    private final QueryEngine queryEngine;
    /** Every {@code derived_from} walk: children, descendants, ancestors, lineage, statistics. */
    private final DerivationGraph graph;
    private final DatumWriter writer;
    private final DatumReader reader;
    /** Wraps the collection writes go through; the identity except in tests that inject failures. */
    private final UnaryOperator<MongoCollection<RawBsonDocument>> writeInterceptor;
    /** The schemas; a view shares the lake's cache and runs its calls under its own time limit. */
    private final MongoSchemas schemas;
    private final LakeFsck fsck;
    private final MongoFeed feed;

    /**
     * A lake ({@code owner}) or a view of it whose collections run under {@code settings}' operation time limit.
     *
     * @param writeInterceptor wraps the collection writes go through; the identity except in tests
     */
    private MongoDatalake(LakeLifecycle lifecycle, DatalakeSettings settings, boolean owner,
            UnaryOperator<MongoCollection<RawBsonDocument>> writeInterceptor, @Nullable MongoSchemas shared) {
        long timeoutMs = settings.operationTimeout().toMillis();
        this.settings = settings;
        this.lifecycle = lifecycle;
        this.owner = owner;
        this.writeInterceptor = writeInterceptor;
        this.batchSize = settings.batchSize();
        this.documents = owner ? lifecycle.documents()
                : lifecycle.documents().withTimeout(timeoutMs, TimeUnit.MILLISECONDS);
        MongoCollection<RawBsonDocument> encodedDocuments = owner ? lifecycle.encodedDocuments()
                : lifecycle.encodedDocuments().withTimeout(timeoutMs, TimeUnit.MILLISECONDS);
        this.queryEngine = new QueryEngine(documents, EngineTuning.withBatchSize(batchSize));
        this.graph = new DerivationGraph(documents, batchSize, this::requireOpen);
        this.schemas = new MongoSchemas(lifecycle.database(), settings,
                new StoredDatumPages(encodedDocuments, lifecycle.entityCodec(), lifecycle.payloads()),
                this::requireOpen, shared);
        this.writer = new DatumWriter(documents, writeInterceptor.apply(encodedDocuments), lifecycle.entityCodec(),
                lifecycle.payloads(), settings.clock(), batchSize, this::requireOpen, lifecycle.pendingWrites(),
                schemas, new GcGuard(gcRecords(), settings.operationTimeout(), lifecycle.payloads()::exists));
        this.reader = new DatumReader(encodedDocuments, lifecycle.entityCodec(), lifecycle.payloads(), batchSize,
                this::requireOpen);
        this.fsck = new LakeFsck(encodedDocuments, lifecycle.entityCodec(), lifecycle.payloads(), schemas,
                () -> new MongoDatasets(lifecycle.database(), settings, this), settings.operationTimeout(),
                this::requireOpen);
        this.feed = new MongoFeed(documents, encodedDocuments, raw -> StoredDatums.decode(raw, lifecycle.entityCodec()),
                settings.clock(), this::requireOpen, new ChangeStreams(lifecycle.database()));
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
        LakeLifecycle lifecycle = LakeLifecycle.start(settings);
        try {
            return new MongoDatalake(lifecycle, settings, true, writeInterceptor, null);
        } catch (RuntimeException e) {
            try {
                lifecycle.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
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

    /** The resources this lake opened, for tests of their closing. */
    LakeLifecycle lifecycle() {
        return lifecycle;
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
        return reader.getDatum(id, true);
    }

    @Override
    public Mono<Datum> getDatum(ObjectId id, boolean loadPayload) {
        return reader.getDatum(id, loadPayload);
    }

    @Override
    public Flux<Datum> getData(List<ObjectId> ids) {
        return reader.getData(ids, true);
    }

    @Override
    public Flux<Datum> getData(List<ObjectId> ids, boolean loadPayloads) {
        return reader.getData(ids, loadPayloads);
    }

    @Override
    public Flux<ByteBuffer> getPayload(ObjectId id) {
        return reader.getPayload(id);
    }

    @Override
    public Flux<ByteBuffer> getPayload(Datum datum) {
        return reader.getPayload(datum);
    }

    @Override
    public Flux<ObjectId> getDirectlyDerivedData(ObjectId id) {
        return graph.children(id);
    }

    @Override
    public Flux<ObjectId> getAncestors(ObjectId id) {
        return graph.ancestors(id);
    }

    @Override
    public Mono<Lineage> getLineage(ObjectId id, LineageDirection direction, int maxDepth, int maxNodes) {
        return graph.lineage(id, direction, maxDepth, maxNodes);
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
    public Datasets datasets() {
        return new MongoDatasets(lifecycle.database(), settings, this);
    }

    @Override
    public Mono<DeletePlan> delete(ObjectId id, DeleteOptions options) {
        return new DatumDeleter(documents, graph, this::datasets, batchSize, this::requireOpen).delete(id, options);
    }

    @Override
    public Processors processors() {
        return new MongoProcessors(lifecycle.database(), settings, this, true, lifecycle.processorRuns());
    }

    @Override
    public Schemas schemas() {
        return schemas;
    }

    /**
     * Returns the schema implementation, for whole-lake scans (fsck) that validate datums they read themselves
     * ({@link MongoSchemas#violations}).
     *
     * @return the schemas of this lake
     */
    public MongoSchemas schemaCatalog() {
        return schemas;
    }

    @Override
    public Flux<FsckFinding> fsck(FsckOptions options) {
        return fsck.findings(options);
    }

    @Override
    public Mono<FsckReport> fsck(FsckOptions options, Consumer<? super FsckFinding> onFinding) {
        return fsck.report(options, onFinding);
    }

    @Override
    public Mono<GcReport> gc(GcOptions options) {
        if (options == null) {
            return Mono.error(new InvalidArgumentException("gc: options must not be null"));
        }
        return Mono.defer(() -> {
            requireOpen();
            return new PayloadGc(documents, gcRecords(), settings, lifecycle.payloads().registries()).run(options);
        });
    }

    private MongoCollection<Document> gcRecords() {
        return GcRecords.collection(lifecycle.database(), settings.collection(), settings.operationTimeout());
    }

    @Override
    public Flux<FeedEvent> watchEvents(WatchOptions options) {
        return feed.watchEvents(options);
    }

    @Override
    public Mono<FeedToken> feedPosition(WatchOptions options) {
        return feed.position(options);
    }

    @Override
    public Mono<LakeStats> getStats() {
        return graph.stats();
    }

    @Override
    public Flux<ObjectId> getIndirectlyDerivedData(ObjectId id) {
        return graph.descendants(id);
    }

    private void requireOpen() {
        lifecycle.requireOpen(this);
    }

    @Override
    public Datalake withOperationTimeout(Duration timeout) {
        return new MongoDatalake(lifecycle, settings.toBuilder().operationTimeout(timeout).build(), false,
                writeInterceptor, schemas);
    }

    /**
     * Closes the lake (a view closes nothing): waits for the writes under way, then closes the clients, the
     * registries and the embedded server, each even when an earlier close fails. Idempotent.
     *
     * @throws RuntimeException the first close failure, with the later ones as suppressed exceptions
     */
    @Override
    public void close() {
        if (owner) {
            lifecycle.close();
        }
    }

    @Override
    public String toString() {
        EmbeddedMongo embedded = owner ? lifecycle.embedded() : null;
        return "MongoDatalake{" + settings + (embedded != null ? ", embedded=" + embedded : "")
                + (owner ? "" : ", view") + "}";
    }
}
