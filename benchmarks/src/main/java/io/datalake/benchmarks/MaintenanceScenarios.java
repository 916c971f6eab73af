package io.datalake.benchmarks;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.NewDatum;
import io.datalake.RegistrySettings;
import io.datalake.fsck.FsckOptions;
import io.datalake.fsck.FsckReport;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.registry.Registries;
import io.datalake.registry.RegistryBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/**
 * Scenarios 14 and 15 on one lake with payloads in a file registry (a temporary directory), in one interleaved
 * loop: {@code gc} as a dry run and {@code fsck} (defaults), each against one pass over the datums plus one listing
 * of the registry (raw driver find, backend {@code listInfo}).
 */
final class MaintenanceScenarios {
    /** How far back every object's modification time is set: well past the default grace period. */
    static final Duration AGE = GcOptions.DEFAULT_GRACE.multipliedBy(2);

    private MaintenanceScenarios() {
    }

    static List<ScenarioResult> run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        boolean gc = options.wants(14);
        boolean fsck = options.wants(15);
        int n = options.maintenanceDatums();
        int objects = Math.min(options.maintenanceObjects(), n);
        int unreferenced = Math.max(1, objects / 10);
        int referenced = objects - unreferenced;
        Path dir = Files.createTempDirectory("datalake-bench-registry");
        String database = server.freshDatabase();
        String scratch = server.freshDatabase();
        RegistrySettings registry = RegistrySettings.builder().defaultRegistry(dir.toString()).build();
        try (Datalake lake = server.openLake(database, registry); Registries registries = new Registries(registry)) {
            context.log().println("  loading " + n + " datums over " + referenced + " objects");
            List<ObjectId> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(new ObjectId());
            }
            lake.addData(Flux.range(0, n).map(i -> {
                NewDatum.Builder b = NewDatum.builder().id(ids.get(i)).data(payload("payload", i % referenced))
                        .registryUri(dir.toString()).metadata(Map.of("type", "image", "i", i));
                if (i % 2 == 1) {
                    b.derivedFrom(ids.get(i - 1));
                }
                return b.build();
            })).then().block();
            context.log().println("  writing " + unreferenced + " unreferenced objects");
            try (Datalake other = server.openLake(scratch, registry)) {
                other.addData(Flux.range(0, unreferenced).map(i -> NewDatum.builder()
                        .data(payload("orphan", i)).registryUri(dir.toString()).build())).then().block();
            } finally {
                server.drop(scratch);
            }
            FileTime old = FileTime.from(Instant.now().minus(AGE));
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    Files.setLastModifiedTime(f, old);
                }
            }
            MongoCollection<Document> collection = server.collection(database);
            RegistryBackend backend = registries.resolve(dir.toString());

            String baseName = "baseline: one pass over " + n + " datums + one listing of " + objects + " objects";
            String gcName = "gc dry run, " + n + " datums, " + objects + " objects";
            String fsckName = "fsck (defaults), " + n + " datums, " + objects + " objects";
            List<Trial> trials = new ArrayList<>();
            trials.add(LineageScenario.counted(baseName, n, () -> {
                long docs = Objects.requireNonNull(Flux.from(collection.find()).count().block());
                long listed = Objects.requireNonNull(backend.listInfo("").count().block());
                require(listed >= objects, "the listing found " + listed + " objects, expected " + objects);
                return docs;
            }));
            if (gc) {
                trials.add(LineageScenario.counted(gcName, unreferenced, () -> {
                    GcReport r = Objects.requireNonNull(lake.gc(GcOptions.builder().dryRun(true).build()).block());
                    require(r.datumsScanned() == n, "gc scanned " + r.datumsScanned() + " datums, expected " + n);
                    return r.deleted();
                }));
            }
            if (fsck) {
                trials.add(LineageScenario.counted(fsckName, n, () -> {
                    FsckReport r = Objects.requireNonNull(lake.fsck(FsckOptions.defaults(), f -> { }).block());
                    return r.datums();
                }));
            }
            Map<String, Stats> stats = Interleaved.run(trials, context);

            String lakeLine = n + " datums (every other one derived from the one before) whose payloads are "
                    + referenced + " distinct objects in a file registry (a temporary directory), plus "
                    + unreferenced + " objects no datum references (written through a scratch lake, then its "
                    + "database dropped); every object's modification time set " + AGE.toHours()
                    + " hours back";
            String baseLine = "Baseline: find() over the datum collection through the raw driver, counted, then "
                    + "listInfo(\"\") of the registry backend, counted";
            List<ScenarioResult> results = new ArrayList<>();
            if (gc) {
                ScenarioResult s14 = new ScenarioResult(14, "Garbage collection");
                s14.setup.add(lakeLine);
                s14.setup.add("lake.gc(GcOptions.builder().dryRun(true).build()) (grace " + GcOptions.DEFAULT_GRACE
                        .toHours() + " hours): it must report the " + unreferenced + " unreferenced objects");
                s14.setup.add(baseLine);
                s14.timed(stats, gcName, n, "datums");
                s14.timed(stats, baseName, n, "datums");
                if (server.embedded()) {
                    s14.notes.add("On the embedded server the re-check of the candidates ({registry_key: {$in}} "
                            + "before anything is deleted) is a collection scan, so this check is known to miss "
                            + "there; on MongoDB it uses the registry key index.");
                }
                s14.checks.add(Check.paired("gc dry-run time / one pass + one listing (paired)",
                        Stats.in(stats, gcName), Stats.in(stats, baseName), false, 3));
                results.add(s14);
            }
            if (fsck) {
                ScenarioResult s15 = new ScenarioResult(15, "fsck");
                s15.setup.add(lakeLine);
                s15.setup.add("lake.fsck(FsckOptions.defaults(), f -> {}): every datum and payload checked, "
                        + "findings counted");
                s15.setup.add(baseLine);
                s15.timed(stats, fsckName, n, "datums");
                s15.timed(stats, baseName, n, "datums");
                s15.checks.add(Check.paired("fsck time / one pass + one listing (paired)",
                        Stats.in(stats, fsckName), Stats.in(stats, baseName), false, 3));
                results.add(s15);
            }
            return results;
        } finally {
            server.drop(database);
            deleteTree(dir);
        }
    }

    private static byte[] payload(String prefix, int i) {
        return String.format("%s %08d %s", prefix, i, "x".repeat(100)).getBytes(StandardCharsets.UTF_8);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
