package io.datalake.mongo.internal.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Another client writes random values of random types into the fields of stored dataset, version, chunk and tag-move
 * documents: every call either answers or fails with a {@link DatalakeException}, never a ClassCastException,
 * NullPointerException or the like. Seeded, so a failure reproduces; {@code -DargLine="-Dfuzz.seed=7 -Dfuzz.rounds=300"}
 * explores further (seeds 7 and 99 with 300 rounds passed when this was written).
 */
class EmbeddedDatasetDocumentFuzzTest {
    private static final List<String> VERSION_FIELDS = List.of("dataset", "state", "number", "slot", "columns",
            "rowCount", "complete", "contentHash", "source", "audit", "audit.contentHash", "audit.passed",
            "audit.baseLatest", "audit.rowCount", "audit.columns", "audit.checks", "createdAt", "publishedAt");
    private static final List<String> CHUNK_FIELDS = List.of("c", "n", "ids", "ids.0", "v");
    private static final List<String> DATASET_FIELDS = List.of("tags", "tags.prod", "createdAt", "description");
    private static final List<String> MOVE_FIELDS = List.of("tag", "from", "to", "at", "dataset");

    private static Object randomValue(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> "text";
            case 1 -> 42;
            case 2 -> 42L;
            case 3 -> 1.5;
            case 4 -> -1;
            case 5 -> List.of("a", 1);
            case 6 -> new Document("x", 1);
            case 7 -> new ObjectId();
            case 8 -> new Date(0);
            case 9 -> true;
            case 10 -> List.of();
            default -> Integer.MAX_VALUE;
        };
    }

    @Test
    void randomlyDamagedDocumentsGiveTypedErrorsOnly() {
        DatalakeSettings settings = TestLakes.freshSettings().actor("fuzz").build();
        Random random = new Random(Long.getLong("fuzz.seed", 2026));
        try (Datalake lake = Datalakes.create(settings); MongoClient client =
                MongoClients.create(TestLakes.connectionString())) {
            Datasets ds = lake.datasets();
            var db = client.getDatabase(settings.database());
            MongoCollection<Document> versions = db.getCollection("Datum.datasetVersions");
            MongoCollection<Document> chunks = db.getCollection("Datum.datasetChunks");
            MongoCollection<Document> datasets = db.getCollection("Datum.datasets");
            MongoCollection<Document> moves = db.getCollection("Datum.datasetTagMoves");
            List<ObjectId> ids = lake.addData(Flux.range(0, 3).map(i -> NewDatum.builder().data(Map.of("i", i))
                    .build())).map(Datum::id).collectList().block();
            for (int round = 0; round < Integer.getInteger("fuzz.rounds", 60); round++) {
                String name = "f" + round;
                VersionInfo draft = ds.createDraft(name, DatasetSource.ids("image", ids)).block();
                ds.audit(draft.id(), AuditOptions.defaults(), List.of()).block();
                VersionInfo published = ds.publish(draft.id()).block();
                ds.tag(name, "prod", 1).block();
                VersionInfo audited = ds.createDraft(name, DatasetSource.ids("image", ids.subList(0, 2))).block();
                ds.audit(audited.id(), AuditOptions.defaults(), List.of()).block();
                int target = random.nextInt(5);
                String field;
                MongoCollection<Document> collection;
                org.bson.conversions.Bson filter;
                switch (target) {
                    case 0 -> {
                        collection = versions;
                        filter = Filters.eq("_id", published.id());
                        field = VERSION_FIELDS.get(random.nextInt(VERSION_FIELDS.size()));
                    }
                    case 1 -> {
                        collection = versions;
                        filter = Filters.eq("_id", audited.id());
                        field = VERSION_FIELDS.get(random.nextInt(VERSION_FIELDS.size()));
                    }
                    case 2 -> {
                        collection = chunks;
                        filter = Filters.eq("v", published.id());
                        field = CHUNK_FIELDS.get(random.nextInt(CHUNK_FIELDS.size()));
                    }
                    case 3 -> {
                        collection = datasets;
                        filter = Filters.eq("_id", name);
                        field = DATASET_FIELDS.get(random.nextInt(DATASET_FIELDS.size()));
                    }
                    default -> {
                        collection = moves;
                        filter = Filters.eq("dataset", name);
                        field = MOVE_FIELDS.get(random.nextInt(MOVE_FIELDS.size()));
                    }
                }
                Object value = randomValue(random);
                Document change = random.nextInt(4) == 0 ? new Document("$unset", new Document(field, ""))
                        : new Document("$set", new Document(field, value));
                try {
                    collection.updateOne(filter, change);
                } catch (RuntimeException refusedByTheServer) {
                    continue; // e.g. a duplicate slot, or a path through a non-document
                }
                String what = "round " + round + ": " + change.toJson();
                List<Supplier<Object>> calls = new ArrayList<>(List.of(
                        () -> ds.resolve(VersionRef.latest(name)).block(),
                        () -> ds.resolve(VersionRef.parse(name + "@prod")).block(),
                        () -> ds.version(published.id()).block(),
                        () -> ds.version(audited.id()).block(),
                        () -> ds.rows(VersionRef.of(name, 1)).collectList().block(),
                        () -> ds.rows(audited.id()).collectList().block(),
                        () -> ds.page(VersionRef.of(name, 1), null, 2, true).block(),
                        () -> ds.versions(name).collectList().block(),
                        () -> ds.datasets().collectList().block(),
                        () -> ds.tagHistory(name).collectList().block(),
                        () -> ds.drafts(Duration.ZERO).collectList().block(),
                        () -> ds.diff(VersionRef.of(name, 1), VersionRef.of(name, 1)).collectList().block(),
                        () -> ds.isRetained(ids).block(),
                        () -> ds.retainedBy(ids).block(),
                        () -> ds.tag(name, "baseline", 1).block(),
                        () -> ds.publish(audited.id()).block(),
                        () -> ds.audit(audited.id(), AuditOptions.defaults(), List.of()).block(),
                        () -> ds.createDraft(name, DatasetSource.fromVersion(VersionRef.of(name, 1), Flux.empty(),
                                Flux.just(Map.of("image", ids.get(0))))).block(),
                        () -> ds.discard(audited.id()).block()));
                List<Object> answers = new ArrayList<>(); // null for Mono<Void>
                for (int c = 0; c < calls.size(); c++) {
                    try {
                        answers.add(calls.get(c).get());
                    } catch (RuntimeException e) {
                        assertThat(e).as(what + ", call " + c).isInstanceOf(DatalakeException.class);
                    }
                }
            }
            assertThat(ds.collectGarbage(Duration.ZERO).block()).isNotNegative();
        }
    }
}
