package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.PayloadInfo;
import io.datalake.RegistryException;
import io.datalake.RegistryNotAllowedException;
import io.datalake.RegistrySettings;
import io.datalake.json.JsonValues;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The behaviour every {@code Datalake} on MongoDB must have, run against the embedded server in every build
 * ({@link EmbeddedDatalakeContractTest}) and against a real MongoDB where Docker exists
 * ({@link MongoContainerDatalakeContractIT}).
 */
abstract class DatalakeContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path notConfigured;
    private String database;

    /** Returns the connection string of the server under test. */
    protected abstract String connectionString();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private DatalakeSettings.Builder settings() {
        database = "contract_" + getClass().getSimpleName().toLowerCase() + "_" + DATABASES.incrementAndGet();
        return DatalakeSettings.builder().mongoUri(connectionString()).database(database);
    }

    private Datalake lake(DatalakeSettings settings) {
        Datalake lake = Datalakes.create(settings);
        toClose.add(lake);
        return lake;
    }

    private Datalake lake() {
        return lake(settings().build());
    }

    private MongoCollection<Document> rawCollection(String collection) {
        MongoClient client = MongoClients.create(connectionString());
        toClose.add(client);
        return client.getDatabase(database).getCollection(collection);
    }

    private MongoCollection<Document> raw() {
        return rawCollection(DatalakeSettings.DEFAULT_COLLECTION);
    }

    private static Map<String, Object> richValue() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("empty_list", List.of());
        nested.put("empty_map", Map.of());
        nested.put("null_value", null);
        nested.put("deeper", Map.of("list", Arrays.asList(1, "two", 3.5, null, List.of(true, false))));
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("string", "héllo");
        value.put("int", 42);
        value.put("long", 1L << 40);
        value.put("double", 0.25);
        value.put("decimal", new BigDecimal("12345.6789"));
        value.put("bool", true);
        value.put("instant", Instant.parse("2024-05-06T07:08:09.123Z"));
        value.put("object_id", new ObjectId("65f0a1b2c3d4e5f601234567"));
        value.put("bytes", new byte[] {0, 1, 2, (byte) 255});
        value.put("nested", nested);
        return value;
    }

    @Test
    void addedDatumReadsBackDeeplyEqualWithTheSameAddedAt() {
        Datalake lake = lake();
        Map<String, Object> data = richValue();
        Map<String, Object> metadata = Map.of("project", "cv", "tags", List.of("a", "b"), "nested", richValue());

        Datum added = lake.addDatum(data, metadata).block();
        Datum read = lake.getDatum(added.id()).block();

        assertThat(read).isEqualTo(added);
        assertThat(JsonValues.deepEquals(read.data(), data)).as("data round trip: %s", read.data()).isTrue();
        assertThat(JsonValues.deepEquals(read.metadata(), metadata)).as("metadata round trip").isTrue();
        assertThat(read.addedAt()).isEqualTo(added.addedAt());
        assertThat(read.addedAt().getNano() % 1_000_000).isZero();
        assertThat(read.derivedFrom()).isNull();
        assertThat(read.registryUri()).isNull();
    }

    @Test
    void scalarListAndNullDataRoundTrip() {
        BlockingDatalake lake = lake().blocking();
        for (Object data : Arrays.asList("text", 7, 7L, 1.5, false, null, List.of(), List.of(1, List.of(2)))) {
            Datum added = lake.addDatum(data, null);
            assertThat(lake.getDatum(added.id()).data()).isEqualTo(data);
            assertThat(lake.getDatum(added.id()).metadata()).isEmpty();
        }
    }

    @Test
    void addedAtComesFromTheInjectedClockTruncatedToMilliseconds() {
        Instant now = Instant.parse("2030-01-02T03:04:05.678912345Z");
        Datalake lake = lake(settings().clock(Clock.fixed(now, ZoneOffset.UTC)).build());

        Datum added = lake.addDatum("x", null).block();

        assertThat(added.addedAt()).isEqualTo(Instant.parse("2030-01-02T03:04:05.678Z"));
        assertThat(lake.getDatum(added.id()).block().addedAt()).isEqualTo(added.addedAt());
    }

    @Test
    void storedDocumentUsesThePythonDatalakeLayout() {
        Datalake lake = lake();
        Datum parent = lake.addDatum(Map.of("type", "image"), Map.of("project", "cv")).block();
        Datum child = lake.addDatum(Map.of("type", "label"), null, null, parent.id()).block();

        Document stored = raw().find(new Document("_id", child.id())).first();

        assertThat(stored).isNotNull();
        assertThat(stored.keySet()).containsExactlyInAnyOrder(
                "_id", "data", "registry_uri", "registry_key", "derived_from", "metadata", "added_at");
        assertThat(stored.get("derived_from")).isEqualTo(parent.id());
        assertThat(stored.get("added_at")).isInstanceOf(Date.class);
        assertThat(((Date) stored.get("added_at")).toInstant()).isEqualTo(child.addedAt());
        assertThat(stored.get("data")).isEqualTo(new Document("type", "label"));
        assertThat(stored.get("metadata")).isEqualTo(new Document());
        assertThat(stored.get("registry_uri")).isNull();
    }

    @Test
    void readsDatumsWrittenByThePythonClient() {
        Datalake lake = lake();
        ObjectId id = new ObjectId();
        Date addedAt = Date.from(Instant.parse("2025-03-04T05:06:07.890Z"));
        // What Beanie writes for a Mindtrace Datum: every field present, absent values as null.
        raw().insertOne(new Document("_id", id)
                .append("data", new Document("type", "image").append("size", Arrays.asList(640, 480)))
                .append("registry_uri", null)
                .append("registry_key", null)
                .append("derived_from", null)
                .append("metadata", new Document("source", "python"))
                .append("added_at", addedAt));

        Datum read = lake.getDatum(id).block();

        assertThat(read.data()).isEqualTo(Map.of("type", "image", "size", List.of(640, 480)));
        assertThat(read.metadata()).isEqualTo(Map.of("source", "python"));
        assertThat(read.addedAt()).isEqualTo(addedAt.toInstant());
        assertThat(read.derivedFrom()).isNull();
    }

    @Test
    void collectionNameIsConfigurable() {
        Datalake lake = lake(settings().collection("Experiments").build());
        Datum added = lake.addDatum("x", null).block();

        assertThat(rawCollection("Experiments").countDocuments(new Document("_id", added.id()))).isEqualTo(1);
        assertThat(raw().countDocuments()).isZero();
    }

    @Test
    void derivationIndexIsCreatedAtStartUp() {
        lake();
        List<Document> keys = raw().listIndexes().map(index -> (Document) index.get("key")).into(new ArrayList<>());

        assertThat(keys).contains(new Document("derived_from", 1).append("added_at", -1).append("_id", -1));
    }

    @Test
    void newDatumBuilderFormCarriesEveryField() {
        Datalake lake = lake();
        Datum parent = lake.addDatum("parent", null).block();
        ObjectId chosen = new ObjectId();

        Datum added = lake.addDatum(NewDatum.builder()
                .id(chosen)
                .data(Map.of("label", "cat"))
                .metadata(Map.of("model", "v2"))
                .derivedFrom(parent.id())
                .build()).block();

        assertThat(added.id()).isEqualTo(chosen);
        assertThat(lake.getDatum(chosen).block()).isEqualTo(added);
        assertThat(added.derivedFrom()).isEqualTo(parent.id());
    }

    @Test
    void nothingHappensUntilSubscribed() {
        Datalake lake = lake();
        Mono<Datum> add = lake.addDatum("lazy", null);
        assertThat(raw().countDocuments()).isZero();

        add.block();
        add.block();

        assertThat(raw().countDocuments()).as("each subscription adds again").isEqualTo(2);
    }

    @Test
    void addDataWritesInBatchesAndReturnsInputOrder() {
        Datalake lake = lake(settings().batchSize(7).build());
        List<NewDatum> input = IntStream.range(0, 50)
                .mapToObj(i -> NewDatum.of(Map.of("i", i), Map.of("batch", i / 7)))
                .collect(Collectors.toList());

        List<Datum> added = lake.addData(Flux.fromIterable(input)).collectList().block();

        List<Object> order = added.stream().map(d -> ((Map<?, ?>) d.data()).get("i")).collect(Collectors.toList());
        assertThat(order).isEqualTo(IntStream.range(0, 50).boxed().collect(Collectors.toList()));
        assertThat(raw().countDocuments()).isEqualTo(50);
        List<Datum> read = lake.getData(added.stream().map(Datum::id).collect(Collectors.toList()))
                .collectList().block();
        assertThat(read).isEqualTo(added);
    }

    @Test
    void addDataRespectsBackpressure() {
        int batchSize = 10;
        Datalake lake = lake(settings().batchSize(batchSize).build());
        AtomicLong produced = new AtomicLong();
        Flux<NewDatum> source = Flux.range(0, 200)
                .map(i -> NewDatum.of(i, null))
                .doOnNext(d -> produced.incrementAndGet());

        StepVerifier.create(lake.addData(source), 5)
                .expectNextCount(5)
                // A slow subscriber must not make the lake pull the whole source: only a few batches are in flight.
                .then(() -> assertThat(produced.get()).isBetween(5L, 4L * batchSize))
                .thenRequest(195)
                .expectNextCount(195)
                .verifyComplete();
        assertThat(produced.get()).isEqualTo(200);
    }

    @Test
    void addDataAcceptsParentsAddedEarlierInTheSameCall() {
        Datalake lake = lake(settings().batchSize(3).build());
        ObjectId image = new ObjectId();
        ObjectId label = new ObjectId();
        List<NewDatum> input = List.of(
                NewDatum.builder().id(image).data("image").build(),
                NewDatum.builder().id(label).data("label").derivedFrom(image).build(),
                NewDatum.builder().data("box").derivedFrom(label).build(),
                NewDatum.builder().data("box in a later batch").derivedFrom(image).build());

        List<Datum> added = lake.addData(Flux.fromIterable(input)).collectList().block();

        assertThat(added).hasSize(4);
        assertThat(lake.getIndirectlyDerivedData(image).collectList().block())
                .containsExactly(image, label, added.get(3).id(), added.get(2).id());
    }

    @Test
    void getDataKeepsInputOrderAndDuplicatesAcrossBatches() {
        Datalake lake = lake(settings().batchSize(4).build());
        List<Datum> added = lake.addData(Flux.range(0, 10).map(i -> NewDatum.of(i, null))).collectList().block();
        List<ObjectId> ids = new ArrayList<>();
        for (int i = 9; i >= 0; i--) {
            ids.add(added.get(i).id());
        }
        ids.add(added.get(3).id());
        ids.add(added.get(3).id());

        List<Datum> read = lake.getData(ids).collectList().block();

        assertThat(read).extracting(Datum::id).containsExactlyElementsOf(ids);
        assertThat(read).extracting(Datum::data).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 3, 3);
    }

    @Test
    void getDataFailsNamingEveryMissingId() {
        Datalake lake = lake();
        Datum present = lake.addDatum("here", null).block();
        ObjectId missing1 = new ObjectId();
        ObjectId missing2 = new ObjectId();

        assertThatThrownBy(() -> lake.blocking().getData(List.of(present.id(), missing1, missing2)))
                .isInstanceOf(DatumNotFoundException.class)
                .hasMessageContaining(missing1.toHexString())
                .hasMessageContaining(missing2.toHexString())
                .satisfies(e -> assertThat(((DatumNotFoundException) e).ids()).containsExactly(missing1, missing2));
        StepVerifier.create(lake.getData(List.of(present.id(), missing1)))
                .expectError(DatumNotFoundException.class)
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void getDataOfNoIdsIsEmpty() {
        assertThat(lake().blocking().getData(List.of())).isEmpty();
    }

    @Test
    void directlyDerivedDataListsChildrenOldestFirst() {
        AtomicLong tick = new AtomicLong();
        Clock stepping = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochSecond(1_700_000_000L + tick.incrementAndGet());
            }
        };
        BlockingDatalake lake = lake(settings().clock(stepping).build()).blocking();
        Datum root = lake.addDatum("root", null);
        Datum a = lake.addDatum("a", null, null, root.id());
        Datum b = lake.addDatum("b", null, null, root.id());
        lake.addDatum("grandchild", null, null, a.id());
        Datum c = lake.addDatum("c", null, null, root.id());

        assertThat(lake.getDirectlyDerivedData(root.id())).containsExactly(a.id(), b.id(), c.id());
        assertThat(lake.getDirectlyDerivedData(c.id())).isEmpty();
    }

    @Test
    void indirectlyDerivedDataIsBreadthFirstRootFirst() {
        BlockingDatalake lake = lake(settings().batchSize(2).build()).blocking();
        Datum root = lake.addDatum("root", null);
        Datum a = lake.addDatum("a", null, null, root.id());
        Datum b = lake.addDatum("b", null, null, root.id());
        Datum a1 = lake.addDatum("a1", null, null, a.id());
        Datum b1 = lake.addDatum("b1", null, null, b.id());
        Datum a2 = lake.addDatum("a2", null, null, a.id());
        Datum a11 = lake.addDatum("a11", null, null, a1.id());
        lake.addDatum("unrelated", null);

        List<ObjectId> tree = lake.getIndirectlyDerivedData(root.id());

        assertThat(tree).containsExactly(root.id(), a.id(), b.id(), a1.id(), a2.id(), b1.id(), a11.id());
        assertThat(lake.getIndirectlyDerivedData(a11.id())).containsExactly(a11.id());
    }

    @Test
    void largeTreesAreWalkedInTheSameOrderWhenLevelsAreScanned() {
        Datalake lake = lake(settings().batchSize(16).build());
        Datum root = lake.addDatum("root", null).block();
        // 100 children: more than a lookup level may hold, so the grandchildren are found by scanning.
        List<Datum> children = lake.addData(Flux.range(0, 100)
                .map(i -> NewDatum.builder().data("child " + i).derivedFrom(root.id()).build())).collectList().block();
        List<Datum> grandchildren = new ArrayList<>();
        for (int i = 99; i >= 0; i -= 3) {
            grandchildren.add(lake.addDatum("grandchild of " + i, null, null, children.get(i).id()).block());
        }
        lake.addDatum("unrelated", null).block();
        // A foreign writer stored a child before its parent (and with an older added_at): still found.
        ObjectId early = new ObjectId();
        ObjectId late = new ObjectId();
        raw().insertOne(new Document("_id", early).append("derived_from", late).append("added_at", new Date(0)));
        raw().insertOne(new Document("_id", late).append("derived_from", grandchildren.get(0).id())
                .append("added_at", new Date()));

        List<ObjectId> expected = new ArrayList<>();
        expected.add(root.id());
        children.forEach(c -> expected.add(c.id()));
        for (int i = 0; i < 100; i++) {
            ObjectId parent = children.get(i).id();
            grandchildren.stream().filter(g -> parent.equals(g.derivedFrom())).forEach(g -> expected.add(g.id()));
        }
        expected.add(late);
        expected.add(early);

        assertThat(lake.getIndirectlyDerivedData(root.id()).collectList().block()).containsExactlyElementsOf(expected);
    }

    @Test
    void indirectlyDerivedDataTerminatesOnCyclesWrittenOutsideTheApi() {
        Datalake lake = lake();
        ObjectId x = new ObjectId();
        ObjectId y = new ObjectId();
        ObjectId z = new ObjectId();
        Date now = new Date();
        // Only a foreign writer can make a cycle: x -> y -> z -> x.
        raw().insertMany(List.of(
                new Document("_id", x).append("derived_from", z).append("added_at", now),
                new Document("_id", y).append("derived_from", x).append("added_at", now),
                new Document("_id", z).append("derived_from", y).append("added_at", now)));

        assertThat(lake.getIndirectlyDerivedData(x).collectList().block(Duration.ofSeconds(30)))
                .containsExactly(x, y, z);
    }

    @Test
    void derivationWalksOfUnknownIdsFail() {
        BlockingDatalake lake = lake().blocking();
        ObjectId unknown = new ObjectId();

        assertThatThrownBy(() -> lake.getDirectlyDerivedData(unknown))
                .isInstanceOf(DatumNotFoundException.class).hasMessageContaining(unknown.toHexString());
        assertThatThrownBy(() -> lake.getIndirectlyDerivedData(unknown))
                .isInstanceOf(DatumNotFoundException.class).hasMessageContaining(unknown.toHexString());
    }

    @Test
    void thousandConcurrentAddsAreAllStored() {
        Datalake lake = lake();
        List<Datum> added = Flux.range(0, 1000)
                .flatMap(i -> lake.addDatum(Map.of("i", i), Map.of("worker", i % 8)), 1000)
                .collectList()
                .block(Duration.ofMinutes(2));

        assertThat(added).hasSize(1000);
        assertThat(added.stream().map(Datum::id).collect(Collectors.toSet())).hasSize(1000);
        List<Datum> read = lake.getData(added.stream().map(Datum::id).collect(Collectors.toList()))
                .collectList().block();
        assertThat(read).isEqualTo(added);
        assertThat(raw().countDocuments()).isEqualTo(1000);
    }

    @Test
    void nullIdsAreRejectedBeforeAnyIo() {
        BlockingDatalake lake = lake().blocking();

        assertThatThrownBy(() -> lake.getDatum(null)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("id");
        assertThatThrownBy(() -> lake.getData(Arrays.asList(new ObjectId(), null)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("index 1");
        assertThatThrownBy(() -> lake.getDirectlyDerivedData(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> lake.getIndirectlyDerivedData(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> lake.addDatum((NewDatum) null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void unknownDatumFailsNamingTheId() {
        ObjectId unknown = new ObjectId();
        assertThatThrownBy(() -> lake().blocking().getDatum(unknown))
                .isInstanceOf(DatumNotFoundException.class)
                .hasMessageContaining(unknown.toHexString());
    }

    @Test
    void unknownParentFailsAndWritesNothing() {
        Datalake lake = lake();
        ObjectId unknown = new ObjectId();

        assertThatThrownBy(() -> lake.blocking().addDatum("orphan", null, null, unknown))
                .isInstanceOf(DatumNotFoundException.class)
                .hasMessageContaining(unknown.toHexString());
        assertThatThrownBy(() -> lake.blocking().addData(List.of(
                        NewDatum.of("fine", null),
                        NewDatum.builder().data("orphan").derivedFrom(unknown).build())))
                .isInstanceOf(DatumNotFoundException.class);
        assertThat(raw().countDocuments()).isZero();
    }

    @Test
    void parentLaterInTheBatchIsNotAccepted() {
        Datalake lake = lake();
        ObjectId later = new ObjectId();

        assertThatThrownBy(() -> lake.blocking().addData(List.of(
                        NewDatum.builder().data("child").derivedFrom(later).build(),
                        NewDatum.builder().id(later).data("parent").build())))
                .isInstanceOf(DatumNotFoundException.class).hasMessageContaining(later.toHexString());
        assertThat(raw().countDocuments()).isZero();
    }

    @Test
    void nonEncodableDataFailsNamingThePathAndWritesNothing() {
        Datalake lake = lake();
        Object noCodec = new Object() {
        };
        Map<String, Object> data = new HashMap<>();
        data.put("inner", List.of("ok", noCodec));

        assertThatThrownBy(() -> lake.blocking().addDatum(data, null))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("data.inner[1]")
                .hasMessageContaining(noCodec.getClass().getName());
        assertThatThrownBy(() -> lake.blocking().addDatum("x", Map.of("when", Thread.currentThread())))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("metadata.when");
        assertThatThrownBy(() -> lake.blocking().addData(List.of(NewDatum.of("fine", null), NewDatum.of(noCodec, null))))
                .isInstanceOf(DatumValidationException.class);
        assertThatThrownBy(() -> lake.blocking().addDatum(Map.of(1, "non-string key"), null))
                .isInstanceOf(DatumValidationException.class).hasMessageContaining("keys must be strings");
        assertThat(raw().countDocuments()).isZero();
    }

    @Test
    void duplicateIdsAreRejected() {
        Datalake lake = lake();
        ObjectId id = new ObjectId();
        lake.addDatum(NewDatum.builder().id(id).data("first").build()).block();

        assertThatThrownBy(() -> lake.blocking().addDatum(NewDatum.builder().id(id).data("second").build()))
                .isInstanceOf(DatumValidationException.class).hasMessageContaining(id.toHexString());
        ObjectId fresh = new ObjectId();
        assertThatThrownBy(() -> lake.blocking().addData(List.of(
                        NewDatum.builder().id(fresh).build(), NewDatum.builder().id(id).build())))
                .isInstanceOf(DatumValidationException.class).hasMessageContaining(id.toHexString());
        assertThat(raw().countDocuments(new Document("_id", fresh))).as("nothing of the batch is written").isZero();
        ObjectId twice = new ObjectId();
        assertThatThrownBy(() -> lake.blocking().addData(List.of(
                        NewDatum.builder().id(twice).build(), NewDatum.builder().id(twice).build())))
                .isInstanceOf(DatumValidationException.class).hasMessageContaining(twice.toHexString());
        assertThat(lake.getDatum(id).block().data()).isEqualTo("first");
        assertThat(raw().countDocuments(new Document("_id", twice))).isZero();
    }

    @Test
    void aBatchThatFailsHalfWayIsRemovedWholly() {
        Datalake lake = lake(settings().batchSize(10).build());
        // A user's own unique index makes the server refuse the third datum after storing the first two.
        raw().createIndex(new Document("metadata.key", 1), new com.mongodb.client.model.IndexOptions().unique(true));
        lake.addDatum("existing", Map.of("key", "taken")).block();
        List<NewDatum> batch = List.of(
                NewDatum.of("a", Map.of("key", "a")),
                NewDatum.of("b", Map.of("key", "b")),
                NewDatum.of("c", Map.of("key", "taken")),
                NewDatum.of("d", Map.of("key", "d")));

        assertThatThrownBy(() -> lake.blocking().addData(batch)).isInstanceOf(DatalakeException.class);

        assertThat(raw().countDocuments()).as("only the datum that existed before").isEqualTo(1);
    }

    @Test
    void aClashOnAUsersOwnUniqueIndexNamesTheIndexAndTheKey() {
        Datalake lake = lake();
        raw().createIndex(new Document("metadata.key", 1), new com.mongodb.client.model.IndexOptions().unique(true));
        lake.addDatum("existing", Map.of("key", "taken")).block();

        assertThatThrownBy(() -> lake.blocking().addDatum("clash", Map.of("key", "taken")))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("metadata.key_1")
                .hasMessageContaining("taken")
                .hasMessageNotContaining("a datum with this id already exists");
        assertThatThrownBy(() -> lake.blocking().addData(List.of(NewDatum.of("clash", Map.of("key", "taken")))))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("unique index metadata.key_1")
                .hasMessageNotContaining("a datum with this id already exists");
        ObjectId id = lake.addDatum("first", null).block().id();
        assertThatThrownBy(() -> lake.blocking().addDatum(NewDatum.builder().id(id).data("again").build()))
                .isInstanceOf(DatumValidationException.class)
                .hasMessageContaining("a datum with this id already exists")
                .hasMessageContaining(id.toHexString());
    }

    @Test
    void closedLakeFailsClearly() {
        Datalake lake = lake();
        lake.close();

        assertThatThrownBy(() -> lake.blocking().getDatum(new ObjectId()))
                .isInstanceOf(DatalakeException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> lake.blocking().addDatum("x", null))
                .isInstanceOf(DatalakeException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void driverFailuresSurfaceWrappedWithTheirCause() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DatalakeSettings unreachable = DatalakeSettings.builder()
                .mongoUri("mongodb://127.0.0.1:" + closedPort + "/?serverSelectionTimeoutMS=300")
                .build();

        assertThatThrownBy(() -> Datalakes.create(unreachable))
                .isInstanceOf(DatalakeException.class)
                .hasMessageContaining("creating indexes")
                .hasCauseInstanceOf(com.mongodb.MongoTimeoutException.class);
    }

    @Test
    void returnedValuesAreImmutable() {
        Datalake lake = lake();
        Datum datum = lake.addDatum(Map.of("list", List.of(1)), Map.of("k", "v")).block();
        Datum read = lake.getDatum(datum.id()).block();

        assertThatThrownBy(() -> read.metadata().put("k", "changed")).isInstanceOf(UnsupportedOperationException.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) read.data();
        assertThatThrownBy(() -> data.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Set.copyOf(data.keySet())).containsExactly("list");
    }

    @Test
    void binaryValuesAreStoredAsBsonBinary() {
        Datalake lake = lake();
        Datum datum = lake.addDatum(Map.of("bytes", new byte[] {9, 8, 7}), null).block();

        Document stored = (Document) raw().find(new Document("_id", datum.id())).first().get("data");

        assertThat(stored.get("bytes")).isInstanceOf(Binary.class);
        assertThat(((Binary) stored.get("bytes")).getData()).containsExactly(9, 8, 7);
    }

    // ---- getPayload(Datum): the payload of a datum the caller holds ----

    private static byte[] payloadOf(Datalake lake, Datum datum) {
        List<ByteBuffer> buffers = lake.getPayload(datum).collectList().block(Duration.ofSeconds(30));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (ByteBuffer buffer : buffers) {
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }

    private static String sha256Hex(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void getPayloadOfAHeldDatumStreamsTheBytesItsRecordedHashVouchesFor() throws Exception {
        MemoryRegistry registry = new MemoryRegistry();
        Datalake lake = lake(settings().registry(RegistrySettings.builder().backend(registry).build()).build());
        byte[] bytes = "the held datum's bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] other = "another payload, same registry".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Datum added = lake.addDatum(bytes, Map.of(), MemoryRegistry.URI, null).block();
        Datum otherDatum = lake.addDatum(other, Map.of(), MemoryRegistry.URI, null).block();
        Datum held = lake.getData(List.of(added.id()), false).blockFirst();

        assertThat(payloadOf(lake, held)).isEqualTo(bytes);

        // Another client repoints the stored datum at other bytes: the held datum still reads the bytes it records,
        // verified against its own hash, so a caller naming a file by that hash never mismatches its content.
        raw().updateOne(new Document("_id", held.id()), new Document("$set", new Document()
                .append("registry_key", otherDatum.registryKey())
                .append("payload.sha256", sha256Hex(other))
                .append("payload.size", (long) other.length)));
        assertThat(payloadOf(lake, held)).isEqualTo(bytes);
        assertThat(payloadOf(lake, lake.getDatum(held.id(), false).block())).isEqualTo(other);
    }

    @Test
    void getPayloadOfAHeldDatumWhoseRecordedHashDoesNotMatchTheRegistryFails() {
        MemoryRegistry registry = new MemoryRegistry();
        Datalake lake = lake(settings().registry(RegistrySettings.builder().backend(registry).build()).build());
        byte[] bytes = {1, 2, 3, 4, 5, 6, 7, 8};
        Datum held = lake.addDatum(bytes, Map.of(), MemoryRegistry.URI, null).block();
        String wrongHash = "0".repeat(64);
        Datum forged = held.toBuilder()
                .payload(new PayloadInfo(held.payload().contentType(), bytes.length, wrongHash)).build();

        assertThatThrownBy(() -> lake.getPayload(forged).blockLast(Duration.ofSeconds(30)))
                .isInstanceOf(RegistryException.class)
                .isNotInstanceOf(RegistryNotAllowedException.class)
                .hasMessageContaining(held.id().toHexString())
                .hasMessageContaining(wrongHash);
        // The same for bytes changed in the registry under a genuine datum, and for a wrong size.
        registry.objects.put(held.registryKey(), new byte[] {1, 2, 3, 4, 5, 6, 7, 9});
        assertThatThrownBy(() -> lake.getPayload(held).blockLast(Duration.ofSeconds(30)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("corrupt");
        Datum longer = held.toBuilder()
                .payload(new PayloadInfo(held.payload().contentType(), bytes.length + 1, held.payload().sha256()))
                .build();
        assertThatThrownBy(() -> lake.getPayload(longer).blockLast(Duration.ofSeconds(30)))
                .isInstanceOf(RegistryException.class).hasMessageContaining("instead of " + (bytes.length + 1));
    }

    @Test
    void getPayloadOfAForgedDatumOpensOnlyConfiguredRegistriesAndValidKeys() throws Exception {
        MemoryRegistry registry = new MemoryRegistry();
        Datalake lake = lake(settings().registry(RegistrySettings.builder().backend(registry).build()).build());
        Datum held = lake.addDatum(new byte[] {4, 2}, Map.of(), MemoryRegistry.URI, null).block();
        // A real registry folder holding the object: the refusal comes from the allow-list, not a missing file.
        java.nio.file.Path elsewhere = notConfigured;
        java.nio.file.Files.createDirectories(elsewhere.resolve(held.registryKey()).getParent());
        java.nio.file.Files.write(elsewhere.resolve(held.registryKey()), new byte[] {4, 2});

        Datum unconfigured = held.toBuilder().registryUri(elsewhere.toUri().toString()).build();
        assertThatThrownBy(() -> lake.getPayload(unconfigured).blockLast(Duration.ofSeconds(30)))
                .isInstanceOf(RegistryNotAllowedException.class)
                .hasMessageContaining(held.id().toHexString());

        Datum escaping = held.toBuilder().registryKey("../" + held.registryKey()).build();
        assertThatThrownBy(() -> lake.getPayload(escaping).blockLast(Duration.ofSeconds(30)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(held.id().toHexString()).hasMessageContaining("..");
        Datum inline = lake.addDatum(Map.of("a", 1), null).block();
        assertThatThrownBy(() -> lake.getPayload(inline).blockLast(Duration.ofSeconds(30)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("inline");
        assertThatThrownBy(() -> lake.getPayload((Datum) null).blockLast(Duration.ofSeconds(30)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(payloadOf(lake, held)).containsExactly(4, 2);
    }
}
