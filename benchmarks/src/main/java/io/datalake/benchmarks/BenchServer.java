package io.datalake.benchmarks;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.NewDatum;
import io.datalake.RegistrySettings;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.EmbeddedMongo;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.bson.UuidRepresentation;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The server every side of every comparison talks to: the given MongoDB, or one embedded server started for the
 * whole run. Hands out lakes on fresh databases and the raw driver client the baselines use; databases are named
 * {@code datalake_bench_<pid>_<n>} and dropped when a scenario is done with them.
 */
final class BenchServer implements AutoCloseable {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final @Nullable EmbeddedMongo embedded;
    private final String uri;
    private final MongoClient raw;
    private final int batchSize;

    private BenchServer(@Nullable EmbeddedMongo embedded, String uri, int batchSize) {
        this.embedded = embedded;
        this.uri = uri;
        this.batchSize = batchSize;
        // The same driver and settings the lake uses, so the baselines differ from the store only in the algorithm.
        this.raw = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .applicationName("datalake-benchmarks")
                .uuidRepresentation(UuidRepresentation.STANDARD)
                .build());
    }

    static BenchServer start(@Nullable String mongoUri, int batchSize) {
        if (mongoUri != null) {
            return new BenchServer(null, mongoUri, batchSize);
        }
        EmbeddedMongo embedded = EmbeddedMongo.start();
        try {
            return new BenchServer(embedded, embedded.connectionString(), batchSize);
        } catch (RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    String uri() {
        return uri;
    }

    boolean embedded() {
        return embedded != null;
    }

    /** Describes the server for the results: what it is and the version it reports, never a password. */
    String describe() {
        String version;
        try {
            Document info = Mono.from(raw.getDatabase("admin").runCommand(new Document("buildInfo", 1))).block();
            version = info == null ? "unknown" : String.valueOf(info.get("version"));
        } catch (RuntimeException e) {
            version = "unknown (" + e.getClass().getSimpleName() + ")";
        }
        if (embedded != null) {
            return "embedded in-process mongo-java-server, memory backend (reports MongoDB " + version + ")";
        }
        return "MongoDB " + version + " at " + DatalakeSettings.redact(uri);
    }

    MongoClient raw() {
        return raw;
    }

    int batchSize() {
        return batchSize;
    }

    String freshDatabase() {
        return "datalake_bench_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    }

    /** Opens a lake on a database; the lake creates its indexes, which the raw baselines then share. */
    Datalake openLake(String database) {
        return Datalakes.create(DatalakeSettings.builder()
                .mongoUri(uri)
                .database(database)
                .batchSize(batchSize)
                .build());
    }

    /** Opens a lake on a database whose payloads go to the given registries. */
    Datalake openLake(String database, RegistrySettings registry) {
        return Datalakes.create(DatalakeSettings.builder()
                .mongoUri(uri)
                .database(database)
                .batchSize(batchSize)
                .registry(registry)
                .build());
    }

    /** The collection a lake on {@code database} stores its datums in, through the raw driver. */
    MongoCollection<Document> collection(String database) {
        return raw.getDatabase(database).getCollection(DatalakeSettings.DEFAULT_COLLECTION);
    }

    void drop(String database) {
        Mono.from(raw.getDatabase(database).drop()).block();
    }

    /** Loads datums through the lake's batched path (untimed set-up of a scenario). */
    static void load(Datalake lake, Iterable<NewDatum> datums) {
        lake.addData(Flux.fromIterable(datums)).then().block();
    }

    @Override
    public void close() {
        try {
            raw.close();
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
