package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.DatumNotFoundException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.RegistrySettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.delete.DatumHasChildrenException;
import io.datalake.delete.DatumRetainedException;
import io.datalake.delete.DeleteOptions;
import io.datalake.delete.DeletePlan;
import io.datalake.delete.ReleasedPayload;
import io.datalake.delete.SubtreeTooLargeException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Deletes that respect lineage and retention, run against the embedded server in every build
 * ({@link EmbeddedDeleteContractTest}) and against a real MongoDB where Docker exists
 * ({@link MongoContainerDeleteContractIT}).
 */
abstract class DeleteContract {
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
        return lake(b -> { });
    }

    private Datalake lake(Consumer<DatalakeSettings.Builder> customizer) {
        database = "deletes_" + DATABASES.incrementAndGet();
        DatalakeSettings.Builder b = DatalakeSettings.builder().mongoUri(connectionString()).database(database)
                .actor("tester");
        customizer.accept(b);
        Datalake lake = Datalakes.create(b.build());
        toClose.add(lake);
        return lake;
    }

    private MongoCollection<Document> raw() {
        MongoClient client = MongoClients.create(connectionString());
        toClose.add(client);
        return client.getDatabase(database).getCollection(DatalakeSettings.DEFAULT_COLLECTION);
    }

    private MongoCollection<Document> rawCollection(String name) {
        MongoClient client = MongoClients.create(connectionString());
        toClose.add(client);
        return client.getDatabase(database).getCollection(name);
    }

    private static ObjectId add(Datalake lake, Object data, ObjectId parent) {
        return lake.addDatum(data, Map.of(), null, parent).block().id();
    }

    private static List<ObjectId> children(Datalake lake, ObjectId parent, int n) {
        return lake.addData(Flux.range(0, n).map(i -> NewDatum.builder().data(Map.of("i", i)).derivedFrom(parent)
                .build())).map(Datum::id).collectList().block();
    }

    private long count() {
        return raw().countDocuments();
    }

    /** Every stored datum whose derived_from names a datum that is not stored. */
    private List<Object> missingParents() {
        Set<Object> ids = new HashSet<>();
        List<Document> all = raw().find().into(new ArrayList<>());
        all.forEach(d -> ids.add(d.get("_id")));
        List<Object> orphans = new ArrayList<>();
        for (Document d : all) {
            Object parent = d.get("derived_from");
            if (parent != null && !ids.contains(parent)) {
                orphans.add(d.get("_id"));
            }
        }
        return orphans;
    }

    private static VersionInfo publish(Datasets ds, String name, List<ObjectId> ids) {
        VersionInfo draft = ds.createDraft(name, DatasetSource.ids("image", ids)).block();
        assertThat(ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
        return ds.publish(draft.id()).block();
    }

    @Test
    void aDatumWithChildrenIsRefusedNamingThemUnlessCascade() {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        List<ObjectId> kids = children(lake, root, 12);
        long before = count();

        DatumHasChildrenException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> lake.delete(root, DeleteOptions.defaults()).block(), DatumHasChildrenException.class);
        assertThat(e.count()).isEqualTo(12);
        assertThat(e.children()).hasSize(10).isSubsetOf(kids);
        assertThat(e.id()).isEqualTo(root);
        assertThat(e.getMessage()).contains(root.toHexString(), "12 children", e.children().get(0).toHexString(),
                "and 2 more");
        assertThat(e.isTransient()).isFalse();
        assertThat(count()).isEqualTo(before);

        // A leaf needs no cascade.
        DeletePlan leaf = lake.delete(kids.get(0), DeleteOptions.defaults()).block();
        assertThat(leaf.ids()).containsExactly(kids.get(0));
        assertThat(leaf.dryRun()).isFalse();
        assertThat(count()).isEqualTo(before - 1);
        assertThatThrownBy(() -> lake.getDatum(kids.get(0)).block()).isInstanceOf(DatumNotFoundException.class);
    }

    @Test
    void cascadeDeletesTheSubtreeLeavesFirstAndLeavesTheParentAndSiblings() {
        Datalake lake = lake();
        ObjectId top = lake.addDatum(Map.of("top", 1), Map.of()).block().id();
        ObjectId root = add(lake, Map.of("root", 1), top);
        ObjectId sibling = add(lake, Map.of("sibling", 1), top);
        ObjectId a = add(lake, "a", root);
        ObjectId b = add(lake, "b", root);
        ObjectId a1 = add(lake, "a1", a);
        ObjectId a2 = add(lake, "a2", a);
        ObjectId a11 = add(lake, "a11", a1);
        List<long[]> progress = new ArrayList<>();

        DeletePlan plan = lake.delete(root, DeleteOptions.builder().cascade(true)
                .progress((done, total) -> progress.add(new long[] {done, total})).build()).block();

        assertThat(plan.ids()).containsExactlyInAnyOrder(root, a, b, a1, a2, a11);
        assertThat(plan.ids().get(0)).isEqualTo(a11);
        assertThat(plan.ids().get(plan.ids().size() - 1)).isEqualTo(root);
        Map<ObjectId, ObjectId> parentOf = Map.of(a, root, b, root, a1, a, a2, a, a11, a1);
        parentOf.forEach((child, parent) ->
                assertThat(plan.ids().indexOf(child)).as("child before parent").isLessThan(plan.ids().indexOf(parent)));
        assertThat(plan.orphaned()).isEmpty();
        assertThat(plan.dryRun()).isFalse();
        assertThat(progress).isNotEmpty();
        assertThat(progress.get(progress.size() - 1)).containsExactly(6, 6);
        assertThat(lake.getData(List.of(top, sibling), false).collectList().block()).hasSize(2);
        assertThat(count()).isEqualTo(2);
        assertThat(missingParents()).isEmpty();
        assertThat(lake.getDirectlyDerivedData(top).collectList().block()).containsExactly(sibling);
    }

    @Test
    void aDatumRetainedByAPublishedVersionIsRefusedNamingTheVersionsButADraftDoesNotRetain() {
        Datalake lake = lake();
        Datasets ds = lake.datasets();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        List<ObjectId> kids = children(lake, root, 3);
        ObjectId grandchild = add(lake, "g", kids.get(1));
        publish(ds, "scenes", List.of(grandchild));
        publish(ds, "scenes", List.of(grandchild, kids.get(0)));
        publish(ds, "other", List.of(kids.get(0)));
        ObjectId drafted = kids.get(2);
        ds.createDraft("drafty", DatasetSource.ids("image", List.of(drafted))).block();
        long before = count();

        Map<ObjectId, List<VersionRef>> retained = ds.retainedBy(List.of(root, grandchild, kids.get(0), drafted))
                .block();
        assertThat(retained).containsOnlyKeys(grandchild, kids.get(0));
        assertThat(retained.get(grandchild)).extracting(VersionRef::toString).containsExactly("scenes@1", "scenes@2");
        assertThat(retained.get(kids.get(0))).extracting(VersionRef::toString).containsExactly("other@1", "scenes@2");

        DatumRetainedException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> lake.delete(root, DeleteOptions.cascading()).block(), DatumRetainedException.class);
        assertThat(e.versions()).extracting(VersionRef::toString).containsExactly("other@1", "scenes@1", "scenes@2");
        assertThat(e.retainedCount()).isEqualTo(2);
        assertThat(e.retained()).containsExactlyInAnyOrder(grandchild, kids.get(0));
        assertThat(e.getMessage()).contains("scenes@1", "scenes@2", "other@1", grandchild.toHexString());
        assertThat(count()).isEqualTo(before);
        // The dry run runs the same check.
        assertThatThrownBy(() -> lake.delete(root, DeleteOptions.builder().cascade(true).dryRun(true).build()).block())
                .isInstanceOf(DatumRetainedException.class);
        assertThatThrownBy(() -> lake.delete(grandchild, DeleteOptions.defaults()).block())
                .isInstanceOf(DatumRetainedException.class).hasMessageContaining("scenes@1, scenes@2");

        // Chunks are untrusted: foreign values are skipped, a lone id (not a list) still retains.
        VersionInfo scenes1 = ds.resolve(VersionRef.of("scenes", 1)).block();
        MongoCollection<Document> chunks = rawCollection(DatalakeSettings.DEFAULT_COLLECTION + ".datasetChunks");
        chunks.insertOne(new Document("v", scenes1.id()).append("c", 7).append("ids", List.of("x", 42, root)));
        chunks.insertOne(new Document("v", scenes1.id()).append("c", 8).append("ids", kids.get(1)));
        assertThat(ds.retainedBy(List.of(root, kids.get(1))).block()).containsOnlyKeys(root, kids.get(1));
        chunks.deleteMany(new Document("c", new Document("$in", List.of(7, 8))));

        // A datum only in a draft is not retained.
        DeletePlan plan = lake.delete(drafted, DeleteOptions.defaults()).block();
        assertThat(plan.ids()).containsExactly(drafted);
        assertThat(count()).isEqualTo(before - 1);
    }

    @Test
    void aDryRunWritesNothingAndEqualsTheRealPlan() {
        MemoryRegistry registry = new MemoryRegistry();
        Datalake lake = lake(b -> b.registry(RegistrySettings.builder().backend(registry).build()));
        ObjectId root = lake.addDatum(new byte[] {1}, Map.of(), MemoryRegistry.URI, null).block().id();
        ObjectId child = lake.addDatum(new byte[] {2}, Map.of(), MemoryRegistry.URI, root).block().id();
        add(lake, "leaf", child);
        long before = count();
        int objects = registry.list("").collectList().block().size();

        DeletePlan dry = lake.delete(root, DeleteOptions.builder().cascade(true).dryRun(true).build()).block();
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.ids()).hasSize(3).endsWith(root);
        assertThat(dry.payloadsReleased()).hasSize(2);
        assertThat(count()).isEqualTo(before);

        DeletePlan real = lake.delete(root, DeleteOptions.cascading()).block();
        assertThat(real.dryRun()).isFalse();
        assertThat(real.ids()).isEqualTo(dry.ids());
        assertThat(real.payloadsReleased()).isEqualTo(dry.payloadsReleased());
        assertThat(count()).isZero();
        // Payloads are never deleted by delete: garbage collection does that after its grace period.
        assertThat(registry.list("").collectList().block()).hasSize(objects);
    }

    @Test
    void releasedPayloadsExcludeThoseAnotherDatumStillReferences() {
        MemoryRegistry registry = new MemoryRegistry();
        Datalake lake = lake(b -> b.registry(RegistrySettings.builder().backend(registry).build()));
        ObjectId root = lake.addDatum(new byte[] {7, 7}, Map.of(), MemoryRegistry.URI, null).block().id();
        Datum sharedInside = lake.addDatum(new byte[] {1, 2, 3}, Map.of(), MemoryRegistry.URI, root).block();
        Datum alsoInside = lake.addDatum(new byte[] {1, 2, 3}, Map.of(), MemoryRegistry.URI, root).block();
        Datum outside = lake.addDatum(new byte[] {1, 2, 3}, Map.of(), MemoryRegistry.URI, null).block();
        Datum own = lake.addDatum(new byte[] {4, 5, 6}, Map.of(), MemoryRegistry.URI, root).block();
        Datum twiceInside = lake.addDatum(new byte[] {9}, Map.of(), MemoryRegistry.URI, root).block();
        lake.addDatum(new byte[] {9}, Map.of(), MemoryRegistry.URI, twiceInside.id()).block();
        assertThat(outside.registryKey()).isEqualTo(sharedInside.registryKey()).isEqualTo(alsoInside.registryKey());

        String rootKey = lake.getDatum(root, false).block().registryKey();

        DeletePlan plan = lake.delete(root, DeleteOptions.cascading()).block();

        assertThat(plan.payloadsReleased()).extracting(ReleasedPayload::registryKey)
                .containsExactlyInAnyOrder(rootKey, own.registryKey(), twiceInside.registryKey());
        assertThat(plan.payloadsReleased()).allSatisfy(p -> assertThat(p.registryUri()).isEqualTo(MemoryRegistry.URI));
        assertThat(lake.getDatum(outside.id()).block().data()).isEqualTo(new byte[] {1, 2, 3});
    }

    @Test
    void keysBeyondTheBasicPlaneAreCountedWhateverTheStringOrder() {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        ObjectId kid = add(lake, "kid", root);
        MongoCollection<Document> raw = raw();
        // Java orders U+1F600 (a surrogate pair) before U+FF21; MongoDB (UTF-8 bytes) after it.
        String emoji = "k\uD83D\uDE00";
        String wide = "k\uFF21";
        raw.updateOne(new Document("_id", root), new Document("$set", new Document("registry_uri", "mem://x")
                .append("registry_key", emoji)));
        raw.updateOne(new Document("_id", kid), new Document("$set", new Document("registry_uri", "mem://x")
                .append("registry_key", wide)));
        raw.insertOne(new Document("_id", new ObjectId()).append("registry_uri", "mem://x")
                .append("registry_key", emoji).append("derived_from", null).append("added_at", new Date()));

        DeletePlan plan = lake.delete(root, DeleteOptions.builder().cascade(true).dryRun(true).build()).block();

        assertThat(plan.payloadsReleased()).containsExactly(new ReleasedPayload("mem://x", wide));
    }

    @Test
    void anUnknownIdAndNullArgumentsAreRefusedNamingThem() {
        Datalake lake = lake();
        ObjectId unknown = new ObjectId();
        assertThatThrownBy(() -> lake.delete(unknown, DeleteOptions.cascading()).block())
                .isInstanceOf(DatumNotFoundException.class).hasMessageContaining(unknown.toHexString());
        assertThatThrownBy(() -> lake.delete(unknown, null).block()).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> lake.delete(null, DeleteOptions.defaults()).block())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> DeleteOptions.builder().maxNodes(0)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("0");
    }

    @Test
    void aSubtreeOverTheNodeLimitIsRefusedBeforeAnythingIsDeleted() {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        children(lake, root, 3).forEach(kid -> children(lake, kid, 2));
        long before = count();
        assertThat(before).isEqualTo(10);

        assertThatThrownBy(() -> lake.delete(root, DeleteOptions.builder().cascade(true).maxNodes(9).build()).block())
                .isInstanceOf(SubtreeTooLargeException.class).hasMessageContaining("9")
                .hasMessageContaining(root.toHexString());
        assertThat(count()).isEqualTo(before);
        assertThat(lake.delete(root, DeleteOptions.builder().cascade(true).maxNodes(10).build()).block().ids())
                .hasSize(10);
    }

    @Test
    void aForeignChildWithANonObjectIdIsNotOrphanedAndACycleWrittenByAnotherClientEnds() {
        Datalake lake = lake();
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        ObjectId kid = add(lake, "kid", root);
        MongoCollection<Document> raw = raw();
        raw.insertOne(new Document("_id", "foreign-7").append("derived_from", kid).append("added_at", new Date()));
        long before = count();

        assertThatThrownBy(() -> lake.delete(root, DeleteOptions.cascading()).block())
                .isInstanceOf(io.datalake.MalformedDatumException.class).hasMessageContaining("foreign-7");
        assertThatThrownBy(() -> lake.delete(kid, DeleteOptions.defaults()).block())
                .isInstanceOf(DatumHasChildrenException.class).hasMessageContaining("1 child (none with an ObjectId");
        assertThat(count()).isEqualTo(before);

        raw.deleteOne(new Document("_id", "foreign-7"));
        // Another client makes the root derive from its own child: the walk still ends, each datum once.
        raw.updateOne(new Document("_id", root), new Document("$set", new Document("derived_from", kid)));
        DeletePlan plan = lake.delete(root, DeleteOptions.cascading()).block();
        assertThat(plan.ids()).containsExactly(kid, root);
        assertThat(count()).isZero();
    }

    @Test
    void aChildAddedWhileTheDeleteRunsIsReportedAsOrphaned() {
        Datalake lake = lake(b -> b.batchSize(1));
        ObjectId root = lake.addDatum(Map.of("r", 1), Map.of()).block().id();
        children(lake, root, 2);
        ObjectId late = new ObjectId();
        MongoCollection<Document> raw = raw();
        // Another writer adds a child under the root after the walk, while the children are being deleted.
        DeletePlan plan = lake.delete(root, DeleteOptions.builder().cascade(true).progress((done, total) -> {
            if (done == 1) {
                raw.insertOne(new Document("_id", late).append("data", "late").append("registry_uri", null)
                        .append("registry_key", null).append("derived_from", root).append("metadata", new Document())
                        .append("added_at", new Date()));
            }
        }).build()).block();
        assertThat(plan.ids()).hasSize(3).doesNotContain(late);
        assertThat(plan.orphaned()).containsExactly(late);
    }

    @Test
    void aProcessKilledMidCascadeLeavesEveryRemainingDatumWithItsParent() throws Exception {
        Datalake lake = lake();
        ObjectId top = lake.addDatum(Map.of("top", 1), Map.of()).block().id();
        ObjectId root = tree(lake, top);
        ObjectId raced = tree(lake, top);
        assertThat(count()).isEqualTo(1 + 2 * (1 + 10 + 50 + 100));
        // Batches of 5: 20 batches for the 100 leaves, then the 50 grandchildren; stop inside the second level.
        String line = runChildUntilKilled(root, 125, "");
        assertThat(line).startsWith("DELETED ");
        long left = count() - 161;
        assertThat(left).as("stopped midway").isGreaterThan(2).isLessThan(162 - 120);
        assertThat(missingParents()).as("no remaining datum lost its parent").isEmpty();

        // The other tree: killed wherever the kill lands (possibly while a batch is being deleted).
        runChildUntilKilled(raced, 1, "race");
        assertThat(missingParents()).as("no remaining datum lost its parent").isEmpty();

        long racedLeft = count() - left;
        DeletePlan rest = lake.delete(root, DeleteOptions.cascading()).block();
        assertThat(rest.ids()).hasSize((int) left - 1);
        if (racedLeft > 0) {
            lake.delete(raced, DeleteOptions.cascading()).block();
        }
        assertThat(count()).isEqualTo(1);
        assertThat(missingParents()).isEmpty();
    }

    private static ObjectId tree(Datalake lake, ObjectId top) {
        ObjectId root = add(lake, Map.of("root", 1), top);
        for (ObjectId kid : children(lake, root, 10)) {
            for (ObjectId grandkid : children(lake, kid, 5)) {
                children(lake, grandkid, 2);
            }
        }
        return root;
    }

    private String runChildUntilKilled(ObjectId root, long stopAfter, String mode) throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(List.of(javaCommand, "-Xmx128m", "-cp",
                System.getProperty("java.class.path"), DeleteCrashChild.class.getName(), connectionString(),
                database, root.toHexString(), Long.toString(stopAfter), mode))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l = out.readLine(); l != null; l = out.readLine()) {
                        if (l.startsWith("DELETED ")) {
                            return l;
                        }
                    }
                    return "";
                } catch (java.io.IOException e) {
                    return "";
                }
            }).get(2, TimeUnit.MINUTES);
        } finally {
            child.destroyForcibly();
            child.waitFor(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void datumsStayImmutableAndDeleteIsTheOnlyRemoval() {
        List<String> removals = new ArrayList<>();
        for (Method m : Datalake.class.getMethods()) {
            String name = m.getName().toLowerCase(java.util.Locale.ROOT);
            if (name.startsWith("delete") || name.startsWith("remove") || name.startsWith("drop")
                    || name.startsWith("update") || name.startsWith("replace") || name.startsWith("purge")) {
                removals.add(m.getName());
            }
        }
        assertThat(removals).containsExactly("delete");
        // No write path changes a stored datum: adding one with an existing id is refused.
        Datalake lake = lake();
        ObjectId id = lake.addDatum(Map.of("v", 1), Map.of()).block().id();
        assertThatThrownBy(() -> lake.addData(Flux.just(NewDatum.builder().id(id).data(Map.of("v", 2)).build()))
                .blockLast()).isInstanceOf(io.datalake.DatumValidationException.class);
        assertThat(lake.getDatum(id).block().data()).isEqualTo(Map.of("v", 1));
    }
}
