package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.RegistryException;
import io.datalake.RegistrySettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionInfo;
import io.datalake.fsck.FsckFinding;
import io.datalake.fsck.FsckFinding.Kind;
import io.datalake.fsck.FsckOptions;
import io.datalake.fsck.FsckProgress;
import io.datalake.fsck.FsckReport;
import io.datalake.registry.BlobStat;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * {@code fsck}: each problem created the way it happens (an object deleted, truncated or changed in the registry, a
 * document written by another client, a schema registered after the datums it rejects, a datum removed under a
 * dataset version, a registry outside the allow-list) and the exact finding asserted; a clean lake gives none; fsck
 * writes nothing. Runs against the embedded server in every build ({@link EmbeddedFsckContractTest}) and against a
 * real MongoDB where Docker exists ({@link MongoContainerFsckContractIT}).
 */
abstract class FsckContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String IMAGE_SCHEMA = """
            {"properties": {"data": {"required": ["width"], "properties": {"width": {"type": "integer"}}}}}""";

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String database = "";
    private DirectoryRegistry registry;

    @TempDir
    Path temp;

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

    /** A lake on a fresh database whose registry is a directory of plain files. */
    private Datalake lake(Consumer<DatalakeSettings.Builder> customizer) {
        database = "fsck_" + DATABASES.incrementAndGet();
        if (registry == null) {
            registry = new DirectoryRegistry(temp.resolve("registry"));
        }
        DatalakeSettings.Builder b = DatalakeSettings.builder().mongoUri(connectionString()).database(database)
                .registry(RegistrySettings.builder().backend(registry).build());
        customizer.accept(b);
        Datalake lake = Datalakes.create(b.build());
        toClose.add(lake);
        return lake;
    }

    private Datalake lake() {
        return lake(b -> { });
    }

    private MongoDatabase raw() {
        MongoClient client = MongoClients.create(connectionString());
        toClose.add(client);
        return client.getDatabase(database);
    }

    private Datum image(Datalake lake, String content) {
        return lake.addDatum(content.getBytes(StandardCharsets.UTF_8), Map.of("type", "image"), registry.uri(), null)
                .block();
    }

    /** What one fsck streamed and reported. */
    private record Outcome(FsckReport report, List<FsckFinding> streamed) {
        List<FsckFinding> of(Kind kind) {
            return streamed.stream().filter(f -> f.kind() == kind).toList();
        }
    }

    private static Outcome fsck(Datalake lake, FsckOptions options) {
        List<FsckFinding> streamed = new CopyOnWriteArrayList<>();
        FsckReport report = lake.fsck(options, streamed::add).block();
        return new Outcome(report, List.copyOf(streamed));
    }

    private static Outcome fsck(Datalake lake) {
        return fsck(lake, FsckOptions.defaults());
    }

    /** Pages of {@code n} documents, so a small lake spans many pages. */
    private static FsckOptions paged(int n) {
        return FsckOptions.builder().pageSize(n).build();
    }

    private static FsckOptions verify() {
        return FsckOptions.builder().verify(true).build();
    }

    // ---- a clean lake ----

    @Test
    void aCleanLakeHasNoFindingsAndSaysWhatItChecked() {
        Datalake lake = lake();
        Datum cat = image(lake, "cat");
        Datum dog = image(lake, "dog");
        lake.addDatum(Map.of("type", "label", "label", "cat"), Map.of(), null, cat.id()).block();
        lake.schemas().register("image", "{\"properties\": {\"metadata\": {\"required\": [\"type\"]}}}").block();
        Datasets ds = lake.datasets();
        publish(ds, "images", List.of(cat.id(), dog.id()));
        ds.createDraft("images", DatasetSource.ids("image", List.of(dog.id()))).block();

        Outcome outcome = fsck(lake, verify());

        assertThat(outcome.streamed()).isEmpty();
        FsckReport report = outcome.report();
        assertThat(report.clean()).isTrue();
        assertThat(report.findings()).isZero();
        assertThat(report.counts()).hasSize(Kind.values().length).allSatisfy((k, n) -> assertThat(n).isZero());
        assertThat(report.datums()).isEqualTo(3);
        assertThat(report.payloads()).isEqualTo(2);
        assertThat(report.objects()).isEqualTo(2);
        assertThat(report.versions()).isEqualTo(2);
        assertThat(report.rows()).isEqualTo(3);
        assertThat(report.bytesVerified()).isEqualTo("cat".length() + "dog".length());
        assertThat(lake.fsck(verify()).collectList().block()).isEmpty();
    }

    private static VersionInfo publish(Datasets ds, String name, List<ObjectId> ids) {
        VersionInfo draft = ds.createDraft(name, DatasetSource.ids("image", ids)).block();
        assertThat(ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        return ds.publish(draft.id()).block();
    }

    // ---- registry objects ----

    @Test
    void aDeletedObjectIsAMissingPayloadNamingTheDatumRegistryAndKey() throws Exception {
        Datalake lake = lake();
        Datum gone = image(lake, "cat");
        image(lake, "dog");
        Files.delete(registry.file(gone.registryKey()));

        Outcome outcome = fsck(lake);

        assertThat(outcome.streamed()).hasSize(1);
        FsckFinding f = outcome.streamed().get(0);
        assertThat(f.kind()).isEqualTo(Kind.MISSING_PAYLOAD);
        assertThat(f.datumId()).isEqualTo(gone.id());
        assertThat(f.registryUri()).isEqualTo(registry.uri());
        assertThat(f.registryKey()).isEqualTo(gone.registryKey());
        assertThat(f.detail()).contains(gone.registryKey()).contains("no object");
        assertThat(outcome.report().count(Kind.MISSING_PAYLOAD)).isEqualTo(1);
        assertThat(outcome.report().clean()).isFalse();
    }

    @Test
    void aTruncatedObjectIsASizeMismatchWithoutReadingIt() throws Exception {
        Datalake lake = lake();
        Datum cut = image(lake, "a longer payload");
        try (RandomAccessFile file = new RandomAccessFile(registry.file(cut.registryKey()).toFile(), "rw")) {
            file.setLength(4);
        }
        registry.reads.set(0);

        Outcome outcome = fsck(lake);

        assertThat(outcome.streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.SIZE_MISMATCH);
            assertThat(f.datumId()).isEqualTo(cut.id());
            assertThat(f.detail()).contains("has 4 bytes").contains("records " + "a longer payload".length());
        });
        assertThat(registry.reads.get()).as("without verify nothing is read").isZero();
    }

    @Test
    void aChangedByteIsFoundOnlyWhenVerifying() throws Exception {
        Datalake lake = lake();
        Datum changed = image(lake, "cat");
        image(lake, "dog");
        Path file = registry.file(changed.registryKey());
        Files.write(file, "cot".getBytes(StandardCharsets.UTF_8));

        assertThat(fsck(lake).streamed()).as("same size: only hashing sees it").isEmpty();

        Outcome verified = fsck(lake, verify());
        assertThat(verified.streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.HASH_MISMATCH);
            assertThat(f.datumId()).isEqualTo(changed.id());
            assertThat(f.registryKey()).isEqualTo(changed.registryKey());
            assertThat(f.detail()).contains(changed.payload().sha256());
        });
        assertThat(verified.report().bytesVerified()).isEqualTo(6);
    }

    @Test
    void aStoreKeptChecksumThatDiffersIsAHashMismatchWithoutReading() {
        Datalake lake = lake();
        Datum d = image(lake, "cat");
        registry.statOverride = key -> new BlobStat(3, "0".repeat(64), null);

        assertThat(fsck(lake).streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.HASH_MISMATCH);
            assertThat(f.datumId()).isEqualTo(d.id());
            assertThat(f.detail()).contains("store's SHA-256").contains("0".repeat(64));
        });
    }

    @Test
    void anObjectSharedByManyDatumsIsLookedUpOnceAndEachDatumIsReported() throws Exception {
        Datalake lake = lake();
        List<Datum> shared = IntStream.range(0, 20).mapToObj(i -> image(lake, "same bytes")).toList();
        registry.stats.set(0);

        FsckReport clean = fsck(lake, paged(7)).report();
        assertThat(clean.payloads()).isEqualTo(20);
        assertThat(clean.objects()).isEqualTo(1);
        assertThat(registry.stats.get()).isEqualTo(1);

        Files.delete(registry.file(shared.get(0).registryKey()));
        Outcome outcome = fsck(lake, paged(7));
        assertThat(outcome.streamed()).extracting(FsckFinding::datumId)
                .containsExactlyElementsOf(shared.stream().map(Datum::id).toList());
        assertThat(outcome.streamed()).allSatisfy(f -> assertThat(f.kind()).isEqualTo(Kind.MISSING_PAYLOAD));
    }

    @Test
    void aRegistryThatFailsForOneObjectIsAFindingNotAFailedCheck() {
        Datalake lake = lake();
        Datum bad = image(lake, "cat");
        Datum good = image(lake, "dog");
        registry.statOverride = key -> {
            if (key.equals(bad.registryKey())) {
                throw new RegistryException("permission denied on " + key);
            }
            return null;
        };

        Outcome outcome = fsck(lake);

        assertThat(outcome.streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.UNREADABLE_PAYLOAD);
            assertThat(f.datumId()).isEqualTo(bad.id());
            assertThat(f.detail()).contains("permission denied");
        });
        assertThat(outcome.report().payloads()).isEqualTo(2);
        assertThat(good.id()).isNotEqualTo(bad.id());
    }

    @Test
    void aDatumDeletedWhileItsObjectIsCheckedIsNotReported() {
        Datalake lake = lake();
        Datum d = image(lake, "cat");
        registry.statOverride = key -> {
            // A delete and then gc, between fsck reading the page and looking the object up.
            raw().getCollection("Datum").deleteOne(Filters.eq("_id", d.id()));
            return DirectoryRegistry.MISSING;
        };

        Outcome outcome = fsck(lake);

        assertThat(outcome.streamed()).isEmpty();
        assertThat(outcome.report().objects()).isEqualTo(1);
    }

    @Test
    void aStoredRegistryOutsideTheAllowListIsReportedAndNeverOpened() {
        Datalake lake = lake();
        image(lake, "cat");
        Path elsewhere = temp.resolve("elsewhere");
        ObjectId id = new ObjectId();
        String sha = "ab".repeat(32);
        raw().getCollection("Datum").insertOne(new Document("_id", id).append("data", null)
                .append("registry_uri", "dir://" + elsewhere).append("registry_key", "ab/ab/" + sha)
                .append("payload", new Document("content_type", "application/octet-stream").append("size", 3L)
                        .append("sha256", sha))
                .append("derived_from", null).append("metadata", new Document()).append("added_at", new Date()));

        Outcome outcome = fsck(lake, verify());

        assertThat(outcome.streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.REGISTRY_NOT_ALLOWED);
            assertThat(f.datumId()).isEqualTo(id);
            assertThat(f.registryUri()).isEqualTo("dir://" + elsewhere);
            assertThat(f.registryKey()).isEqualTo("ab/ab/" + sha);
            assertThat(f.detail()).contains("not one of this lake's registries");
        });
        assertThat(elsewhere).doesNotExist();
    }

    // ---- parents, documents, schemas ----

    @Test
    void aParentThatDoesNotExistIsReportedAndParentsOnOtherPagesAreFound() {
        // Pages of 2: every parent but the ghost lives on an earlier page.
        Datalake lake = lake();
        ObjectId parent = lake.addDatum(Map.of("n", 0), Map.of()).block().id();
        for (int i = 1; i < 7; i++) {
            parent = lake.addDatum(Map.of("n", i), Map.of(), null, parent).block().id();
        }
        ObjectId ghost = new ObjectId();
        ObjectId orphan = new ObjectId();
        raw().getCollection("Datum").insertOne(new Document("_id", orphan).append("data", new Document("n", 99))
                .append("derived_from", ghost).append("metadata", new Document()).append("added_at", new Date()));
        lake.addDatum(Map.of("n", 100), Map.of(), null, parent).block();

        Outcome outcome = fsck(lake, paged(2));

        assertThat(outcome.streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.MISSING_PARENT);
            assertThat(f.datumId()).isEqualTo(orphan);
            assertThat(f.parentId()).isEqualTo(ghost);
            assertThat(f.detail()).contains(ghost.toHexString());
        });
        assertThat(outcome.report().datums()).isEqualTo(9);
    }

    @Test
    void documentsThatAreNotReadableDatumsAreReportedWhateverTheirId() {
        Datalake lake = lake();
        Datum ok = lake.addDatum(Map.of("n", 1), Map.of()).block();
        ObjectId damaged = new ObjectId();
        var datums = raw().getCollection("Datum");
        datums.insertOne(new Document("_id", damaged).append("added_at", "yesterday"));
        datums.insertOne(new Document("_id", "foreign-1").append("added_at", new Date()));
        datums.insertOne(new Document("_id", "foreign-2").append("added_at", new Date()));
        datums.insertOne(new Document("_id", "foreign-3").append("added_at", new Date()));
        datums.insertOne(new Document("_id", 42).append("added_at", new Date()));

        Outcome outcome = fsck(lake, paged(2));

        assertThat(outcome.streamed()).allSatisfy(f -> assertThat(f.kind()).isEqualTo(Kind.UNREADABLE_DATUM));
        assertThat(outcome.streamed()).hasSize(5);
        assertThat(outcome.streamed().get(0).datumId()).isEqualTo(damaged);
        assertThat(outcome.streamed().get(0).detail()).contains(damaged.toHexString()).contains("added_at");
        assertThat(outcome.streamed().subList(1, 5)).allSatisfy(f -> assertThat(f.datumId()).isNull());
        assertThat(outcome.streamed().subList(1, 5)).extracting(FsckFinding::detail).anySatisfy(
                d -> assertThat(d).contains("42")).anySatisfy(d -> assertThat(d).contains("\"foreign-1\""))
                .anySatisfy(d -> assertThat(d).contains("\"foreign-3\""))
                .allSatisfy(d -> assertThat(d).contains("not an ObjectId"));
        assertThat(outcome.report().datums()).isEqualTo(6);
        assertThat(ok.id()).isNotEqualTo(damaged);
    }

    @Test
    void datumsStoredBeforeTheirSchemaAreSchemaViolations() {
        Datalake lake = lake();
        Datum good = lake.addDatum(Map.of("type", "image", "width", 640), Map.of()).block();
        Datum bad = lake.addDatum(Map.of("type", "image", "width", "wide"), Map.of()).block();
        lake.addDatum(Map.of("type", "label"), Map.of()).block();
        assertThat(fsck(lake).streamed()).as("no schema yet").isEmpty();
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        Outcome outcome = fsck(lake);

        assertThat(outcome.streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.SCHEMA_VIOLATION);
            assertThat(f.datumId()).isEqualTo(bad.id());
            assertThat(f.detail()).contains("image@1").contains("/data/width").contains("type");
        });
        assertThat(good.id()).isNotEqualTo(bad.id());
        assertThat(fsck(lake, FsckOptions.builder().schemas(false).build()).streamed()).isEmpty();
    }

    @Test
    void aJsonPayloadIsValidatedAsItsData() {
        Datalake lake = lake();
        Datum bad = lake.addDatum(Map.of("type", "image", "width", "wide"), Map.of(), registry.uri(), null).block();
        lake.schemas().register("image", IMAGE_SCHEMA).block();

        assertThat(fsck(lake).streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.SCHEMA_VIOLATION);
            assertThat(f.datumId()).isEqualTo(bad.id());
        });
    }

    // ---- datasets ----

    @Test
    void datasetRowsNamingRemovedDatumsAreReportedWithVersionRowAndColumn() {
        Datalake lake = lake();
        List<ObjectId> ids = IntStream.range(0, 3)
                .mapToObj(i -> lake.addDatum(Map.of("i", i), Map.of()).block().id()).toList();
        Datasets ds = lake.datasets();
        publish(ds, "images", ids);
        VersionInfo draft = ds.createDraft("images", DatasetSource.ids("image", List.of(ids.get(2), ids.get(0))))
                .block();
        VersionInfo discarded = ds.createDraft("images", DatasetSource.ids("image", List.of(ids.get(1)))).block();
        ds.discard(discarded.id()).block();
        var datums = raw().getCollection("Datum");
        datums.deleteOne(Filters.eq("_id", ids.get(1)));
        datums.deleteOne(Filters.eq("_id", ids.get(2)));

        Outcome outcome = fsck(lake);

        assertThat(outcome.streamed()).allSatisfy(f -> {
            assertThat(f.kind()).isEqualTo(Kind.DATASET_MISSING_DATUM);
            assertThat(f.column()).isEqualTo("image");
        });
        assertThat(outcome.streamed()).extracting(f -> f.version() + " row " + f.row() + " " + f.datumId())
                .containsExactlyInAnyOrder(
                        "images@1 row 1 " + ids.get(1),
                        "images@1 row 2 " + ids.get(2),
                        "images draft " + draft.id().toHexString() + " row 0 " + ids.get(2));
        assertThat(outcome.report().versions()).isEqualTo(2);
        assertThat(outcome.report().rows()).isEqualTo(5);
        assertThat(fsck(lake, FsckOptions.builder().datasets(false).build()).streamed()).isEmpty();
    }

    @Test
    void aDamagedChunkIsAnUnreadableDataset() {
        Datalake lake = lake();
        List<ObjectId> ids = IntStream.range(0, 2)
                .mapToObj(i -> lake.addDatum(Map.of("i", i), Map.of()).block().id()).toList();
        VersionInfo v = publish(lake.datasets(), "images", ids);
        raw().getCollection("Datum.datasetChunks").updateOne(Filters.eq("v", v.id()),
                new Document("$set", new Document("ids", List.of(ids.get(1), ids.get(0)))));

        assertThat(fsck(lake).streamed()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.UNREADABLE_DATASET);
            assertThat(f.version()).isEqualTo("images@1");
            assertThat(f.versionId()).isEqualTo(v.id());
            assertThat(f.detail()).contains("content hash");
        });
    }

    // ---- read-only, stream vs report, progress, options ----

    @Test
    void fsckWritesNothing() throws Exception {
        Datalake lake = lake();
        Datum cat = image(lake, "cat");
        Datum dog = image(lake, "dog");
        Files.delete(registry.file(cat.registryKey()));
        Files.write(registry.file(dog.registryKey()), "dig".getBytes(StandardCharsets.UTF_8));
        lake.addDatum(Map.of("type", "image"), Map.of()).block();
        raw().getCollection("Datum").insertOne(new Document("_id", "foreign").append("added_at", new Date()));
        raw().getCollection("Datum").insertOne(new Document("_id", new ObjectId()).append("derived_from",
                new ObjectId()).append("added_at", new Date()));
        publish(lake.datasets(), "images", List.of(cat.id(), dog.id()));
        lake.schemas().register("image", IMAGE_SCHEMA).block();
        raw().getCollection("Datum").deleteOne(Filters.eq("_id", dog.id()));
        Map<String, String> before = snapshot();

        Outcome outcome = fsck(lake, verify().toBuilder().pageSize(2).build());

        assertThat(outcome.report().findings()).isGreaterThanOrEqualTo(5);
        assertThat(snapshot()).isEqualTo(before);
    }

    /** Every collection's documents and indexes, and every registry file with its size and time. */
    private Map<String, String> snapshot() throws Exception {
        Map<String, String> all = new TreeMap<>();
        MongoDatabase db = raw();
        for (String name : db.listCollectionNames()) {
            List<String> docs = new ArrayList<>();
            db.getCollection(name).find().sort(Sorts.ascending("_id")).forEach(d -> docs.add(d.toJson()));
            all.put("collection " + name, String.join("\n", docs));
            List<String> indexes = new ArrayList<>();
            db.getCollection(name).listIndexes().forEach(i -> indexes.add(i.toJson()));
            all.put("indexes " + name, String.join("\n", indexes));
        }
        for (String key : registry.list("").collectList().block()) {
            Path file = registry.file(key);
            FileTime modified = Files.getLastModifiedTime(file);
            all.put("object " + key, Files.size(file) + " " + modified);
        }
        return all;
    }

    @Test
    void theStreamTheCallbackAndTheReportAgreeAndDetailsAreCapped() throws Exception {
        Datalake lake = lake();
        List<Datum> images = IntStream.range(0, 5).mapToObj(i -> image(lake, "image " + i)).toList();
        for (Datum d : images) {
            Files.delete(registry.file(d.registryKey()));
        }

        List<FsckFinding> stream = lake.fsck(paged(3)).collectList().block();
        Outcome capped = fsck(lake, paged(3).toBuilder().maxDetails(2).build());

        assertThat(stream).extracting(FsckFinding::datumId)
                .containsExactlyElementsOf(images.stream().map(Datum::id).toList());
        assertThat(capped.streamed()).isEqualTo(stream);
        assertThat(capped.report().details()).isEqualTo(stream.subList(0, 2));
        assertThat(capped.report().count(Kind.MISSING_PAYLOAD)).isEqualTo(5);
        assertThat(capped.report().findings()).isEqualTo(5);
        assertThat(capped.report().detailsTruncated()).isTrue();
        assertThat(Flux.from(lake.fsck(paged(3))).take(2).collectList().block())
                .isEqualTo(stream.subList(0, 2));
    }

    @Test
    void progressReportsGrowingCountsAndAThrowingListenerFailsTheCheck() {
        Datalake lake = lake();
        IntStream.range(0, 5).forEach(i -> lake.addDatum(Map.of("i", i), Map.of()).block());
        List<FsckProgress> seen = new CopyOnWriteArrayList<>();

        FsckReport report = fsck(lake, paged(2).toBuilder().progress(seen::add).build()).report();

        assertThat(seen).hasSizeGreaterThanOrEqualTo(3);
        assertThat(seen).extracting(FsckProgress::datums).isSorted();
        assertThat(seen.get(seen.size() - 1).datums()).isEqualTo(report.datums()).isEqualTo(5);

        IllegalStateException boom = new IllegalStateException("listener broke");
        assertThatThrownBy(() -> lake.fsck(FsckOptions.builder().progress(p -> {
            throw boom;
        }).build()).blockLast()).isInstanceOf(DatalakeException.class).hasCause(boom);
    }

    @Test
    void aThrowingFindingCallbackFailsTheCheck() throws Exception {
        Datalake lake = lake();
        Datum d = image(lake, "cat");
        Files.delete(registry.file(d.registryKey()));
        IllegalStateException boom = new IllegalStateException("callback broke");

        assertThatThrownBy(() -> lake.fsck(FsckOptions.defaults(), f -> {
            throw boom;
        }).block()).isInstanceOf(DatalakeException.class).hasCause(boom);
    }

    @Test
    void optionsAreCheckedBeforeAnythingRuns() {
        assertThatThrownBy(() -> FsckOptions.builder().parallelism(0)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> FsckOptions.builder().parallelism(FsckOptions.MAX_PARALLELISM + 1))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> FsckOptions.builder().maxDetails(-1)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> FsckOptions.builder().pageSize(0)).isInstanceOf(InvalidArgumentException.class);
        assertThat(FsckOptions.defaults().parallelism()).isEqualTo(FsckOptions.DEFAULT_PARALLELISM);
        assertThat(FsckOptions.defaults().verify()).isFalse();
        Datalake lake = lake();
        assertThatThrownBy(() -> lake.fsck(null).blockLast()).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> lake.fsck(FsckOptions.defaults(), null).block())
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aNewDatumPointingAtAnExistingObjectIsClean() {
        Datalake lake = lake();
        Datum d = image(lake, "cat");
        Datum again = lake.addDatum(NewDatum.builder().data("cat".getBytes(StandardCharsets.UTF_8))
                .registryUri(registry.uri()).derivedFrom(d.id()).build()).block();

        assertThat(again.registryKey()).isEqualTo(d.registryKey());
        assertThat(fsck(lake, verify()).streamed()).isEmpty();
    }
}
