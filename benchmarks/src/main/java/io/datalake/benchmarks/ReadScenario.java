package io.datalake.benchmarks;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.Datum;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Scenario 2: {@code getData} of random ids vs raw {@code find({_id: {$in}})} in the same batches and with the
 * same batches in flight, and vs the reference's one {@code getDatum} per id. Each run draws new ids.
 */
final class ReadScenario {
    /** Batches in flight in the raw baseline: the store's own {@code getData} concurrency (MongoDatalake). */
    static final int STORE_READ_CONCURRENCY = 4;

    private ReadScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        int size = options.readLakeDatums();
        int reads = Math.min(options.readIds(), size);
        int perId = Math.min(options.perIdReads(), size);
        String database = server.freshDatabase();
        try (Datalake lake = server.openLake(database)) {
            List<ObjectId> all = new ArrayList<>(size);
            List<Datum> added = lake.addData(reactor.core.publisher.Flux.fromIterable(Workloads.smallData(size)))
                    .collectList().blockOptional().orElseThrow();
            for (Datum datum : added) {
                all.add(datum.id());
            }
            MongoCollection<Document> collection = server.collection(database);
            Random random = new Random(options.seed());

            String ours = "getData, " + reads + " random ids";
            String raw = "raw find $in, " + reads + " random ids";
            String oneByOne = "one getDatum per id, " + perId + " random ids";
            Map<String, Stats> stats = Interleaved.run(List.of(
                    readTrial(ours, all, reads, random, ids -> count(lake.getData(ids).count().block())),
                    readTrial(raw, all, reads, random, ids -> RawBaselines.findIn(collection, ids,
                            server.batchSize(), STORE_READ_CONCURRENCY)),
                    readTrial(oneByOne, all, perId, random, ids -> ReferenceAlgorithms.getOnePerId(lake, ids))), context);

            ScenarioResult result = new ScenarioResult(2, "Reads");
            result.setup.add("Lake of " + size + " small datums; each run reads new random distinct ids");
            result.setup.add("Raw baseline: find({_id: {$in: batch}}) per batch of " + server.batchSize()
                    + ", " + STORE_READ_CONCURRENCY + " batches in flight as getData does, documents decoded by "
                    + "the driver's default codec");
            result.setup.add("Reference baseline: one getDatum (one find) per id, gathered with "
                    + ReferenceAlgorithms.GATHER_CONCURRENCY + " in flight (the driver's pool size); compared per id");
            Stats o = Stats.in(stats, ours);
            result.timed(stats, ours, reads, "datums");
            result.timed(stats, raw, reads, "datums");
            result.timed(stats, oneByOne, perId, "datums");
            result.checks.add(Check.atLeast("getData throughput / raw find $in throughput", Stats.in(stats, raw),
                    o, 0.8));
            result.checks.add(Check.ratio("getData speed-up over one getDatum per id (per id)",
                    Stats.in(stats, oneByOne), perId, o, reads, true, 20));
            return result;
        } finally {
            server.drop(database);
        }
    }

    private interface Read {
        long read(List<ObjectId> ids) throws Exception;
    }

    private static Trial readTrial(String name, List<ObjectId> all, int count, Random random, Read read) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() {
                List<ObjectId> shuffled = new ArrayList<>(all);
                Collections.shuffle(shuffled, random);
                List<ObjectId> ids = List.copyOf(shuffled.subList(0, count));
                return () -> {
                    long found = read.read(ids);
                    if (found != count) {
                        throw new IllegalStateException(name + " returned " + found + " datums, expected " + count);
                    }
                };
            }
        };
    }

    static long count(@Nullable Long value) {
        return value == null ? 0 : value;
    }
}
