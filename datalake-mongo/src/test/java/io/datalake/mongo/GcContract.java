package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.RegistryException;
import io.datalake.RegistrySettings;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.gc.RegistryGcReport;
import io.datalake.registry.BlobSource;
import io.datalake.registry.ContentAddressedRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Payload garbage collection, run against the embedded server in every build ({@link EmbeddedGcContractTest}) and
 * against a real MongoDB where Docker exists ({@link MongoContainerGcContractIT}).
 */
abstract class GcContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final GcOptions GRACE_10_MIN = GcOptions.builder().grace(Duration.ofMinutes(10)).build();
    private static final GcOptions GRACE_0 = GcOptions.builder().grace(Duration.ZERO).build();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String database = "";

    /**
     * Returns the server under test.
     *
     * @return a MongoDB connection string
     */
    protected abstract String connectionString();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private Datalake lake(GcRegistry... registries) {
        database = "gc_" + DATABASES.incrementAndGet();
        RegistrySettings.Builder registry = RegistrySettings.builder().defaultRegistry(registries[0].uri());
        for (GcRegistry r : registries) {
            registry.backend(r);
        }
        Datalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(connectionString()).database(database)
                .registry(registry.build()).build());
        toClose.add(lake);
        return lake;
    }

    private MongoCollection<Document> raw(String collection) {
        MongoClient client = MongoClients.create(connectionString());
        toClose.add(client);
        return client.getDatabase(database).getCollection(collection);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Stores bytes the way the lake does, with no datum referencing them. */
    private static String orphan(GcRegistry registry, String content) {
        return Objects.requireNonNull(new ContentAddressedRegistry(registry).put(BlobSource.ofBytes(bytes(content)))
                .block(TIMEOUT)).key();
    }

    private static Datum add(Datalake lake, GcRegistry registry, String content) {
        return Objects.requireNonNull(lake.addDatum(bytes(content), Map.of(), registry.uri(), null).block(TIMEOUT));
    }

    private static GcReport gc(Datalake lake, GcOptions options) {
        return Objects.requireNonNull(lake.gc(options).block(TIMEOUT));
    }

    @Test
    void deletesOnlyOldUnreferencedObjectsInTheLakesKeyFormatAndReportsThem() {
        GcRegistry registry = new GcRegistry("mem://gc-a");
        Datalake lake = lake(registry);
        Datum live = add(lake, registry, "referenced payload");
        String dead = orphan(registry, "unreferenced payload");
        registry.objects.put("notes/readme.txt", bytes("an operator's file"));
        registry.times.put("notes/readme.txt", java.time.Instant.now());
        registry.ageAll();
        String young = orphan(registry, "unreferenced but young");

        GcReport report = gc(lake, GRACE_10_MIN);

        assertThat(registry.objects).containsKeys(live.registryKey(), young, "notes/readme.txt")
                .doesNotContainKey(dead);
        assertThat(report.registries()).singleElement().satisfies(r -> {
            assertThat(r.uri()).isEqualTo(registry.uri());
            assertThat(List.of(r.scanned(), r.referenced(), r.young(), r.foreign(), r.deleted(), r.errors()))
                    .containsExactly(4L, 1L, 1L, 1L, 1L, 0L);
            assertThat(r.bytesDeleted()).isEqualTo(bytes("unreferenced payload").length);
        });
        assertThat(report.datumsScanned()).isEqualTo(1);
        assertThat(report.dryRun()).isFalse();
        assertThat(lake.getDatum(live.id()).block(TIMEOUT).data()).isEqualTo(bytes("referenced payload"));
        assertThat(raw(DatalakeSettings.DEFAULT_COLLECTION + ".payloadGc").find(new Document("state", "DELETED"))
                .into(new ArrayList<>())).hasSize(1);
    }

    @Test
    void aDryRunReportsWhatItWouldDeleteAndChangesNothing() {
        GcRegistry registry = new GcRegistry("mem://gc-b");
        Datalake lake = lake(registry);
        add(lake, registry, "kept");
        String dead = orphan(registry, "would go");
        registry.ageAll();

        GcReport report = gc(lake, GcOptions.builder().dryRun(true).grace(Duration.ZERO).build());

        assertThat(report.dryRun()).isTrue();
        assertThat(report.deleted()).isEqualTo(1);
        assertThat(report.bytesDeleted()).isEqualTo(bytes("would go").length);
        assertThat(registry.objects).containsKey(dead);
        assertThat(registry.deleted).isEmpty();
        assertThat(raw(DatalakeSettings.DEFAULT_COLLECTION + ".payloadGc").countDocuments()).isZero();
    }

    @Test
    void theDefaultGraceKeepsObjectsWrittenInTheLastDay() {
        GcRegistry registry = new GcRegistry("mem://gc-c");
        Datalake lake = lake(registry);
        String hourOld = orphan(registry, "an hour old");
        registry.ageAll();

        GcReport report = gc(lake, GcOptions.defaults());

        assertThat(GcOptions.defaults().grace()).isEqualTo(Duration.ofHours(24));
        assertThat(registry.objects).containsKey(hourOld);
        assertThat(report.registries().get(0).young()).isEqualTo(1);
        assertThat(gc(lake, GRACE_10_MIN).deleted()).isEqualTo(1);
        assertThat(registry.objects).doesNotContainKey(hourOld);
    }

    @Test
    void anObjectWhoseAgeTheListingCannotTellIsNeverDeleted() {
        GcRegistry registry = new GcRegistry("mem://gc-d");
        registry.reportTimes = false;
        Datalake lake = lake(registry);
        String unknown = orphan(registry, "age unknown");

        GcReport report = gc(lake, GRACE_0);

        assertThat(registry.objects).containsKey(unknown);
        assertThat(report.registries().get(0).unknownAge()).isEqualTo(1);
        assertThat(report.deleted()).isZero();
    }

    @Test
    void collectsAllowedRegistriesThatStoredDatumsNameAndSkipsOthersWithoutOpeningThem() {
        GcRegistry main = new GcRegistry("mem://gc-e");
        GcRegistry second = new GcRegistry("mem://gc-e2");
        Datalake lake = lake(main, second);
        add(lake, second, "in the second registry");
        String dead = orphan(second, "orphan in the second registry");
        second.ageAll();
        raw(DatalakeSettings.DEFAULT_COLLECTION).insertOne(new Document("_id", new ObjectId())
                .append("data", null).append("registry_uri", "s3://elsewhere/x?endpoint=http://attacker:9000")
                .append("registry_key", "ab/cd/" + "a".repeat(64)).append("derived_from", null)
                .append("metadata", new Document()).append("added_at", new Date()));

        GcReport report = gc(lake, GRACE_0);

        assertThat(report.registries()).extracting(RegistryGcReport::uri)
                .containsExactlyInAnyOrder(main.uri(), second.uri());
        assertThat(second.objects).doesNotContainKey(dead).hasSize(1);
        assertThat(report.skippedRegistries()).singleElement().asString().startsWith("s3://elsewhere/x");
    }

    @Test
    void aWriterThatReusedAnObjectWhileAGcDeletedItStoresItAgain() {
        GcRegistry registry = new GcRegistry("mem://gc-f");
        Datalake lake = lake(registry);
        String key = orphan(registry, "shared content");
        registry.ageAll();
        AtomicBoolean once = new AtomicBoolean();
        // The writer finds the object and verifies it by reading it back (no store-kept checksum); right then a
        // whole collection runs: the datum is not inserted yet, so the object is unreferenced and deleted.
        registry.onGet = k -> {
            if (k.equals(key) && once.compareAndSet(false, true)) {
                assertThat(gc(lake, GRACE_0).deleted()).isEqualTo(1);
            }
        };

        Datum datum = add(lake, registry, "shared content");

        assertThat(once).isTrue();
        assertThat(registry.deleted).containsKey(key);
        assertThat(datum.registryKey()).isEqualTo(key);
        assertThat(registry.objects).containsKey(key);
        assertThat(lake.getDatum(datum.id()).block(TIMEOUT).data()).isEqualTo(bytes("shared content"));
    }

    @Test
    void aWriterCancelsAClaimMadeBeforeItsInsertSoTheCollectionCannotDelete() {
        GcRegistry registry = new GcRegistry("mem://gc-g");
        Datalake lake = lake(registry);
        String key = orphan(registry, "claimed content");
        MongoCollection<Document> records = raw(DatalakeSettings.DEFAULT_COLLECTION + ".payloadGc");
        ObjectId gen = new ObjectId();
        registry.onGet = k -> records.insertOne(new Document("_id", registry.uri() + "\n" + key)
                .append("state", "CLAIMED").append("gen", gen).append("at", new Date()));

        add(lake, registry, "claimed content");

        // The collection's CLAIMED -> DELETING step matches its own claim, which the writer removed.
        assertThat(records.countDocuments(new Document("gen", gen).append("state", "CLAIMED"))).isZero();
        assertThat(registry.objects).containsKey(key);
    }

    @Test
    void aStreamedPayloadThatAGcDeletedCannotBeStoredAgainSoItsBatchIsUndone() {
        GcRegistry registry = new GcRegistry("mem://gc-h");
        Datalake lake = lake(registry);
        String key = orphan(registry, "streamed content");
        AtomicBoolean once = new AtomicBoolean();
        registry.onGet = k -> {
            if (once.compareAndSet(false, true)) {
                gc(lake, GRACE_0);
            }
        };
        ObjectId id = new ObjectId();

        assertThatThrownBy(() -> lake.addDatum(NewDatum.builder().id(id)
                        .data(new ByteArrayInputStream(bytes("streamed content"))).registryUri(registry.uri()).build())
                .block(TIMEOUT))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(key).hasMessageContaining("garbage collection")
                .satisfies(e -> assertThat(((DatalakeException) e).isTransient()).isTrue());
        assertThatThrownBy(() -> lake.getDatum(id, false).block(TIMEOUT)).isInstanceOf(DatumNotFoundException.class);
    }

    @Test
    void badOptionsAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> GcOptions.builder().grace(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> GcOptions.builder().batchSize(0))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("0");
        GcRegistry registry = new GcRegistry("mem://gc-i");
        Datalake lake = lake(registry);
        assertThatThrownBy(() -> lake.gc(null).block(TIMEOUT)).isInstanceOf(InvalidArgumentException.class);
    }
}
