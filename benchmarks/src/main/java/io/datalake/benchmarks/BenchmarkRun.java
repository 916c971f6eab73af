package io.datalake.benchmarks;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** One run of the selected scenarios against one server, writing the report after each scenario. */
final class BenchmarkRun {
    /**
     * One or more scenarios measured together (3-5, 9-11 and 14-15 share a lake and one interleaved loop): returns their
     * results, or throws if the store or a baseline fails.
     */
    interface Scenario {
        List<ScenarioResult> run(Context context) throws Exception;
    }

    /** What a scenario works with. */
    record Context(BenchmarkOptions options, BenchServer server, PrintStream log) {
    }

    private record Entry(Set<Integer> numbers, String title, Scenario scenario) {
    }

    private static final List<Entry> SCENARIOS = List.of(
            new Entry(Set.of(1), "Ingest", c -> List.of(IngestScenario.run(c))),
            new Entry(Set.of(2), "Reads", c -> List.of(ReadScenario.run(c))),
            new Entry(Set.of(3, 4, 5), "Queries", QueryScenarios::run),
            new Entry(Set.of(6), "Lineage", c -> List.of(LineageScenario.run(c))),
            new Entry(Set.of(7), "Memory", c -> List.of(MemoryScenario.run(c))),
            new Entry(Set.of(8), "Registries", c -> List.of(RegistryScenario.run(c))),
            new Entry(Set.of(9, 10, 11), "Datasets", DatasetScenarios::run),
            new Entry(Set.of(12), "Dataset memory", c -> List.of(DatasetMemoryScenario.run(c))),
            new Entry(Set.of(13), "Ingest with a schema", c -> List.of(SchemaIngestScenario.run(c))),
            new Entry(Set.of(14, 15), "Garbage collection and fsck", MaintenanceScenarios::run),
            new Entry(Set.of(16), "Processor throughput", c -> List.of(ProcessorScenario.run(c))),
            new Entry(Set.of(17), "Change feed latency", c -> List.of(FeedLatencyScenario.run(c))),
            new Entry(Set.of(18), "Export without payloads", c -> List.of(ExportScenarios.rows(c))),
            new Entry(Set.of(19), "Export with payloads", c -> List.of(ExportScenarios.payloads(c))),
            new Entry(Set.of(20), "Export memory", c -> List.of(ExportMemoryScenario.run(c))));

    private final BenchmarkOptions options;
    private final PrintStream log;

    BenchmarkRun(BenchmarkOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    Report run() throws Exception {
        try (BenchServer server = BenchServer.start(options.mongoUri(), options.batchSize())) {
            Report report = new Report(server.describe(), options);
            log.println("Benchmarks on " + report.server + "; results go to " + options.output().toAbsolutePath());
            Context context = new Context(options, server, log);
            for (Entry entry : SCENARIOS) {
                if (entry.numbers().stream().noneMatch(options::wants)) {
                    continue;
                }
                log.println("Scenario " + entry.title() + " " + entry.numbers());
                long start = System.nanoTime();
                for (ScenarioResult result : entry.scenario().run(context)) {
                    if (options.wants(result.number)) {
                        report.scenarios.add(result);
                        if (!result.ran()) {
                            log.println("Scenario " + result.number + " not run: " + result.notRun);
                        }
                    }
                }
                log.printf("Scenario %s done in %.1f s%n", entry.title(), (System.nanoTime() - start) / 1e9);
                report.scenarios.sort(java.util.Comparator.comparingInt(r -> r.number));
                report.write(options.output());
            }
            report.write(options.output());
            return report;
        }
    }
}
