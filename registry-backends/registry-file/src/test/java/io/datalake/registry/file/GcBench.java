package io.datalake.registry.file;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Projections;
import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.NewDatum;
import io.datalake.RegistrySettings;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.mongo.Datalakes;
import io.datalake.mongo.TestLakes;
import io.datalake.registry.BlobSource;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.RegistryBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.Document;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/**
 * Manual measurement for the README (not a test): GC of a 100k-datum, 10k-object lake against one pass over the
 * datums plus one listing, and the writer check's share of a registry ingest. Run with the test class path:
 * {@code java -cp ... io.datalake.registry.file.GcBench [datums] [objects] [orphans] [ingest]}, with
 * {@code -Dgc.phases=true} to time the collection's parts separately.
 */
public final class GcBench {
    private GcBench() {
    }

    public static void main(String[] args) throws Exception {
        int datums = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int objects = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int orphans = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        int ingest = args.length > 3 ? Integer.parseInt(args[3]) : 20_000;
        Path root = Files.createTempDirectory("gc-bench");
        String uri = root.toUri().toString();
        DatalakeSettings settings = TestLakes.freshSettings().operationTimeout(Duration.ofMinutes(10))
                .registry(RegistrySettings.builder().defaultRegistry(uri).build()).build();
        try (Datalake lake = Datalakes.create(settings); MongoClient client = MongoClients.create(settings.mongoUri())) {
            RegistryBackend backend = FileRegistryBackend.open(root);
            ContentAddressedRegistry cas = new ContentAddressedRegistry(backend);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < objects; i++) {
                keys.add(Objects.requireNonNull(cas.put(BlobSource.ofBytes(payload("object " + i))).block()).key());
            }
            MongoCollection<Document> raw = client.getDatabase(settings.database()).getCollection(settings.collection());
            List<Document> batch = new ArrayList<>();
            int referenced = objects - orphans;
            for (int i = 0; i < datums; i++) {
                batch.add(new Document("_id", new ObjectId()).append("data", null).append("registry_uri", uri)
                        .append("registry_key", keys.get(i % referenced)).append("derived_from", null)
                        .append("metadata", new Document("i", i)).append("added_at", new Date()));
                if (batch.size() == 1000) {
                    raw.insertMany(batch);
                    batch.clear();
                }
            }
            if (Boolean.getBoolean("gc.phases")) {
                long p0 = System.nanoTime();
                long n = 0;
                for (Document ignored : raw.find(com.mongodb.client.model.Filters.type("registry_key",
                        org.bson.BsonType.STRING)).projection(Projections.fields(Projections.include("registry_key",
                        "registry_uri"), Projections.excludeId())).batchSize(5000)) {
                    n++;
                }
                long p1 = System.nanoTime();
                long infos = Objects.requireNonNull(backend.listInfo("").count().block());
                long p2 = System.nanoTime();
                long found = 0;
                for (Document ignored : raw.find(com.mongodb.client.model.Filters.and(
                        com.mongodb.client.model.Filters.type("registry_key", org.bson.BsonType.STRING),
                        com.mongodb.client.model.Filters.in("registry_key", keys.subList(0, 500))))) {
                    found++;
                }
                long p3 = System.nanoTime();
                System.out.printf("phases: typed projection scan %d ms (%d), listInfo %d ms (%d), one $in of 500 %d ms"
                        + " (%d)%n", (p1 - p0) / 1_000_000, n, (p2 - p1) / 1_000_000, infos, (p3 - p2) / 1_000_000,
                        found);
            }
            System.out.printf("lake: %,d datums referencing %,d objects, %,d orphans%n", datums, referenced, orphans);
            for (int run = 0; run < 3; run++) {
                long t0 = System.nanoTime();
                long seen = 0;
                for (Document ignored : raw.find().projection(Projections.include("registry_key"))) {
                    seen++;
                }
                long listed = Objects.requireNonNull(backend.list("").count().block());
                long baseline = System.nanoTime() - t0;
                t0 = System.nanoTime();
                GcReport dry = Objects.requireNonNull(lake.gc(GcOptions.builder().dryRun(true).grace(Duration.ZERO)
                        .batchSize(Integer.getInteger("gc.batch", GcOptions.DEFAULT_BATCH_SIZE)).build()).block());
                long gc = System.nanoTime() - t0;
                System.out.printf("run %d: one pass (%,d datums) + one listing (%,d objects) %d ms; gc dry run %d ms"
                        + " (%.2fx), would delete %,d%n", run, seen, listed, baseline / 1_000_000, gc / 1_000_000,
                        (double) gc / baseline, dry.deleted());
            }
            long t0 = System.nanoTime();
            GcReport real = Objects.requireNonNull(lake.gc(GcOptions.builder().grace(Duration.ZERO).build()).block());
            System.out.printf("gc: deleted %,d in %d ms (errors %d)%n", real.deleted(),
                    (System.nanoTime() - t0) / 1_000_000, real.errors());

            // Ingest: scenario-1-like datums with small distinct registry payloads, and the writer check alone.
            t0 = System.nanoTime();
            List<NewDatum> news = new ArrayList<>();
            for (int i = 0; i < ingest; i++) {
                news.add(NewDatum.builder().data(payload("ingest " + i)).registryUri(uri)
                        .metadata(Map.of("type", "image", "i", i)).build());
            }
            List<io.datalake.Datum> added = lake.addData(Flux.fromIterable(news)).collectList().block();
            long ingestNs = System.nanoTime() - t0;
            // The writer check's common case, as the write path sends it: one _id $in per batch on <C>.payloadGc.
            MongoCollection<Document> records = client.getDatabase(settings.database())
                    .getCollection(settings.collection() + ".payloadGc");
            t0 = System.nanoTime();
            List<String> chunk = new ArrayList<>();
            for (io.datalake.Datum d : Objects.requireNonNull(added)) {
                chunk.add(uri + "\n" + d.registryKey());
                if (chunk.size() == DatalakeSettings.DEFAULT_BATCH_SIZE) {
                    records.find(com.mongodb.client.model.Filters.in("_id", chunk)).into(new ArrayList<>());
                    chunk = new ArrayList<>();
                }
            }
            long guardNs = System.nanoTime() - t0;
            System.out.printf("ingest %,d registry datums: %d ms; the writer check alone (one $in per batch): %d ms"
                    + " (%.1f%%)%n", ingest, ingestNs / 1_000_000, guardNs / 1_000_000, 100.0 * guardNs / ingestNs);
        }
        System.exit(0);
    }

    private static byte[] payload(String s) {
        byte[] bytes = new byte[1024];
        byte[] head = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, bytes, 0, head.length);
        return bytes;
    }
}
