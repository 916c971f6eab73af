package io.datalake.mongo.internal;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.morphia.Datastore;
import dev.morphia.Morphia;
import dev.morphia.mapping.MapperOptions;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.InvalidArgumentException;
import io.datalake.mongo.EmbeddedMongo;
import io.datalake.mongo.internal.dataset.MongoDatasets;
import io.datalake.mongo.internal.schema.MongoSchemas;
import io.datalake.query.engine.ServerFailures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.UuidRepresentation;
import org.bson.codecs.Codec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * What a lake opens and must close: the embedded server (when no URI is set), the reactive client, the synchronous
 * client Morphia builds its codecs from, the payload registries, and the writes still under way. Starts them in
 * order, creates the indexes, and closes them all, even when one close fails.
 */
final class LakeLifecycle implements AutoCloseable {
    /**
     * Close waits this many operation timeouts for writes under way: an insert, its parent re-check and an undo's
     * few steps are each bounded by one.
     */
    static final int CLOSE_WAIT_TIMEOUTS = 3;

    private final DatalakeSettings settings;
    private final @Nullable EmbeddedMongo embedded;
    private final MongoClient client;
    private final com.mongodb.client.MongoClient morphiaClient;
    private final PayloadStore payloads;
    private final MongoCollection<Document> documents;
    private final MongoCollection<RawBsonDocument> encodedDocuments;
    private final Codec<DatumEntity> entityCodec;
    /** Writes under way in the lake and its views (see {@link DatumWriter}); close awaits them all. */
    private final Set<CompletableFuture<Void>> pendingWrites = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Processor runs started on the lake or its views; close stops them while the lake can still release leases. */
    private final Set<AutoCloseable> runs = ConcurrentHashMap.newKeySet();

    private LakeLifecycle(DatalakeSettings settings, @Nullable EmbeddedMongo embedded, PayloadStore payloads,
            MongoClient client, com.mongodb.client.MongoClient morphiaClient, Codec<DatumEntity> entityCodec) {
        this.settings = settings;
        this.embedded = embedded;
        this.payloads = payloads;
        this.client = client;
        this.morphiaClient = morphiaClient;
        this.entityCodec = entityCodec;
        this.documents = client.getDatabase(settings.database()).getCollection(settings.collection());
        this.encodedDocuments = documents.withDocumentClass(RawBsonDocument.class);
    }

    /**
     * Starts the embedded server when the settings name no URI, connects, and creates the indexes.
     *
     * @param settings the lake's settings
     * @return the started resources
     * @throws InvalidArgumentException if the settings are refused (a registry setting, the URI)
     * @throws DatalakeException if the server cannot be started or reached or the indexes cannot be created
     */
    static LakeLifecycle start(DatalakeSettings settings) {
        String uri = settings.mongoUri();
        EmbeddedMongo embedded = null;
        if (uri == null) {
            embedded = EmbeddedMongo.start();
            uri = embedded.connectionString();
        }
        LakeLifecycle lifecycle;
        try {
            lifecycle = connect(settings, embedded, uri);
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
            Flux.from(lifecycle.documents.createIndexes(IndexDefinitions.forDatums()))
                    .then(MongoDatasets.createIndexes(lifecycle.database(),
                            settings))
                    .then(MongoSchemas.createIndexes(lifecycle.database(), settings))
                    .onErrorMap(e -> ServerFailures.translate("creating indexes on " + settings.database() + "."
                            + settings.collection(), e))
                    .block();
        } catch (RuntimeException e) {
            try {
                lifecycle.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof DatalakeException ? e : new DatalakeException("could not open the lake", e);
        }
        return lifecycle;
    }

    private static LakeLifecycle connect(DatalakeSettings settings, @Nullable EmbeddedMongo embedded, String uri) {
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
            PayloadStore payloads = new PayloadStore(settings.registry(), settings.imageMetadata());
            opened.add(payloads);
            MongoClient client = MongoClients.create(clientSettings);
            opened.add(client);
            // Morphia builds its mapper and codecs from a synchronous client; it is used for nothing else.
            com.mongodb.client.MongoClient morphiaClient = com.mongodb.client.MongoClients.create(clientSettings);
            opened.add(morphiaClient);
            Datastore datastore = Morphia.createDatastore(morphiaClient, settings.database(), MapperOptions.builder()
                    .storeNulls(true)
                    .storeEmpties(true)
                    .uuidRepresentation(UuidRepresentation.STANDARD)
                    .build());
            Codec<DatumEntity> entityCodec = datastore.getCodecRegistry().get(DatumEntity.class);
            return new LakeLifecycle(settings, embedded, payloads, client, morphiaClient, entityCodec);
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

    /** The collection of datum documents with the default codecs, under the lake's operation time limit. */
    MongoCollection<Document> documents() {
        return documents;
    }

    /** The collection as raw BSON, for writes encoded once and reads decoded by {@link StoredDatums}. */
    MongoCollection<RawBsonDocument> encodedDocuments() {
        return encodedDocuments;
    }

    /** The lake's database, for the dataset collections. */
    MongoDatabase database() {
        return client.getDatabase(settings.database());
    }

    /** Morphia's codec of the entity. */
    Codec<DatumEntity> entityCodec() {
        return entityCodec;
    }

    PayloadStore payloads() {
        return payloads;
    }

    Set<CompletableFuture<Void>> pendingWrites() {
        return pendingWrites;
    }

    /** The processor runs under way in the lake and its views; each removes itself when it ends. */
    Set<AutoCloseable> processorRuns() {
        return runs;
    }

    /** The embedded server this lake started and stops on close, or null when it connects to a URI. */
    @Nullable EmbeddedMongo embedded() {
        return embedded;
    }

    /**
     * Fails when the lake is closed.
     *
     * @param lake the lake or view being called, for the message
     * @throws DatalakeException if {@link #close()} was called
     */
    void requireOpen(Object lake) {
        if (closed.get()) {
            throw new DatalakeException("this lake is closed: " + lake);
        }
    }

    /**
     * Stops the processor runs under way (no grace period), waits for the writes under way (at most {@value #CLOSE_WAIT_TIMEOUTS} operation timeouts), then closes the
     * clients, the registries and the embedded server, each even when an earlier one fails. Idempotent.
     *
     * @throws RuntimeException the first close failure, with the later ones as suppressed exceptions
     */
    @Override
    public void close() {
        if (closed.get()) {
            return;
        }
        // Runs first, while the lake is open: a stopped run records its outcomes and releases its leases, so other
        // workers take its inputs at once instead of after the lease duration.
        closeAll(new ArrayList<>(runs));
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // New calls fail from here on; a batch already being inserted ends, and is undone if it failed.
        DatumWriter.awaitPending(pendingWrites, settings.operationTimeout().multipliedBy(CLOSE_WAIT_TIMEOUTS));
        List<AutoCloseable> resources = new ArrayList<>(List.of(client, morphiaClient, payloads));
        if (embedded != null) {
            resources.add(embedded);
        }
        closeAll(resources);
    }

    /**
     * Closes every resource in order; a failure, even an {@link Error}, does not stop the ones after it.
     *
     * @param resources what to close
     * @throws RuntimeException the first failure (a checked one wrapped in a {@link DatalakeException}), with the
     *     later ones added as suppressed exceptions
     * @throws Error the first failure when it is an error, likewise
     */
    static void closeAll(List<? extends AutoCloseable> resources) {
        Throwable first = null;
        AutoCloseable firstFailed = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Throwable e) {
                // Errors too: a backend's missing class must not leave the server and the clients running.
                if (first == null) {
                    first = e;
                    firstFailed = resource;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (first instanceof Error error) {
            throw error;
        }
        if (first != null) {
            throw new DatalakeException("closing " + firstFailed + " failed", first);
        }
    }

    @Override
    public String toString() {
        return "LakeLifecycle{" + settings + (embedded != null ? ", embedded=" + embedded : "") + "}";
    }
}
