package io.datalake.registry.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.RegistrySettings;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.GcCrashChild;
import io.datalake.mongo.TestLakes;
import io.datalake.registry.BlobSource;
import io.datalake.registry.ContentAddressedRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A garbage collection killed mid-run (a child JVM) loses no live payload, and the next run finishes its work. */
class EmbeddedFileGcKillTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCollectionKilledMidwayLeavesEveryDatumsObjectAndTheNextRunFinishes() throws Exception {
        DatalakeSettings settings = TestLakes.freshSettings().operationTimeout(Duration.ofSeconds(5))
                .registry(RegistrySettings.builder().defaultRegistry(root.toUri().toString()).build()).build();
        ContentAddressedRegistry plant = new ContentAddressedRegistry(FileRegistryBackend.open(root));
        Set<String> orphans = new HashSet<>();
        for (int i = 0; i < 1500; i++) {
            orphans.add(Objects.requireNonNull(plant.put(BlobSource.ofBytes(bytes("orphan " + i))).block(TIMEOUT))
                    .key());
        }
        try (Datalake lake = Datalakes.create(settings);
                MongoClient client = MongoClients.create(settings.mongoUri())) {
            MongoCollection<Document> records = client.getDatabase(settings.database())
                    .getCollection(settings.collection() + ".payloadGc");
            List<Datum> datums = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                datums.add(lake.addDatum(bytes("live " + i), Map.of(), root.toUri().toString(), null).block(TIMEOUT));
            }
            String javaCommand = ProcessHandle.current().info().command().orElse("java");
            Process child = new ProcessBuilder(List.of(javaCommand, "-Xmx128m", "-cp",
                    System.getProperty("java.class.path"), GcCrashChild.class.getName(), settings.mongoUri(),
                    settings.database(), root.toUri().toString()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                // Writers reuse orphans while the child collects them.
                for (int i = 0; i < 1500 && records.countDocuments(new Document("state", "DELETED")) < 300; i += 7) {
                    datums.add(lake.addDatum(bytes("orphan " + i), Map.of(), root.toUri().toString(), null)
                            .block(TIMEOUT));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (records.countDocuments(new Document("state", "DELETED")) < 300 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            } finally {
                child.destroyForcibly();
                child.waitFor(1, TimeUnit.MINUTES);
            }
            assertThat(records.countDocuments(new Document("state", "DELETED"))).isGreaterThanOrEqualTo(300);
            assertThat(records.distinct("state", String.class).into(new ArrayList<>()))
                    .isSubsetOf("CLAIMED", "DELETING", "DELETED");
            for (Datum datum : datums) {
                assertThat(root.resolve(Objects.requireNonNull(datum.registryKey()))).as("object of %s", datum.id())
                        .exists();
            }
            long left = count(root);
            assertThat(left).as("the child was killed before it finished").isGreaterThan(datums.size());

            GcReport next = Objects.requireNonNull(lake.gc(GcOptions.builder().grace(Duration.ZERO).build())
                    .block(TIMEOUT));

            assertThat(next.errors()).isZero();
            assertThat(next.deleted()).isPositive();
            // A false positive of one run's filter (0.1 %, seeded per run) is collected by the next.
            assertThat(Objects.requireNonNull(lake.gc(GcOptions.builder().grace(Duration.ZERO).build())
                    .block(TIMEOUT)).errors()).isZero();
            Set<String> live = new HashSet<>();
            for (Datum datum : datums) {
                live.add(datum.registryKey());
                assertThat(lake.getDatum(datum.id()).block(TIMEOUT).data()).isNotNull();
            }
            assertThat(count(root)).isEqualTo(live.size());
            // A run that died mid-delete left at most a DELETING record, settled by the next run once older than twice
            // the time limit; its claims stay until pruned (a writer that meets one cancels it without waiting).
            Thread.sleep(10_100);
            lake.gc(GcOptions.builder().grace(Duration.ZERO).build()).block(TIMEOUT);
            assertThat(records.countDocuments(new Document("state", "DELETING"))).isZero();
        }
    }

    private static long count(Path root) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
