package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.sun.net.httpserver.HttpServer;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumValidationException;
import io.datalake.NewDatum;
import io.datalake.RegistrySettings;
import io.datalake.schema.DatumViolations;
import io.datalake.schema.InvalidSchemaException;
import io.datalake.schema.MalformedSchemaException;
import io.datalake.schema.Schema;
import io.datalake.schema.SchemaConflictException;
import io.datalake.schema.SchemaNotFoundException;
import io.datalake.schema.SchemaSettings;
import io.datalake.schema.SchemaViolation;
import io.datalake.schema.SchemaViolationException;
import io.datalake.schema.ValidationMode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Schemas per kind, run against the embedded server in every build ({@link EmbeddedSchemaContractTest}) and
 * against a real MongoDB where Docker exists ({@link MongoContainerSchemaContractIT}).
 */
abstract class SchemaContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    /** Images need an integer width and a label from a fixed set; their metadata needs a project. */
    static final String IMAGE_SCHEMA = """
            {"type": "object",
             "properties": {
               "data": {"type": "object", "required": ["width"],
                        "properties": {"width": {"type": "integer", "minimum": 1},
                                       "label": {"enum": ["cat", "dog"]}}},
               "metadata": {"type": "object", "required": ["project"]}}}""";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String database = "";

    /**
     * Returns the connection string of the server under test.
     *
     * @return a MongoDB URI
     */
    protected abstract String connectionString();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private Datalake lake() {
        return lake(b -> { });
    }

    /** A lake on a fresh database. */
    private Datalake lake(Consumer<DatalakeSettings.Builder> customizer) {
        database = "schemas_" + DATABASES.incrementAndGet();
        return sameDatabase(customizer);
    }

    /** Another lake object on the database of the last {@link #lake}: another process, as far as caches go. */
    private Datalake sameDatabase(Consumer<DatalakeSettings.Builder> customizer) {
        DatalakeSettings.Builder b = DatalakeSettings.builder().mongoUri(connectionString()).database(database)
                .actor("tester");
        customizer.accept(b);
        Datalake lake = Datalakes.create(b.build());
        toClose.add(lake);
        return lake;
    }

    private MongoDatabase raw() {
        MongoClient client = MongoClients.create(connectionString());
        toClose.add(client);
        return client.getDatabase(database);
    }

    private long datumCount() {
        return raw().getCollection("Datum").countDocuments();
    }

    private static Map<String, Object> image(Object width, String label) {
        Map<String, Object> data = new HashMap<>();
        data.put("type", "image");
        data.put("width", width);
        data.put("label", label);
        return data;
    }

    private static Map<String, Object> project() {
        return Map.of("project", "cv");
    }

    // ---- enforce ----

    @Test
    void enforceRejectsAMissingFieldNamingTheDatumTheSchemaThePointerAndTheRule() {
        Datalake lake = lake();
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        assertThatThrownBy(() -> lake.addDatum(Map.of("type", "image", "label", "cat"), project()).block())
                .isInstanceOf(SchemaViolationException.class)
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("datum 0")
                .hasMessageContaining("'image'")
                .hasMessageContaining("schema version 1")
                .hasMessageContaining("/data/width")
                .hasMessageContaining("required")
                .satisfies(e -> {
                    List<DatumViolations> all = ((SchemaViolationException) e).violations();
                    assertThat(all).hasSize(1);
                    assertThat(all.get(0).kind()).isEqualTo("image");
                    assertThat(all.get(0).schemaVersion()).isEqualTo(1);
                    assertThat(all.get(0).index()).isEqualTo(0L);
                    assertThat(all.get(0).violations()).extracting(SchemaViolation::pointer, SchemaViolation::keyword)
                            .containsExactly(org.assertj.core.groups.Tuple.tuple("/data/width", "required"));
                });
        assertThat(datumCount()).isZero();
    }

    @Test
    void enforceNamesEnumTypeAndMinimumRulesAtTheirPointers() {
        Datalake lake = lake();
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        SchemaViolationException e = (SchemaViolationException) org.assertj.core.api.Assertions.catchThrowable(
                () -> lake.addDatum(image("wide", "horse"), project()).block());
        assertThat(e.violations().get(0).violations())
                .extracting(SchemaViolation::pointer, SchemaViolation::keyword)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("/data/label", "enum"),
                        org.assertj.core.groups.Tuple.tuple("/data/width", "type"));
        assertThat(e).hasMessageContaining("/data/label: enum").hasMessageContaining("/data/width: type");

        SchemaViolationException small = (SchemaViolationException) org.assertj.core.api.Assertions.catchThrowable(
                () -> lake.addDatum(image(0, "cat"), project()).block());
        assertThat(small.violations().get(0).violations()).extracting(SchemaViolation::keyword)
                .containsExactly("minimum");
        assertThat(datumCount()).isZero();
    }

    @Test
    void validDatumsAreStoredAndDatumsOfOtherKindsOrWithoutAKindAreNotValidated() {
        Datalake lake = lake();
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        lake.addDatum(image(640, "cat"), project()).block();
        lake.addDatum(Map.of("type", "bbox"), null).block();
        lake.addDatum(Map.of("no-type", 1), null).block();
        lake.addDatum("just a string", null).block();

        assertThat(datumCount()).isEqualTo(4);
    }

    @Test
    void aBatchWithOneBadDatumStoresNothingAndNamesItsPositionInTheCall() {
        Datalake lake = lake();
        lake.schemas().register("image", IMAGE_SCHEMA).block();
        List<NewDatum> batch = IntStream.range(0, 5)
                .mapToObj(i -> NewDatum.of(i == 3 ? image(10, "horse") : image(10 + i, "dog"), project()))
                .toList();

        assertThatThrownBy(() -> lake.addData(Flux.fromIterable(batch)).collectList().block())
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("datum 3 (id ")
                .hasMessageContaining("/data/label");
        assertThat(datumCount()).isZero();
    }

    @Test
    void theIndexOfABadDatumCountsFromTheStartOfTheCallAcrossBatches() {
        Datalake lake = lake(b -> b.batchSize(2));
        lake.schemas().register("image", IMAGE_SCHEMA).block();
        List<NewDatum> data = IntStream.range(0, 6)
                .mapToObj(i -> NewDatum.of(i == 5 ? image(10, "horse") : image(10 + i, "dog"), project()))
                .toList();

        SchemaViolationException e = (SchemaViolationException) org.assertj.core.api.Assertions.catchThrowable(
                () -> lake.addData(Flux.fromIterable(data)).collectList().block());
        assertThat(e.violations()).extracting(DatumViolations::index).containsExactly(5L);
        // Batches before the bad one were written: addData is all-or-nothing per batch of batchSize.
        assertThat(datumCount()).isEqualTo(4);
    }

    @Test
    void aRejectedRegistryDatumUploadsNoPayload() {
        MemoryRegistry registry = new MemoryRegistry();
        Datalake lake = lake(b -> b.registry(RegistrySettings.builder().backend(registry).build()));
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        assertThatThrownBy(() -> lake.addDatum(image(640, "cat"), Map.of(), MemoryRegistry.URI, null).block())
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("/metadata/project");
        assertThat(registry.puts.get()).as("no payload uploaded").isZero();
        assertThat(datumCount()).isZero();

        Datum ok = lake.addDatum(image(640, "cat"), project(), MemoryRegistry.URI, null).block();
        assertThat(registry.puts.get()).isEqualTo(1);
        assertThat(lake.getDatum(ok.id()).block().data()).isEqualTo(image(640, "cat"));
    }

    @Test
    void binaryPayloadsAreNotInTheViewButTheirMetadataIsValidated() {
        MemoryRegistry registry = new MemoryRegistry();
        Datalake lake = lake(b -> b.registry(RegistrySettings.builder().backend(registry).build())
                .schemas(SchemaSettings.builder().kindSelector("metadata.kind").build()));
        lake.schemas().register("png", """
                {"required": ["metadata"], "not": {"required": ["data"]},
                 "properties": {"metadata": {"required": ["camera"]}}}""").block();

        assertThatThrownBy(() -> lake.addDatum(new byte[] {1, 2, 3}, Map.of("kind", "png"), MemoryRegistry.URI, null)
                .block())
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("/metadata/camera");
        lake.addDatum(new byte[] {1, 2, 3}, Map.of("kind", "png", "camera", "c1"), MemoryRegistry.URI, null).block();
        assertThat(registry.puts.get()).isEqualTo(1);
    }

    // ---- metadata, selector, modes ----

    @Test
    void aSchemaConstrainsMetadata() {
        Datalake lake = lake();
        lake.schemas().register("label", """
                {"properties": {"metadata": {"required": ["model"],
                                             "properties": {"model": {"type": "string", "pattern": "^v[0-9]+$"}}}}}""")
                .block();

        assertThatThrownBy(() -> lake.addDatum(Map.of("type", "label"), Map.of("model", "latest")).block())
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("/metadata/model: pattern");
        assertThatThrownBy(() -> lake.addDatum(Map.of("type", "label"), null).block())
                .hasMessageContaining("/metadata/model: required");
        lake.addDatum(Map.of("type", "label"), Map.of("model", "v3")).block();
        assertThat(datumCount()).isEqualTo(1);
    }

    @Test
    void theKindSelectorSettingChoosesWhereTheKindIsRead() {
        Datalake lake = lake(b -> b.schemas(SchemaSettings.builder().kindSelector("metadata.kind").build()));
        lake.schemas().register("label", """
                {"properties": {"data": {"required": ["label"]}}}""").block();

        assertThatThrownBy(() -> lake.addDatum(Map.of("type", "other"), Map.of("kind", "label")).block())
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("/data/label");
        // data.type is not the selector here: a datum whose data.type is "label" has no kind.
        lake.addDatum(Map.of("type", "label"), Map.of("kind", 7)).block();
        lake.addDatum(Map.of("type", "label"), null).block();
        assertThat(datumCount()).isEqualTo(2);
    }

    @Test
    void warnStoresTheDatumAndReportsItToTheListener() {
        List<DatumViolations> reported = new CopyOnWriteArrayList<>();
        Datalake lake = lake(b -> b.schemas(SchemaSettings.builder().mode(ValidationMode.WARN)
                .listener(reported::add).build()));
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        Datum stored = lake.addDatum(image(640, "horse"), project()).block();
        lake.addDatum(image(640, "cat"), project()).block();
        lake.addData(Flux.just(NewDatum.of(image(1, "cat"), project()), NewDatum.of(image(1, "cat"), null)))
                .blockLast();

        assertThat(datumCount()).isEqualTo(4);
        assertThat(reported).hasSize(2);
        assertThat(reported.get(0).datumId()).isEqualTo(stored.id());
        assertThat(reported.get(0).violations()).extracting(SchemaViolation::pointer).containsExactly("/data/label");
        assertThat(reported.get(1).index()).isEqualTo(1L);
        assertThat(reported.get(1).violations()).extracting(SchemaViolation::pointer)
                .containsExactly("/metadata/project");
    }

    @Test
    void aFailingListenerDoesNotFailTheAdd() {
        Datalake lake = lake(b -> b.schemas(SchemaSettings.builder().mode(ValidationMode.WARN)
                .listener(v -> {
                    throw new IllegalStateException("listener broke");
                }).build()));
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        lake.addDatum(image(640, "horse"), project()).block();
        assertThat(datumCount()).isEqualTo(1);
    }

    @Test
    void offValidatesNothing() {
        List<DatumViolations> reported = new CopyOnWriteArrayList<>();
        Datalake lake = lake(b -> b.schemas(SchemaSettings.builder().mode(ValidationMode.OFF)
                .listener(reported::add).build()));
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        lake.addDatum(image("wide", "horse"), null).block();
        assertThat(datumCount()).isEqualTo(1);
        assertThat(reported).isEmpty();
    }

    @Test
    void aKindCanHaveItsOwnMode() {
        Datalake lake = lake(b -> b.schemas(SchemaSettings.builder().mode("legacy", ValidationMode.OFF).build()));
        lake.schemas().register("image", IMAGE_SCHEMA).block();
        lake.schemas().register("legacy", """
                {"properties": {"data": {"required": ["never-there"]}}}""").block();

        lake.addDatum(Map.of("type", "legacy"), null).block();
        assertThatThrownBy(() -> lake.addDatum(image("wide", "cat"), project()).block())
                .isInstanceOf(SchemaViolationException.class);
        assertThat(datumCount()).isEqualTo(1);
    }

    @Test
    void aPatternThatWouldBacktrackForeverCountsAsAViolationInsteadOfHangingTheWrite() {
        Datalake lake = lake();
        lake.schemas().register("text", """
                {"properties": {"data": {"properties": {"s": {"pattern": "^(a+)+$"}}}}}""").block();

        assertThatThrownBy(() -> lake.addDatum(Map.of("type", "text", "s", "a".repeat(40) + "!"), null).block())
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("pattern");
        assertThat(datumCount()).isZero();
    }

    // ---- registration and history ----

    @Test
    void registeringMakesNewVersionsAndKeepsEveryEarlierOneUnchanged() {
        Datalake lake = lake();
        Schema v1 = lake.schemas().register("image", IMAGE_SCHEMA).block();
        String v2Text = "{\"properties\": {\"data\": {\"required\": [\"height\"]}}}";
        Schema v2 = lake.schemas().register("image", v2Text).block();
        lake.schemas().register("bbox", "true").block();

        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v1.actor()).isEqualTo("tester");
        assertThat(lake.schemas().history("image").collectList().block())
                .extracting(Schema::version, Schema::json)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, IMAGE_SCHEMA),
                        org.assertj.core.groups.Tuple.tuple(2, v2Text));
        assertThat(lake.schemas().get("image").block()).isEqualTo(v2);
        assertThat(lake.schemas().get("image", 1).block()).isEqualTo(v1);
        assertThat(lake.schemas().list().collectList().block()).extracting(Schema::ref)
                .containsExactly("bbox@1", "image@2");
        // The latest version is the one enforced.
        lake.addDatum(Map.of("type", "image", "height", 3), null).block();
        assertThatThrownBy(() -> lake.addDatum(image(640, "cat"), project()).block())
                .hasMessageContaining("/data/height").hasMessageContaining("schema version 2");
    }

    @Test
    void unknownKindsAndVersionsAreTypedErrors() {
        Datalake lake = lake();
        assertThatThrownBy(() -> lake.schemas().get("image").block()).isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("'image'");
        lake.schemas().register("image", IMAGE_SCHEMA).block();
        assertThatThrownBy(() -> lake.schemas().get("image", 2).block()).isInstanceOf(SchemaNotFoundException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> lake.schemas().check("nothing").blockLast())
                .isInstanceOf(SchemaNotFoundException.class);
        assertThat(lake.schemas().history("nothing").collectList().block()).isEmpty();
    }

    @Test
    void anInvalidSchemaIsRefusedBeforeAnythingIsStored() {
        Datalake lake = lake();
        for (String bad : List.of("{not json", "[1, 2]", "{\"type\": \"nope\"}", "{\"minimum\": \"three\"}",
                "{\"$schema\": \"http://json-schema.org/draft-07/schema#\"}",
                "{\"$ref\": \"#/$defs/missing\"}", "{\"pattern\": \"(\"}", "{} {}")) {
            assertThatThrownBy(() -> lake.schemas().register("image", bad).block())
                    .as(bad)
                    .isInstanceOf(InvalidSchemaException.class)
                    .hasMessageContaining("'image'");
        }
        assertThat(lake.schemas().history("image").collectList().block()).isEmpty();
        assertThat(raw().getCollection("Datum.schemas").countDocuments()).isZero();
    }

    @Test
    void referencesInsideTheSchemaWork() {
        Datalake lake = lake();
        lake.schemas().register("box", """
                {"$defs": {"coord": {"type": "number", "minimum": 0}},
                 "properties": {"data": {"properties": {"x": {"$ref": "#/$defs/coord"}}}}}""").block();

        assertThatThrownBy(() -> lake.addDatum(Map.of("type", "box", "x", -1), null).block())
                .hasMessageContaining("/data/x: minimum");
        lake.addDatum(Map.of("type", "box", "x", 1.5), null).block();
    }

    @Test
    void remoteReferencesAreNeverFetchedNeitherAtRegistrationNorFromAStoredSchema() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger requests = new AtomicInteger();
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "{\"type\": \"object\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String remote = "http://127.0.0.1:" + server.getAddress().getPort() + "/schema.json";
            Datalake lake = lake();
            for (String bad : List.of("{\"$ref\": \"" + remote + "\"}",
                    "{\"$id\": \"" + remote + "\", \"$ref\": \"other.json\"}",
                    "{\"$schema\": \"" + remote + "\"}",
                    "{\"$ref\": \"file:///etc/passwd\"}")) {
                assertThatThrownBy(() -> lake.schemas().register("image", bad).block())
                        .as(bad).isInstanceOf(InvalidSchemaException.class);
            }
            // Another client stored a schema with a remote reference: using it is a typed error naming it.
            ObjectId foreign = new ObjectId();
            raw().getCollection("Datum.schemas").insertOne(new Document("_id", foreign).append("kind", "image")
                    .append("version", 1).append("schema", "{\"$ref\": \"" + remote + "\"}")
                    .append("createdAt", new Date()).append("actor", "intruder"));
            assertThatThrownBy(() -> lake.addDatum(image(1, "cat"), project()).block())
                    .isInstanceOf(MalformedSchemaException.class)
                    .hasMessageContaining(foreign.toHexString())
                    .hasMessageContaining("'image' version 1");
            assertThat(datumCount()).isZero();
            assertThat(requests.get()).as("requests to the remote schema server").isZero();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aDamagedStoredSchemaDocumentIsATypedErrorNamingIt() {
        Datalake lake = lake();
        ObjectId damaged = new ObjectId();
        raw().getCollection("Datum.schemas").insertOne(new Document("_id", damaged).append("kind", "image")
                .append("version", 1).append("schema", new Document("type", "object")));

        assertThatThrownBy(() -> lake.schemas().get("image").block())
                .isInstanceOf(MalformedSchemaException.class)
                .hasMessageContaining(damaged.toHexString())
                .hasMessageContaining("schema is not a string");
        assertThatThrownBy(() -> lake.addDatum(image(1, "cat"), project()).block())
                .isInstanceOf(MalformedSchemaException.class);
        // A new, valid version can still be registered over it, and is then enforced.
        assertThat(lake.schemas().register("image", IMAGE_SCHEMA).block().version()).isEqualTo(2);
        lake.addDatum(image(1, "cat"), project()).block();
        assertThat(datumCount()).isEqualTo(1);
    }

    @Test
    void concurrentRegistrationsOfOneKindGetDistinctVersionsAndLoseNothing() {
        lake();
        List<Datalake> writers = IntStream.range(0, 6).mapToObj(i -> sameDatabase(b -> { })).toList();
        List<Object> outcomes = Flux.range(0, 24)
                .flatMap(i -> writers.get(i % writers.size()).schemas()
                        .register("image", "{\"description\": \"writer " + i + "\"}")
                        .map(s -> (Object) s)
                        .onErrorResume(SchemaConflictException.class, Mono::just)
                        .subscribeOn(Schedulers.parallel()), 24)
                .collectList().block();

        List<Schema> registered = outcomes.stream().filter(Schema.class::isInstance).map(Schema.class::cast)
                .toList();
        assertThat(registered).isNotEmpty();
        assertThat(registered.stream().map(Schema::version).collect(Collectors.toSet()))
                .hasSize(registered.size());
        List<Schema> history = writers.get(0).schemas().history("image").collectList().block();
        assertThat(history).hasSize(registered.size());
        Map<Integer, String> stored = history.stream().collect(Collectors.toMap(Schema::version, Schema::json));
        for (Schema s : registered) {
            assertThat(stored.get(s.version())).isEqualTo(s.json());
        }
    }

    @Test
    void aSchemaRegisteredByAnotherLakeObjectIsEnforcedOnceTheCacheExpires() {
        Datalake writer = lake(b -> b.schemas(SchemaSettings.builder().cacheTtl(Duration.ZERO).build()));
        writer.addDatum(image("wide", "cat"), project()).block(); // no schema yet: caches "none"
        Datalake admin = sameDatabase(b -> { });

        admin.schemas().register("image", IMAGE_SCHEMA).block();

        assertThatThrownBy(() -> writer.addDatum(image("wide", "cat"), project()).block())
                .isInstanceOf(SchemaViolationException.class);
    }

    @Test
    void withinTheCacheTtlAnotherLakeObjectsNewSchemaIsNotYetSeenButOwnRegistrationsAreAtOnce() {
        Datalake writer = lake(b -> b.schemas(SchemaSettings.builder().cacheTtl(Duration.ofHours(1)).build()));
        writer.addDatum(image("wide", "cat"), project()).block();
        Datalake admin = sameDatabase(b -> { });

        admin.schemas().register("image", IMAGE_SCHEMA).block();
        writer.addDatum(image("wide", "cat"), project()).block();
        writer.schemas().register("image", IMAGE_SCHEMA).block();

        assertThatThrownBy(() -> writer.addDatum(image("wide", "cat"), project()).block())
                .isInstanceOf(SchemaViolationException.class)
                .hasMessageContaining("schema version 2");
    }

    // ---- check ----

    @Test
    void checkStreamsTheStoredDatumsThatViolateTheLatestSchema() {
        MemoryRegistry registry = new MemoryRegistry();
        Datalake lake = lake(b -> b.batchSize(3).registry(RegistrySettings.builder().backend(registry).build()));
        List<ObjectId> bad = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Datum d = lake.addDatum(i % 3 == 0 ? image("wide", "cat") : image(i + 1, "dog"), project()).block();
            if (i % 3 == 0) {
                bad.add(d.id());
            }
        }
        Datum inRegistry = lake.addDatum(image(5, "horse"), project(), MemoryRegistry.URI, null).block();
        bad.add(inRegistry.id());
        lake.addDatum(Map.of("type", "bbox", "width", "wide"), null).block();
        // Written by another client, bypassing validation.
        ObjectId foreign = new ObjectId();
        raw().getCollection("Datum").insertOne(new Document("_id", foreign)
                .append("data", new Document("type", "image").append("width", 3))
                .append("metadata", new Document()).append("added_at", new Date()));
        bad.add(foreign);
        lake.schemas().register("image", IMAGE_SCHEMA).block();
        AtomicLong progress = new AtomicLong();

        List<DatumViolations> found = lake.schemas().check("image", progress::set).collectList().block();

        assertThat(found).extracting(DatumViolations::datumId).containsExactlyInAnyOrderElementsOf(bad);
        assertThat(found).allSatisfy(v -> {
            assertThat(v.index()).isNull();
            assertThat(v.schemaVersion()).isEqualTo(1);
        });
        assertThat(found.stream().filter(v -> v.datumId().equals(foreign)).findFirst().orElseThrow().violations())
                .extracting(SchemaViolation::pointer).containsExactly("/metadata/project");
        assertThat(found.stream().filter(v -> v.datumId().equals(inRegistry.id())).findFirst().orElseThrow()
                .violations()).extracting(SchemaViolation::pointer).containsExactly("/data/label");
        assertThat(progress.get()).as("datums of the kind checked").isEqualTo(12);
        // Ordered by id, so a consumer can resume.
        List<ObjectId> ids = found.stream().map(DatumViolations::datumId).toList();
        List<ObjectId> sorted = new ArrayList<>(ids);
        Collections.sort(sorted);
        assertThat(ids).isEqualTo(sorted);
    }

    @Test
    void checkSkipsStoredDocumentsThatAreNotDatums() {
        Datalake lake = lake();
        raw().getCollection("Datum").insertOne(new Document("_id", new ObjectId())
                .append("data", new Document("type", "image")).append("metadata", "not a document"));
        Datum bad = lake.addDatum(Map.of("type", "image"), project()).block();
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        assertThat(lake.schemas().check("image").map(DatumViolations::datumId).collectList().block())
                .containsExactly(bad.id());
    }

    @Test
    void aScanThatReadsDatumsItselfCanValidateThemAgainstTheLatestSchemaOfEachKind() {
        Datalake lake = lake();
        Datum badImage = lake.addDatum(image("wide", "cat"), project()).block();
        Datum goodImage = lake.addDatum(image(3, "cat"), project()).block();
        Datum badBox = lake.addDatum(Map.of("type", "bbox"), null).block();
        Datum untyped = lake.addDatum(Map.of("x", 1), null).block();
        lake.schemas().register("image", IMAGE_SCHEMA).block();
        lake.schemas().register("bbox", "{\"properties\": {\"data\": {\"required\": [\"x\"]}}}").block();

        List<DatumViolations> found = ((io.datalake.mongo.internal.MongoDatalake) lake).schemaCatalog()
                .violations(Flux.fromIterable(lake.getData(List.of(badImage.id(), goodImage.id(), badBox.id(),
                        untyped.id())).collectList().block()))
                .collectList().block();

        assertThat(found).extracting(DatumViolations::datumId, DatumViolations::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(badImage.id(), "image"),
                        org.assertj.core.groups.Tuple.tuple(badBox.id(), "bbox"));
    }

    @Test
    void invalidArgumentsAreTypedErrors() {
        Datalake lake = lake();
        assertThatThrownBy(() -> lake.schemas().register(" ", "{}").block())
                .isInstanceOf(io.datalake.InvalidArgumentException.class);
        assertThatThrownBy(() -> lake.schemas().register("image", null).block())
                .isInstanceOf(io.datalake.InvalidArgumentException.class);
        assertThatThrownBy(() -> SchemaSettings.builder().kindSelector("type"))
                .isInstanceOf(io.datalake.InvalidArgumentException.class);
        assertThatThrownBy(() -> SchemaSettings.builder().kindSelector("data.$type"))
                .isInstanceOf(io.datalake.InvalidArgumentException.class);
        assertThat(Set.of(SchemaSettings.DEFAULT_KIND_SELECTOR)).containsExactly("data.type");
    }
}
