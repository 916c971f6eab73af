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
                .as("the interrupted draft stays incomplete").isEqualTo(1);
    }
}
