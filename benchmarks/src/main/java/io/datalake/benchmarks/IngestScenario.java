package io.datalake.benchmarks;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.NewDatum;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * Scenario 1: {@code addData} of small datums vs raw {@code insertMany} of the same documents in the same batches
 * (the driver's limit), and vs the reference's one {@code addDatum} per datum awaited one at a time. Every run
 * writes into a fresh database whose indexes the lake created, so both sides maintain the same indexes.
 */
final class IngestScenario {
    private IngestScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        int n = options.ingestDatums();
        int one = options.oneByOneDatums();
        List<NewDatum> data = Workloads.smallData(n);
        List<NewDatum> oneByOneData = data.subList(0, Math.min(one, n));

        String ours = "addData, " + n + " datums";
        String raw = "raw insertMany, " + n + " documents";
        String oneByOne = "addDatum one at a time, " + oneByOneData.size() + " datums";
        Map<String, Stats> stats = Interleaved.run(List.of(
                lakeTrial(server, ours, n, lake -> BenchServer.load(lake, data)),
                new Trial() {
                    @Override
                    public String name() {
                        return raw;
                    }

                    @Override
                    public Run prepare() {
                        String database = server.freshDatabase();
                        server.openLake(database).close();
                        Date now = new Date();
                        List<Document> documents = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            documents.add(Workloads.smallDocument(i, now));
                        }
                        MongoCollection<Document> collection = server.collection(database);
                        return new Run() {
                            private volatile boolean finished;

                            @Override
                            public void run() {
                                RawBaselines.insertMany(collection, documents, server.batchSize());
                                finished = true;
                            }

                            @Override
                            public void cleanup() {
                                try {
                                    if (finished) {
                                        expectCount(collection, n);
                                    }
                                } finally {
                                    server.drop(database);
                                }
                            }
                        };
                    }
                },
                lakeTrial(server, oneByOne, oneByOneData.size(),
                        lake -> ReferenceAlgorithms.addOneAtATime(lake, oneByOneData))), context);

        ScenarioResult result = new ScenarioResult(1, "Ingest");
        result.setup.add(n + " datums with small inline data ({value, label}) and 3 metadata fields, batch size "
                + server.batchSize() + "; raw insertMany writes the same documents in the same layout and batches");
        result.setup.add("The one-at-a-time baseline (the reference's add_datum awaited per datum) ingests "
                + oneByOneData.size() + " datums per run; it is compared per datum");
        Stats o = Stats.in(stats, ours);
        Stats r = Stats.in(stats, raw);
        Stats b = Stats.in(stats, oneByOne);
        result.timed(stats, ours, n, "datums");
        result.timed(stats, raw, n, "datums");
        result.timed(stats, oneByOne, oneByOneData.size(), "datums");
        result.checks.add(Check.atLeast("addData throughput / raw insertMany throughput", r, o, 0.8));
        result.checks.add(Check.ratio("addData speed-up over one-at-a-time addDatum (per datum)",
                b, oneByOneData.size(), o, n, true, 20));
        return result;
    }

    /** A trial that runs {@code work} on a lake opened on a fresh database, then checks the count and drops it. */
    static Trial lakeTrial(BenchServer server, String name, long expected, LakeWork work) {
        return lakeTrial(server, name, expected, lake -> { }, work);
    }

    /**
     * As {@link #lakeTrial(BenchServer, String, long, LakeWork)}, with {@code setup} run on the fresh lake before the
     * timed work (untimed).
     */
    static Trial lakeTrial(BenchServer server, String name, long expected, LakeWork setup, LakeWork work) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() throws Exception {
                String database = server.freshDatabase();
                Datalake lake = server.openLake(database);
                try {
                    setup.accept(lake);
                } catch (Exception e) {
                    lake.close();
                    server.drop(database);
                    throw e;
                }
                return new Run() {
                    private volatile boolean finished;

                    @Override
                    public void run() throws Exception {
                        work.accept(lake);
                        finished = true;
                    }

                    @Override
                    public void cleanup() {
                        try {
                            if (finished) {
                                expectCount(server.collection(database), expected);
                            }
                        } finally {
                            lake.close();
                            server.drop(database);
                        }
                    }
                };
            }
        };
    }

    /** Work done on a lake. */
    interface LakeWork {
        void accept(Datalake lake) throws Exception;
    }

    static void expectCount(MongoCollection<Document> collection, long expected) {
        Long count = Mono.from(collection.countDocuments()).block();
        if (count == null || count != expected) {
            throw new IllegalStateException("expected " + expected + " documents after the run, found " + count);
        }
    }
}
