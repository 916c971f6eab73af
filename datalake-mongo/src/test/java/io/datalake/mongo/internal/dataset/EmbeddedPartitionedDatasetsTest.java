package io.datalake.mongo.internal.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.AuditReport;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.DiffEntry;
import io.datalake.dataset.Row;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The MongoDB datasets with a partition size of 100 rows: a version source with removed rows, the duplicate check
 * and diff stay exact and keep manifest order over many partitions (3,000 rows: 60 partitions).
 */
class EmbeddedPartitionedDatasetsTest {
    @Test
    void aVersionSourceWithRemovedRowsKeepsManifestOrderAcrossPartitions() {
        DatalakeSettings settings = TestLakes.freshSettings().actor("tester").build();
        try (Datalake lake = Datalakes.create(settings); MongoClient client =
                MongoClients.create(TestLakes.connectionString())) {
            MongoDatasets ds = new MongoDatasets(client.getDatabase(settings.database()), settings, lake, 100);
            List<ObjectId> ids = lake.addData(Flux.range(0, 3_000)
                            .map(i -> NewDatum.builder().data(Map.of("i", i)).build()))
                    .map(Datum::id).collectList().block();
            VersionInfo draft1 = ds.createDraft("p", DatasetSource.ids("image", ids)).block();
            assertThat(ds.audit(draft1.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
            VersionInfo v1 = ds.publish(draft1.id()).block();

            List<Map<String, ObjectId>> removed = new ArrayList<>();
            List<ObjectId> expected = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                if (i % 7 == 3) {
                    removed.add(Map.of("image", ids.get(i)));
                } else {
                    expected.add(ids.get(i));
                }
            }
            List<Map<String, ObjectId>> added = List.of(Map.of("image", ids.get(0))); // a duplicate of row 0
            expected.add(ids.get(0));
            VersionInfo draft2 = ds.createDraft("p", DatasetSource.fromVersion(v1.ref(), Flux.fromIterable(added),
                    Flux.fromIterable(removed))).block();

            assertThat(ds.rows(draft2.id()).map(r -> r.columns().get("image")).collectList().block())
                    .containsExactlyElementsOf(expected);
            AuditReport report = ds.audit(draft2.id(), AuditOptions.defaults(), List.of()).block();
            CheckResult unique = report.checks().stream().filter(c -> c.name().equals(BuiltInChecks.UNIQUE))
                    .findFirst().orElseThrow();
            assertThat(unique.passed()).isFalse();
            assertThat(unique.exampleRows()).containsExactly((long) expected.size() - 1);

            // Without the duplicate, the version publishes; its diff to v1 is exactly the removed rows.
            VersionInfo draft3 = ds.createDraft("p", DatasetSource.fromVersion(v1.ref(), Flux.empty(),
                    Flux.fromIterable(removed))).block();
            assertThat(ds.audit(draft3.id(), AuditOptions.defaults(), List.of()).block().passed()).isTrue();
            VersionInfo v2 = ds.publish(draft3.id()).block();
            List<DiffEntry> diff = ds.diff(v1.ref(), VersionRef.of("p", v2.number())).collectList().block();
            assertThat(diff).allMatch(e -> e.kind() == DiffEntry.Kind.REMOVED);
            assertThat(diff.stream().map(e -> e.columns().get("image")).toList())
                    .containsExactlyInAnyOrderElementsOf(removed.stream().map(r -> r.get("image")).toList());
            assertThat(ds.rows(v2.ref()).map(Row::number).collectList().block())
                    .hasSize(expected.size() - 1);
        }
    }
}
