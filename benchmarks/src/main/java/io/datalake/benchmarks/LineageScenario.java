package io.datalake.benchmarks;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * Scenario 6: {@code getIndirectlyDerivedData} of a root with a deep tree below it vs the one-pass lower bound
 * (every document of the lake read once, projected to {@code _id, derived_from, added_at}), and on a small tree
 * vs the reference's breadth-first walk with one find per node.
 */
final class LineageScenario {
    private LineageScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        Workloads.Tree big = new Workloads.Tree(options.lineageDescendants(), options.lineageDepth());
        Workloads.Tree small = new Workloads.Tree(options.bfsNodes() - 1, options.lineageDepth());
        String bigDb = server.freshDatabase();
        String smallDb = server.freshDatabase();
        try (Datalake bigLake = server.openLake(bigDb); Datalake smallLake = server.openLake(smallDb)) {
            BenchServer.load(bigLake, big.datums);
            BenchServer.load(smallLake, small.datums);
            MongoCollection<Document> bigCollection = server.collection(bigDb);
            MongoCollection<Document> smallCollection = server.collection(smallDb);
            int bigNodes = big.datums.size();
            int smallNodes = small.datums.size();

            String ours = "getIndirectlyDerivedData, " + bigNodes + " nodes";
            String lower = "lower bound: one projected pass, " + bigNodes + " documents";
            String oursSmall = "getIndirectlyDerivedData, " + smallNodes + " nodes";
            String bfs = "reference BFS (one find per node), " + smallNodes + " nodes";
            Map<String, Stats> stats = Interleaved.run(List.of(
                    counted(ours, bigNodes, () -> ReadScenario.count(
                            bigLake.getIndirectlyDerivedData(big.root).count().block())),
                    counted(lower, bigNodes, () -> RawBaselines.scanProjected(bigCollection)),
                    counted(oursSmall, smallNodes, () -> ReadScenario.count(
                            smallLake.getIndirectlyDerivedData(small.root).count().block())),
                    counted(bfs, smallNodes, () -> ReferenceAlgorithms.bfs(smallCollection, small.root).size())), context);

            ScenarioResult result = new ScenarioResult(6, "Lineage");
            result.setup.add("Big tree: " + big.describe() + "; the lake holds only this tree");
            result.setup.add("Small tree: " + small.describe() + ", in its own lake");
            result.timed(stats, ours, bigNodes, "nodes");
            result.timed(stats, lower, bigNodes, "documents");
            result.timed(stats, oursSmall, smallNodes, "nodes");
            result.timed(stats, bfs, smallNodes, "nodes");
            result.checks.add(Check.atMost("getIndirectlyDerivedData time / one-pass lower bound",
                    Stats.in(stats, ours), Stats.in(stats, lower), 3));
            result.checks.add(Check.atLeast("getIndirectlyDerivedData speed-up over per-node BFS",
                    Stats.in(stats, bfs), Stats.in(stats, oursSmall), 20));
            return result;
        } finally {
            server.drop(bigDb);
            server.drop(smallDb);
        }
    }

    interface Count {
        long count() throws Exception;
    }

    /**
     * A trial whose work must return exactly {@code expected} items (unless negative), so a broken side cannot
     * look fast.
     */
    static Trial counted(String name, long expected, Count work) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() {
                return () -> {
                    long got = work.count();
                    if (expected >= 0 && got != expected) {
                        throw new IllegalStateException(name + " returned " + got + " items, expected " + expected);
                    }
                };
            }
        };
    }
}
