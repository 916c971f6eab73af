package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.AuditReport;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.DatasetCheck;
import io.datalake.dataset.DatasetNotFoundException;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.DiffEntry;
import io.datalake.dataset.ImmutableVersionException;
import io.datalake.dataset.InvalidDatasetNameException;
import io.datalake.dataset.MalformedDatasetException;
import io.datalake.dataset.NotAuditedException;
import io.datalake.dataset.PublishConflictException;
import io.datalake.dataset.Row;
import io.datalake.dataset.RowPage;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionNotFoundException;
import io.datalake.dataset.VersionRef;
import io.datalake.dataset.VersionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Datasets with write-audit-publish, run against the embedded server in every build
 * ({@link EmbeddedDatasetContractTest}) and against a real MongoDB where Docker exists
 * ({@link MongoContainerDatasetContractIT}).
 */
abstract class DatasetContract {
    private static final AtomicInteger DATABASES = new AtomicInteger();

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
        database = "datasets_" + DATABASES.incrementAndGet();
        Datalake lake = Datalakes.create(DatalakeSettings.builder().mongoUri(connectionString()).database(database)
                .actor("tester").build());
        toClose.add(lake);
        return lake;
    }

    private List<ObjectId> images(Datalake lake, int n) {
        List<NewDatum> data = IntStream.range(0, n)
                .mapToObj(i -> NewDatum.builder().data(Map.of("i", i)).build()).toList();
        return lake.addData(Flux.fromIterable(data)).map(Datum::id).collectList().block();
    }

    private static VersionInfo publishIds(Datasets ds, String name, List<ObjectId> ids) {
        VersionInfo draft = ds.createDraft(name, DatasetSource.ids("image", ids)).block();
        assertThat(ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        return ds.publish(draft.id()).block();
    }

    @Test
    void aPublishedVersionReadsBackAndResolvesByLatestNumberAndTag() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 5);
        VersionInfo v1 = publishIds(ds, "scenes", ids);
        assertThat(v1.number()).isEqualTo(1);
        assertThat(v1.state()).isEqualTo(VersionState.PUBLISHED);
        assertThat(v1.actor()).isEqualTo("tester");
        assertThat(v1.rowCount()).isEqualTo(5);
        assertThat(ds.rows(VersionRef.parse("scenes")).map(r -> r.get("image")).collectList().block())
                .isEqualTo(ids);
        ds.tag("scenes", "prod", 1).block();
        assertThat(ds.resolve(VersionRef.parse("scenes@prod")).block().id()).isEqualTo(v1.id());
        assertThat(ds.resolve(VersionRef.parse("scenes@1")).block().tags()).containsExactly("prod");
        VersionInfo v2 = publishIds(ds, "scenes", ids.subList(0, 2));
        assertThat(v2.number()).isEqualTo(2);
        ds.tag("scenes", "prod", 2).block();
        assertThat(ds.tagHistory("scenes").map(m -> m.from() + "->" + m.to()).collectList().block())
                .containsExactly("null->1", "1->2");
        assertThat(ds.versions("scenes").map(VersionInfo::number).collectList().block()).containsExactly(1, 2);
        assertThat(ds.datasets().map(d -> d.name() + "@" + d.latest()).collectList().block())
                .containsExactly("scenes@2");
        assertThatThrownBy(() -> ds.resolve(VersionRef.parse("scenes@3")).block())
                .isInstanceOf(VersionNotFoundException.class).hasMessageContaining("scenes@3");
        assertThatThrownBy(() -> ds.resolve(VersionRef.parse("nope")).block())
                .isInstanceOf(DatasetNotFoundException.class).hasMessageContaining("nope");
    }

    @Test
    void aDraftIsInvisibleToLatestUntilPublished() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        VersionInfo v1 = publishIds(ds, "scenes", ids);
        VersionInfo draft = ds.createDraft("scenes", DatasetSource.ids("image", ids.subList(0, 1))).block();
        assertThat(draft.state()).isEqualTo(VersionState.DRAFT);
        assertThat(draft.number()).isNull();
        assertThat(ds.resolve(VersionRef.latest("scenes")).block().id()).isEqualTo(v1.id());
        assertThat(ds.versions("scenes").count().block()).isEqualTo(1);
        ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block();
        assertThat(ds.resolve(VersionRef.latest("scenes")).block().id()).as("audited is not published")
                .isEqualTo(v1.id());
        assertThatThrownBy(() -> ds.rows(VersionRef.parse("scenes@2")).blockLast())
                .isInstanceOf(VersionNotFoundException.class);
        ds.publish(draft.id()).block();
        assertThat(ds.resolve(VersionRef.latest("scenes")).block().id()).isEqualTo(draft.id());
    }

    @Test
    void everyWritePathRefusesAPublishedVersion() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        VersionInfo v1 = publishIds(ds, "scenes", ids);
        assertThatThrownBy(() -> ds.publish(v1.id()).block()).isInstanceOf(ImmutableVersionException.class)
                .hasMessageContaining("scenes@1");
        assertThatThrownBy(() -> ds.audit(v1.id(), AuditOptions.defaults(), List.of()).block())
                .isInstanceOf(ImmutableVersionException.class);
        assertThatThrownBy(() -> ds.discard(v1.id()).block()).isInstanceOf(ImmutableVersionException.class);
        assertThat(ds.collectGarbage(java.time.Duration.ZERO).block()).isZero();
        assertThat(ds.rows(v1.ref()).map(r -> r.get("image")).collectList().block()).isEqualTo(ids);
        assertThat(ds.resolve(v1.ref()).block().contentHash()).isEqualTo(v1.contentHash());
    }

    @Test
    void concurrentPublishersOfOneDatasetHaveExactlyOneWinner() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 4);
        for (int round = 1; round <= 10; round++) {
            List<VersionInfo> drafts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                VersionInfo d = ds.createDraft("race", DatasetSource.ids("image", ids.subList(i, i + 1))).block();
                ds.audit(d.id(), AuditOptions.defaults(), List.of()).block();
                drafts.add(d);
            }
            List<String> outcomes = Flux.fromIterable(drafts)
                    .flatMap(d -> ds.publish(d.id()).map(v -> "won").onErrorResume(PublishConflictException.class,
                            e -> Mono.just("conflict")).subscribeOn(Schedulers.parallel()))
                    .collectList().block();
            assertThat(outcomes).as("round " + round).containsOnly("won", "conflict");
            assertThat(outcomes.stream().filter("won"::equals).count()).as("round " + round).isEqualTo(1);
            assertThat(ds.resolve(VersionRef.latest("race")).block().number()).isEqualTo(round);
            for (VersionInfo d : drafts) {
                if (ds.version(d.id()).block().state() == VersionState.DRAFT) {
                    ds.discard(d.id()).block();
                }
            }
        }
    }

    @Test
    void anAuditFailsForAMissingDatumAndADuplicateRowAndThenPublishIsRefused() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = new ArrayList<>(images(lake, 3));
        ObjectId missing = new ObjectId();
        ids.add(missing);
        ids.add(ids.get(0));
        VersionInfo draft = ds.createDraft("broken", DatasetSource.ids("image", ids)).block();
        AuditReport report = ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block();
        assertThat(report.passed()).isFalse();
        Map<String, CheckResult> byName = report.checks().stream()
                .collect(Collectors.toMap(CheckResult::name, c -> c));
        assertThat(byName.get("datums exist").passed()).isFalse();
        assertThat(byName.get("datums exist").exampleRows()).containsExactly(3L);
        assertThat(byName.get("no duplicate rows").passed()).isFalse();
        assertThat(byName.get("no duplicate rows").exampleRows()).containsExactly(4L);
        assertThat(byName.get("no empty column").passed()).isTrue();
        assertThatThrownBy(() -> ds.publish(draft.id()).block()).isInstanceOf(NotAuditedException.class)
                .hasMessageContaining("datums exist");
        assertThatThrownBy(() -> ds.resolve(VersionRef.latest("broken")).block())
                .isInstanceOf(VersionNotFoundException.class);
    }

    @Test
    void aDeletedDatumFailsTheAuditAndAThrowingUserCheckFailsIt() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        VersionInfo draft = ds.createDraft("scenes", DatasetSource.ids("image", ids)).block();
        try (MongoClient client = MongoClients.create(connectionString())) {
            client.getDatabase(database).getCollection("Datum").deleteOne(Filters.eq("_id", ids.get(1)));
        }
        AuditReport report = ds.audit(draft.id(), AuditOptions.defaults(), List.of(
                DatasetCheck.everyRow("boom", r -> Mono.error(new IllegalStateException("boom"))))).block();
        assertThat(report.checks()).filteredOn(c -> !c.passed()).extracting(CheckResult::name)
                .containsExactly("datums exist", "boom");
        assertThat(report.checks().get(0).exampleRows()).containsExactly(1L);
    }

    @Test
    void anUnauditedOrStaleDraftIsNotPublished() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 2);
        VersionInfo draft = ds.createDraft("scenes", DatasetSource.ids("image", ids)).block();
        assertThatThrownBy(() -> ds.publish(draft.id()).block()).isInstanceOf(NotAuditedException.class)
                .hasMessageContaining("never audited");
        ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block();
        try (MongoClient client = MongoClients.create(connectionString())) {
            client.getDatabase(database).getCollection("Datum.datasetVersions").updateOne(
                    Filters.eq("_id", draft.id()), new Document("$set", new Document("contentHash", "0".repeat(64))));
        }
        assertThatThrownBy(() -> ds.publish(draft.id()).block()).isInstanceOf(NotAuditedException.class)
                .hasMessageContaining("stale");
    }

    @Test
    void aVersionOfMoreThanOneChunkReadsBackInOrderAndPages() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 25_001);
        VersionInfo v = publishIds(ds, "big", ids);
        try (MongoClient client = MongoClients.create(connectionString())) {
            assertThat(client.getDatabase(database).getCollection("Datum.datasetChunks")
                    .countDocuments(Filters.eq("v", v.id()))).isEqualTo(3);
        }
        List<Row> rows = ds.rows(v.ref()).collectList().block();
        assertThat(rows).extracting(r -> r.get("image")).isEqualTo(ids);
        assertThat(rows).extracting(Row::number).isEqualTo(
                IntStream.range(0, ids.size()).mapToObj(i -> (long) i).toList());
        List<ObjectId> paged = new ArrayList<>();
        String cursor = null;
        do {
            RowPage page = ds.page(VersionRef.latest("big"), cursor, 7_000, false).block();
            page.rows().forEach(r -> paged.add(r.get("image")));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertThat(paged).isEqualTo(ids);
        RowPage expanded = ds.page(v.ref(), null, 3, true).block();
        assertThat(expanded.datums().keySet()).containsExactlyInAnyOrderElementsOf(ids.subList(0, 3));
    }

    @Test
    void theContentHashDependsOnlyOnTheRowsInOrder() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        String a = ds.createDraft("h", DatasetSource.ids("image", ids)).block().contentHash();
        String b = ds.createDraft("h2", DatasetSource.ids("image", ids)).block().contentHash();
        String reversed = ds.createDraft("h", DatasetSource.ids("image", List.of(ids.get(2), ids.get(1),
                ids.get(0)))).block().contentHash();
        String otherColumn = ds.createDraft("h", DatasetSource.ids("picture", ids)).block().contentHash();
        assertThat(a).hasSize(64).isEqualTo(b).isNotEqualTo(reversed).isNotEqualTo(otherColumn);
    }

    @Test
    void aDiffMatchesAReferenceAndAVersionSourcePinsItsBase() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 40);
        VersionInfo v1 = publishIds(ds, "d", ids.subList(0, 30));
        List<Map<String, ObjectId>> removed = List.of(Map.of("image", ids.get(3)), Map.of("image", ids.get(7)));
        List<Map<String, ObjectId>> added = ids.subList(30, 40).stream().map(id -> Map.of("image", id)).toList();
        VersionInfo draft = ds.createDraft("d", DatasetSource.fromVersion(VersionRef.parse("d@latest"),
                Flux.fromIterable(added), Flux.fromIterable(removed))).block();
        assertThat(draft.source().derivedFrom()).isEqualTo(VersionRef.of("d", 1));
        assertThat(ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        VersionInfo v2 = ds.publish(draft.id()).block();
        List<DiffEntry> diff = ds.diff(v1.ref(), v2.ref()).collectList().block();
        Map<DiffEntry.Kind, List<ObjectId>> byKind = new HashMap<>();
        diff.forEach(e -> byKind.computeIfAbsent(e.kind(), k -> new ArrayList<>()).add(e.columns().get("image")));
        assertThat(byKind.get(DiffEntry.Kind.ADDED)).containsExactlyInAnyOrderElementsOf(ids.subList(30, 40));
        assertThat(byKind.get(DiffEntry.Kind.REMOVED)).containsExactlyInAnyOrder(ids.get(3), ids.get(7));
        assertThat(ds.diff(v1.ref(), v1.ref()).count().block()).isZero();
    }

    @Test
    void badNamesAreRefusedBeforeAnythingIsWritten() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 1);
        for (String bad : List.of("Upper", "-x", "a b", "a/b", "")) {
            assertThatThrownBy(() -> ds.createDraft(bad, DatasetSource.ids("image", ids)).block()).as(bad)
                    .isInstanceOf(InvalidDatasetNameException.class);
        }
        assertThatThrownBy(() -> ds.tag("ok", "latest", 1).block()).isInstanceOf(InvalidDatasetNameException.class);
        try (MongoClient client = MongoClients.create(connectionString())) {
            for (String c : List.of("Datum.datasets", "Datum.datasetVersions", "Datum.datasetChunks")) {
                assertThat(client.getDatabase(database).getCollection(c).countDocuments()).as(c).isZero();
            }
        }
    }

    @Test
    void discardedAndAbandonedDraftsAreCollectedWithTheirChunks() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        VersionInfo kept = publishIds(ds, "g", ids);
        VersionInfo draft = ds.createDraft("g", DatasetSource.ids("image", ids)).block();
        assertThat(ds.drafts(java.time.Duration.ZERO).map(VersionInfo::id).collectList().block())
                .containsExactly(draft.id());
        assertThat(ds.collectGarbage(java.time.Duration.ZERO).block()).isEqualTo(1);
        assertThat(ds.version(draft.id()).block().state()).isEqualTo(VersionState.DISCARDED);
        try (MongoClient client = MongoClients.create(connectionString())) {
            assertThat(client.getDatabase(database).getCollection("Datum.datasetChunks")
                    .countDocuments(Filters.eq("v", draft.id()))).isZero();
        }
        assertThat(ds.rows(kept.ref()).count().block()).isEqualTo(3);
        assertThat(ds.isRetained(List.of(ids.get(0), new ObjectId())).block().values())
                .containsExactly(true, false);
    }

    private com.mongodb.client.MongoCollection<Document> raw(MongoClient client, String collection) {
        return client.getDatabase(database).getCollection("Datum." + collection);
    }

    @Test
    void damagedOrForeignChunksAreTypedErrorsNamingTheVersionNeverWrongRows() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        List<java.util.function.Function<ObjectId, org.bson.conversions.Bson>> damages = List.of(
                v -> new Document("$set", new Document("ids", List.of("not", "an", "id"))),
                v -> new Document("$set", new Document("ids", "text")),
                v -> new Document("$unset", new Document("c", "")),
                v -> new Document("$set", new Document("c", "0")),
                v -> new Document("$set", new Document("n", 100_000)),
                v -> new Document("$set", new Document("ids", List.of(ids.get(0), ids.get(1)))),
                v -> new Document("$set", new Document("ids", List.of(ids.get(2), ids.get(1), ids.get(0)))),
                v -> new Document("$set", new Document("v", new ObjectId())));
        try (MongoClient client = MongoClients.create(connectionString())) {
            for (int i = 0; i < damages.size(); i++) {
                VersionInfo v = publishIds(ds, "damaged" + i, ids);
                raw(client, "datasetChunks").updateOne(Filters.eq("v", v.id()), damages.get(i).apply(v.id()));
                List<Row> seen = new ArrayList<>();
                assertThatThrownBy(() -> ds.rows(v.ref()).doOnNext(seen::add).blockLast()).as("damage " + i)
                        .isInstanceOf(MalformedDatasetException.class).hasMessageContaining(v.id().toHexString());
                assertThatThrownBy(() -> ds.diff(v.ref(), v.ref()).blockLast()).as("diff, damage " + i)
                        .isInstanceOf(MalformedDatasetException.class);
            }
            // A multi-chunk draft: swapped chunks (only the content hash tells), a gap, a huge chunk.
            List<ObjectId> many = IntStream.range(0, 20_001).mapToObj(i -> new ObjectId()).toList();
            VersionInfo swapped = ds.createDraft("many", DatasetSource.ids("image", many)).block();
            var chunks = raw(client, "datasetChunks");
            chunks.updateOne(Filters.and(Filters.eq("v", swapped.id()), Filters.eq("c", 0)),
                    new Document("$set", new Document("c", 99)));
            chunks.updateOne(Filters.and(Filters.eq("v", swapped.id()), Filters.eq("c", 1)),
                    new Document("$set", new Document("c", 0)));
            chunks.updateOne(Filters.and(Filters.eq("v", swapped.id()), Filters.eq("c", 99)),
                    new Document("$set", new Document("c", 1)));
            assertThatThrownBy(() -> ds.rows(swapped.id()).blockLast()).isInstanceOf(MalformedDatasetException.class)
                    .hasMessageContaining("content hash");
            assertThat(ds.audit(swapped.id(), AuditOptions.defaults(), List.of()).block().passed()).isFalse();
            VersionInfo gap = ds.createDraft("many", DatasetSource.ids("image", many)).block();
            chunks.updateOne(Filters.and(Filters.eq("v", gap.id()), Filters.eq("c", 1)),
                    new Document("$set", new Document("c", 7)));
            assertThatThrownBy(() -> ds.rows(gap.id()).blockLast()).isInstanceOf(MalformedDatasetException.class)
                    .hasMessageContaining("chunk 1");
            VersionInfo huge = ds.createDraft("many", DatasetSource.ids("image", many)).block();
            List<ObjectId> tooMany = IntStream.range(0, 30_000).mapToObj(i -> new ObjectId()).toList();
            chunks.updateOne(Filters.and(Filters.eq("v", huge.id()), Filters.eq("c", 2)),
                    new Document("$set", new Document("ids", tooMany).append("n", tooMany.size())));
            assertThatThrownBy(() -> ds.rows(huge.id()).blockLast()).isInstanceOf(MalformedDatasetException.class)
                    .hasMessageContaining("c: 2");
        }
    }

    @Test
    void damagedVersionDatasetAndTagMoveDocumentsAreTypedErrorsOrSkippedInListings() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        VersionInfo good = publishIds(ds, "good", ids);
        ds.tag("good", "prod", 1).block();
        try (MongoClient client = MongoClients.create(connectionString())) {
            var versions = raw(client, "datasetVersions");
            VersionInfo stringNumber = publishIds(ds, "n", ids);
            versions.updateOne(Filters.eq("_id", stringNumber.id()), new Document("$set", new Document("number", "1")));
            assertThatThrownBy(() -> ds.resolve(VersionRef.parse("n")).block())
                    .isInstanceOf(MalformedDatasetException.class).hasMessageContaining(stringNumber.id().toHexString());
            assertThatThrownBy(() -> ds.version(stringNumber.id()).block())
                    .isInstanceOf(MalformedDatasetException.class);
            VersionInfo wrongCount = publishIds(ds, "count", ids);
            versions.updateOne(Filters.eq("_id", wrongCount.id()), new Document("$set", new Document("rowCount", 2)));
            assertThatThrownBy(() -> ds.rows(wrongCount.ref()).blockLast())
                    .isInstanceOf(MalformedDatasetException.class);
            VersionInfo wide = publishIds(ds, "wide", ids);
            versions.updateOne(Filters.eq("_id", wide.id()), new Document("$set", new Document("columns",
                    IntStream.range(0, 10_000).mapToObj(i -> "c" + i).toList())));
            assertThatThrownBy(() -> ds.rows(wide.ref()).blockLast()).isInstanceOf(MalformedDatasetException.class)
                    .hasMessageContaining("columns");
            assertThatThrownBy(() -> ds.createDraft("wide", DatasetSource.fromVersion(wide.ref(), Flux.empty(),
                    Flux.empty())).block()).isInstanceOf(MalformedDatasetException.class);
            VersionInfo draft = ds.createDraft("s", DatasetSource.ids("image", ids)).block();
            ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block();
            for (Document damage : List.of(new Document("state", 42), new Document("audit", "passed"),
                    new Document("complete", "yes"), new Document("audit.passed", "true"))) {
                Document before = versions.find(Filters.eq("_id", draft.id())).first();
                versions.updateOne(Filters.eq("_id", draft.id()), new Document("$set", damage));
                assertThatThrownBy(() -> ds.publish(draft.id()).block()).as(damage.toJson())
                        .isInstanceOf(io.datalake.DatalakeNonTransientException.class)
                        .isNotInstanceOf(ClassCastException.class);
                versions.replaceOne(Filters.eq("_id", draft.id()), before);
            }
            raw(client, "datasets").updateOne(Filters.eq("_id", "n"), new Document("$set",
                    new Document("tags", "prod").append("createdAt", "yesterday")));
            raw(client, "datasets").insertOne(new Document("_id", 7).append("tags", List.of()));
            assertThatThrownBy(() -> ds.resolve(VersionRef.parse("n@1")).block())
                    .isInstanceOf(MalformedDatasetException.class).hasMessageContaining("'n'");
            assertThat(ds.datasets().map(d -> d.name()).collectList().block()).contains("good")
                    .doesNotContain("n");
            raw(client, "datasetTagMoves").insertOne(new Document("dataset", "good").append("tag", 5));
            assertThat(ds.tagHistory("good").map(m -> m.tag() + "->" + m.to()).collectList().block())
                    .containsExactly("prod->1");
            versions.insertOne(new Document("_id", "foreign").append("state", "DRAFT").append("slot", "x")
                    .append("createdAt", new java.util.Date(0)));
            assertThat(ds.drafts(java.time.Duration.ZERO).map(VersionInfo::dataset).collectList().block())
                    .containsExactly("s");
            assertThat(ds.collectGarbage(java.time.Duration.ZERO).block()).isEqualTo(1);
            assertThat(ds.rows(good.ref()).count().block()).isEqualTo(3);
        }
    }

    @Test
    void columnNamesAreCheckedBeforeAnythingIsWritten() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 1);
        for (String bad : List.of("a\u0000b", "a\nb", "x".repeat(1 << 20), "", "$x", "a.b")) {
            assertThatThrownBy(() -> ds.createDraft("cols", DatasetSource.ids(bad, ids)).block())
                    .as(bad.length() > 20 ? "1 MB name" : bad).isInstanceOf(io.datalake.InvalidArgumentException.class)
                    .hasMessageContaining("column");
        }
        try (MongoClient client = MongoClients.create(connectionString())) {
            assertThat(raw(client, "datasetVersions").countDocuments()).isZero();
        }
    }

    @Test
    void aForgedPageCursorBeyondTheVersionIsRefused() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        VersionInfo v = publishIds(ds, "p", images(lake, 3));
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "p|1|99999999999999999".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ds.page(v.ref(), forged, 10, false).block())
                .isInstanceOf(io.datalake.InvalidArgumentException.class).hasMessageContaining("cursor");
        String end = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "p|1|3".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(ds.page(v.ref(), end, 10, false).block().rows()).isEmpty();
        String trailing = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "p|1|0|".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> ds.page(v.ref(), trailing, 10, false).block()).as("no part may be appended")
                .isInstanceOf(io.datalake.InvalidArgumentException.class).hasMessageContaining("cursor");
    }

    @Test
    void aVersionSourceRefusesRemovedRowsThatAreNotInTheBase() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 4);
        VersionInfo v1 = publishIds(ds, "base", ids.subList(0, 3));
        ObjectId stranger = ids.get(3);
        assertThatThrownBy(() -> ds.createDraft("base", DatasetSource.fromVersion(v1.ref(), Flux.empty(),
                Flux.just(Map.of("image", ids.get(0)), Map.of("image", stranger)))).block())
                .isInstanceOf(io.datalake.InvalidArgumentException.class).hasMessageContaining(stranger.toHexString())
                .hasMessageContaining("base@1");
        Map<String, ObjectId> nullId = new HashMap<>();
        nullId.put("image", null);
        assertThatThrownBy(() -> ds.createDraft("base", DatasetSource.fromVersion(v1.ref(), Flux.empty(),
                Flux.just(nullId))).block()).isInstanceOf(io.datalake.InvalidArgumentException.class);
        assertThat(ds.drafts(java.time.Duration.ZERO).filter(d -> d.complete()).count().block()).isZero();
    }

    @Test
    void aDraftDiscardedWhileItsRowsAreWrittenFailsItsWriter() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> many = IntStream.range(0, 25_000).mapToObj(i -> new ObjectId()).toList();
        Flux<ObjectId> source = Flux.concat(Flux.fromIterable(many.subList(0, 15_000)),
                Mono.fromRunnable(() -> ds.collectGarbage(java.time.Duration.ZERO).block())
                        .subscribeOn(Schedulers.boundedElastic()).then(Mono.empty()),
                Flux.fromIterable(many.subList(15_000, 25_000)));
        assertThatThrownBy(() -> ds.createDraft("gc", DatasetSource.ids("image", source)).block())
                .isInstanceOf(io.datalake.DatalakeNonTransientException.class).hasMessageContaining("discarded");
        ds.collectGarbage(java.time.Duration.ZERO).block();
        try (MongoClient client = MongoClients.create(connectionString())) {
            assertThat(raw(client, "datasetChunks").countDocuments()).isZero();
        }
    }

    @Test
    void publishNeedsAnAuditOfTheSameRowCountAndColumnsAndAValidNumber() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        try (MongoClient client = MongoClients.create(connectionString())) {
            var versions = raw(client, "datasetVersions");
            VersionInfo d1 = ds.createDraft("a", DatasetSource.ids("image", ids)).block();
            ds.audit(d1.id(), AuditOptions.defaults(), List.of()).block();
            versions.updateOne(Filters.eq("_id", d1.id()), new Document("$set", new Document("rowCount", 2)));
            assertThatThrownBy(() -> ds.publish(d1.id()).block()).isInstanceOf(NotAuditedException.class);
            VersionInfo d2 = ds.createDraft("a", DatasetSource.ids("image", ids)).block();
            ds.audit(d2.id(), AuditOptions.defaults(), List.of()).block();
            versions.updateOne(Filters.eq("_id", d2.id()), new Document("$set", new Document("columns",
                    List.of("picture"))));
            assertThatThrownBy(() -> ds.publish(d2.id()).block()).isInstanceOf(NotAuditedException.class);
            VersionInfo d3 = ds.createDraft("a", DatasetSource.ids("image", ids)).block();
            ds.audit(d3.id(), AuditOptions.defaults(), List.of()).block();
            versions.updateOne(Filters.eq("_id", d3.id()), new Document("$set", new Document("audit.baseLatest", -1)));
            assertThatThrownBy(() -> ds.publish(d3.id()).block()).isInstanceOf(MalformedDatasetException.class);
            assertThatThrownBy(() -> ds.resolve(VersionRef.latest("a")).block())
                    .isInstanceOf(VersionNotFoundException.class);
        }
    }

    @Test
    void hugeUserCheckResultsAreCappedWhenRecordedAndHugeCheckNamesRefused() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        VersionInfo draft = ds.createDraft("u", DatasetSource.ids("image", images(lake, 3))).block();
        DatasetCheck loud = new DatasetCheck() {
            @Override
            public String name() {
                return "loud";
            }

            @Override
            public Mono<CheckResult> run(Flux<Row> rows, AuditOptions options) {
                return Mono.just(new CheckResult("loud", false, 3, 3,
                        java.util.stream.LongStream.range(0, 1_000_000).boxed().toList(), "x".repeat(20 << 20)));
            }
        };
        AuditReport report = ds.audit(draft.id(), AuditOptions.defaults(), List.of(loud)).block();
        CheckResult recorded = ds.version(draft.id()).block().audit().checks().stream()
                .filter(c -> c.name().equals("loud")).findFirst().orElseThrow();
        assertThat(recorded.passed()).isFalse();
        assertThat(recorded.exampleRows()).hasSizeLessThanOrEqualTo(AuditOptions.defaults().maxExamples());
        assertThat(recorded.message()).hasSizeLessThan(10_000);
        assertThat(report.passed()).isFalse();
        DatasetCheck silent = new DatasetCheck() {
            @Override
            public String name() {
                return "silent";
            }

            @Override
            public Mono<CheckResult> run(Flux<Row> rows, AuditOptions options) {
                return Mono.empty();
            }
        };
        AuditReport quiet = ds.audit(draft.id(), AuditOptions.defaults(), List.of(silent)).block();
        assertThat(quiet.passed()).isFalse();
        assertThat(quiet.checks()).filteredOn(c -> !c.passed()).extracting(CheckResult::name)
                .containsExactly("silent");
        DatasetCheck longName = DatasetCheck.everyRow("n".repeat(1 << 20), r -> Mono.just(true));
        assertThatThrownBy(() -> ds.audit(draft.id(), AuditOptions.defaults(), List.of(longName)).block())
                .isInstanceOf(io.datalake.InvalidArgumentException.class).hasMessageContaining("check name");
    }

    @Test
    void isRetainedSeesPublishedVersionsOnlyAndToleratesForeignChunks() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        VersionInfo v = publishIds(ds, "r", ids.subList(0, 1));
        ds.createDraft("r", DatasetSource.ids("image", ids.subList(1, 2))).block();
        try (MongoClient client = MongoClients.create(connectionString())) {
            raw(client, "datasetChunks").insertOne(new Document("v", v.id()).append("c", 5)
                    .append("ids", List.of("x", ids.get(2))));
        }
        assertThat(ds.isRetained(ids).block()).containsExactly(Map.entry(ids.get(0), true),
                Map.entry(ids.get(1), false), Map.entry(ids.get(2), true));
    }

    @Test
    void aFailedCreateDraftLeavesNoDraftAndNoRowsBehind() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        assertThatThrownBy(() -> ds.createDraft("f", DatasetSource.ids("image", List.of())).block())
                .isInstanceOf(io.datalake.InvalidArgumentException.class).hasMessageContaining("no rows");
        Flux<ObjectId> broken = Flux.concat(Flux.range(0, 15_000).map(i -> new ObjectId()),
                Flux.error(new IllegalStateException("the source broke")));
        assertThatThrownBy(() -> ds.createDraft("f", DatasetSource.ids("image", broken)).block())
                .isInstanceOf(io.datalake.DatalakeException.class).hasMessageContaining("the source broke");
        assertThat(ds.drafts(java.time.Duration.ZERO).collectList().block()).isEmpty();
        try (MongoClient client = MongoClients.create(connectionString())) {
            assertThat(raw(client, "datasetChunks").countDocuments()).isZero();
            long versionsBefore = raw(client, "datasetVersions").countDocuments();
            List<Map<String, Object>> levels = new ArrayList<>();
            levels.add(Map.of("column", "c0"));
            for (int i = 1; i <= 64; i++) { // 65 levels, one more than MongoDatasets.MAX_COLUMNS
                levels.add(Map.of("column", "c" + i, "derived_from", "c" + (i - 1)));
            }
            assertThatThrownBy(() -> ds.createDraft("f", DatasetSource.query(io.datalake.query.Query.fromMaps(levels),
                    io.datalake.query.QueryOptions.defaults())).block())
                    .isInstanceOf(io.datalake.InvalidArgumentException.class).hasMessageContaining("64 columns");
            assertThat(raw(client, "datasetVersions").countDocuments()).isEqualTo(versionsBefore);
        }
    }

    @Test
    void aPublishRacingADiscardEitherPublishesWithAllRowsOrDiscards() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = images(lake, 3);
        for (int round = 0; round < 10; round++) {
            VersionInfo d = ds.createDraft("race", DatasetSource.ids("image", ids)).block();
            ds.audit(d.id(), AuditOptions.defaults(), List.of()).block();
            Mono<String> publish = ds.publish(d.id()).map(v -> "published")
                    .onErrorResume(PublishConflictException.class, e -> Mono.just("refused"));
            Mono<String> discard = ds.discard(d.id()).thenReturn("discarded")
                    .onErrorResume(ImmutableVersionException.class, e -> Mono.just("refused"));
            List<String> outcome = Flux.merge(publish.subscribeOn(Schedulers.parallel()),
                    discard.subscribeOn(Schedulers.parallel())).collectList().block();
            assertThat(outcome).as("round " + round).containsExactlyInAnyOrder(
                    outcome.contains("published") ? "published" : "discarded", "refused");
            VersionInfo after = ds.version(d.id()).block();
            if (after.state() == VersionState.PUBLISHED) {
                assertThat(ds.rows(after.ref()).map(r -> r.get("image")).collectList().block()).isEqualTo(ids);
            } else {
                assertThat(after.state()).isEqualTo(VersionState.DISCARDED);
            }
        }
    }

    @Test
    void aNegativeAgeIsRefusedAndADiscardedDraftHasNoRowsToRead() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        VersionInfo draft = ds.createDraft("young", DatasetSource.ids("image", images(lake, 2))).block();
        assertThatThrownBy(() -> ds.collectGarbage(java.time.Duration.ofHours(-1)).block())
                .isInstanceOf(io.datalake.InvalidArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> ds.drafts(java.time.Duration.ofHours(-1)).blockLast())
                .isInstanceOf(io.datalake.InvalidArgumentException.class);
        assertThat(ds.version(draft.id()).block().state()).isEqualTo(VersionState.DRAFT);
        ds.discard(draft.id()).block();
        assertThatThrownBy(() -> ds.rows(draft.id()).blockLast()).isInstanceOf(VersionNotFoundException.class)
                .hasMessageContaining("discarded");
    }

    @Test
    void aProcessKilledWhileWritingRowsLeavesAnIncompleteDraftThatGarbageCollectionRemoves() throws Exception {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(List.of(javaCommand, "-Xmx128m", "-cp",
                System.getProperty("java.class.path"), DatasetCrashChild.class.getName(), connectionString(),
                database, "writing")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line;
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                        if (l.startsWith("WRITING")) {
                            return l;
                        }
                    }
                    return "";
                } catch (java.io.IOException e) {
                    return "";
                }
            }).get(2, java.util.concurrent.TimeUnit.MINUTES);
        } finally {
            child.destroyForcibly();
            child.waitFor(1, java.util.concurrent.TimeUnit.MINUTES);
        }
        assertThat(line).isEqualTo("WRITING");
        List<VersionInfo> left = ds.drafts(java.time.Duration.ZERO).collectList().block();
        assertThat(left).singleElement().satisfies(d -> {
            assertThat(d.dataset()).isEqualTo("crashw");
            assertThat(d.complete()).isFalse();
        });
        assertThatThrownBy(() -> ds.resolve(VersionRef.latest("crashw")).block())
                .isInstanceOf(VersionNotFoundException.class);
        assertThatThrownBy(() -> ds.publish(left.get(0).id()).block()).isInstanceOf(NotAuditedException.class)
                .hasMessageContaining("incomplete");
        assertThat(ds.collectGarbage(java.time.Duration.ZERO).block()).isEqualTo(1);
        try (MongoClient client = MongoClients.create(connectionString())) {
            assertThat(raw(client, "datasetChunks").countDocuments()).isZero();
        }
    }

    @Test
    void aProcessKilledBetweenAuditAndPublishLeavesADraftThatCanBePublishedLater() throws Exception {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(List.of(javaCommand, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                DatasetCrashChild.class.getName(), connectionString(), database))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line;
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                        if (l.startsWith("AUDITED ")) {
                            return l;
                        }
                    }
                    return "";
                } catch (java.io.IOException e) {
                    return "";
                }
            }).get(2, java.util.concurrent.TimeUnit.MINUTES);
        } finally {
            child.destroyForcibly();
            child.waitFor(1, java.util.concurrent.TimeUnit.MINUTES);
        }
        assertThat(line).startsWith("AUDITED ");
        ObjectId draft = new ObjectId(line.substring("AUDITED ".length()).trim());
        VersionInfo left = ds.version(draft).block();
        assertThat(left.state()).isEqualTo(VersionState.DRAFT);
        assertThat(left.audit()).isNotNull();
        assertThat(left.actor()).isEqualTo("child");
        assertThatThrownBy(() -> ds.resolve(VersionRef.latest("crash")).block())
                .isInstanceOf(VersionNotFoundException.class);
        assertThat(ds.drafts(java.time.Duration.ZERO).map(VersionInfo::id).collectList().block()).contains(draft);
        VersionInfo published = ds.publish(draft).block();
        assertThat(published.number()).isEqualTo(1);
        assertThat(ds.rows(published.ref()).count().block()).isEqualTo(20);
    }

    @Test
    void progressSeesIncreasingRowCountsEndingAtTheRowCountAndAThrowingCallbackFailsTheOperation() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        List<ObjectId> ids = IntStream.range(0, 25_001).mapToObj(i -> new ObjectId()).toList();
        List<Long> written = new java.util.concurrent.CopyOnWriteArrayList<>();
        VersionInfo draft = ds.createDraft("progress", DatasetSource.ids("image", ids), written::add).block();
        assertThat(draft.rowCount()).isEqualTo(25_001);
        assertThat(written).as("throttled to a chunk, reported before the end").hasSizeBetween(2, 3)
                .isSorted().doesNotHaveDuplicates().last().isEqualTo(25_001L);

        assertThatThrownBy(() -> ds.audit(draft.id(), AuditOptions.defaults(), List.of(), done -> {
            throw new IllegalStateException("stop at " + done);
        }).block()).isInstanceOf(io.datalake.DatalakeException.class).hasMessageContaining("progress callback")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(ds.version(draft.id()).block().audit()).as("no report recorded").isNull();

        List<String> checks = new java.util.concurrent.CopyOnWriteArrayList<>();
        Map<String, List<Long>> counts = new java.util.concurrent.ConcurrentHashMap<>();
        ds.audit(draft.id(), AuditOptions.defaults(), List.of(DatasetCheck.everyRow("user", r -> Mono.just(true))),
                new io.datalake.dataset.DatasetProgress() {
                    @Override
                    public void rows(long done) {
                        counts.computeIfAbsent(checks.get(checks.size() - 1), c -> new ArrayList<>()).add(done);
                    }

                    @Override
                    public void check(String name, int number, int count) {
                        checks.add(number + "/" + count + " " + name);
                    }
                }).block();
        assertThat(checks).hasSize(4).first().asString().startsWith("1/4 ");
        assertThat(checks).last().isEqualTo("4/4 user");
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(checks);
        counts.values().forEach(c -> assertThat(c).isSorted().doesNotHaveDuplicates().last().isEqualTo(25_001L));

        assertThatThrownBy(() -> ds.createDraft("progress", DatasetSource.ids("image", ids), done -> {
            throw new IllegalStateException("stop at " + done);
        }).block()).isInstanceOf(io.datalake.DatalakeException.class).hasMessageContaining("progress callback")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(ds.drafts(java.time.Duration.ZERO).filter(v -> !v.complete()).count().block())
                .as("the interrupted draft is discarded, not left behind").isZero();
    }
}
