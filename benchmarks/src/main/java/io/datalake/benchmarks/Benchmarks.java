package io.datalake.benchmarks;

import io.datalake.InvalidArgumentException;
import io.datalake.io.ExportFormat;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the benchmark scenarios and writes {@code RESULTS.md}. Every size has the default and can be
 * scaled by its flag; {@code --smoke} switches every default to a tiny size (what {@code mvn verify} runs).
 *
 * <pre>
 * mvn -B -q -DskipTests install &amp;&amp; mvn -B -q -f benchmarks exec:java
 * mvn -B -q -f benchmarks exec:java -Dexec.args="--smoke --scenarios 1,2"
 * </pre>
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures the datalake against the raw driver and the reference algorithms and writes "
                + "RESULTS.md.")
public final class Benchmarks implements Callable<Integer> {
    @Option(names = "--mongo-uri", paramLabel = "URI",
            description = "MongoDB to measure on (databases datalake_bench_* are created and dropped); "
                    + "default: an embedded in-process server")
    @Nullable String mongoUri;

    @Option(names = "--smoke", description = "Tiny sizes and 2 runs: checks that every scenario runs, in seconds")
    boolean smoke;

    @Option(names = "--runs", paramLabel = "N", description = "Measured runs per figure (default 5)")
    @Nullable Integer runs;

    @Option(names = "--warmups", paramLabel = "N", description = "Discarded warm-up rounds (default 1)")
    @Nullable Integer warmups;

    @Option(names = "--run-timeout", paramLabel = "SECONDS",
            description = "Longest a single run may take; a slower figure is reported as not finished (default 60)")
    @Nullable Integer runTimeout;

    @Option(names = "--scenarios", paramLabel = "LIST", split = ",",
            description = "Scenarios to run, e.g. 1,2,6 (default all: 1-20)")
    @Nullable List<Integer> scenarios;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Where to write the results (default benchmarks/RESULTS.md)")
    @Nullable Path output;

    @Option(names = "--batch-size", paramLabel = "N", description = "Store and baseline batch size (default 1000)")
    @Nullable Integer batchSize;

    @Option(names = "--ingest", paramLabel = "N", description = "Scenario 1: datums ingested (default 100000)")
    @Nullable Integer ingest;

    @Option(names = "--one-by-one", paramLabel = "N",
            description = "Scenario 1: datums of the one-at-a-time addDatum baseline (default 5000)")
    @Nullable Integer oneByOne;

    @Option(names = "--read-lake", paramLabel = "N", description = "Scenario 2: datums in the lake (default 100000)")
    @Nullable Integer readLake;

    @Option(names = "--reads", paramLabel = "N", description = "Scenario 2: random ids read (default 10000)")
    @Nullable Integer reads;

    @Option(names = "--per-id-reads", paramLabel = "N",
            description = "Scenario 2: ids of the one-getDatum-per-id baseline (default 10000)")
    @Nullable Integer perIdReads;

    @Option(names = "--images", paramLabel = "N",
            description = "Scenarios 3-5 and 9-11: classified images in the query lake (default 100000)")
    @Nullable Integer images;

    @Option(names = "--reference-images", paramLabel = "N",
            description = "Scenario 3: images in the lake of the reference per-row evaluation (default 5000)")
    @Nullable Integer referenceImages;

    @Option(names = "--reference-rows", paramLabel = "N",
            description = "Scenario 3: rows the reference evaluation computes per run (datums_wanted), 0 = all "
                    + "(default 300; it is compared per row)")
    @Nullable Integer referenceRows;

    @Option(names = "--early-stop-rows", paramLabel = "N", description = "Scenario 4: datumsWanted (default 100)")
    @Nullable Integer earlyStopRows;

    @Option(names = "--lineage-descendants", paramLabel = "N",
            description = "Scenario 6: descendants of the root (default 100000)")
    @Nullable Integer lineageDescendants;

    @Option(names = "--lineage-depth", paramLabel = "N", description = "Scenario 6: depth of the tree (default 5)")
    @Nullable Integer lineageDepth;

    @Option(names = "--bfs-nodes", paramLabel = "N",
            description = "Scenario 6: nodes of the tree for the per-node BFS baseline (default 5000)")
    @Nullable Integer bfsNodes;

    @Option(names = "--memory-datums", paramLabel = "N",
            description = "Scenario 7: datums in the lake queried under the heap limit (default 1000000)")
    @Nullable Integer memoryDatums;

    @Option(names = "--memory-heap", paramLabel = "SIZE",
            description = "Scenarios 7, 12 and 20: -Xmx of the child JVM (default 256m)")
    @Nullable String memoryHeap;

    @Option(names = "--dataset-memory-rows", paramLabel = "N",
            description = "Scenario 12: rows of the version created and read back under the heap limit "
                    + "(default 1000000)")
    @Nullable Integer datasetMemoryRows;

    @Option(names = "--payloads", paramLabel = "N", description = "Scenario 8: payloads put then got (default 1000)")
    @Nullable Integer payloads;

    @Option(names = "--payload-bytes", paramLabel = "N", description = "Scenario 8: bytes per payload (default 1048576)")
    @Nullable Integer payloadBytes;

    @Option(names = "--registry-concurrency", paramLabel = "N",
            description = "Scenario 8: payloads in flight, the same for the registry and the raw SDK (default 8)")
    @Nullable Integer registryConcurrency;

    @Option(names = "--schema-ingest", paramLabel = "N",
            description = "Scenario 13: datums ingested with and without a schema (default 100000)")
    @Nullable Integer schemaIngest;

    @Option(names = "--maintenance-datums", paramLabel = "N",
            description = "Scenarios 14-15: datums of the lake that gc and fsck check (default 100000)")
    @Nullable Integer maintenanceDatums;

    @Option(names = "--maintenance-objects", paramLabel = "N",
            description = "Scenarios 14-15: registry objects of that lake, a tenth unreferenced (default 10000)")
    @Nullable Integer maintenanceObjects;

    @Option(names = "--processor-inputs", paramLabel = "N",
            description = "Scenario 16: inputs of the processor and of the raw loop (default 10000)")
    @Nullable Integer processorInputs;

    @Option(names = "--export-rows", paramLabel = "N",
            description = "Scenario 18: rows of the version exported without payloads (default 100000)")
    @Nullable Integer exportRows;

    @Option(names = "--export-payloads", paramLabel = "N",
            description = "Scenario 19: payloads of the version exported with its payload files (default 1000)")
    @Nullable Integer exportPayloads;

    @Option(names = "--export-payload-bytes", paramLabel = "N",
            description = "Scenario 19: bytes per payload (default 1048576)")
    @Nullable Integer exportPayloadBytes;

    @Option(names = "--export-memory-rows", paramLabel = "N",
            description = "Scenario 20: rows of the version exported under the heap limit (default 1000000)")
    @Nullable Integer exportMemoryRows;

    @Option(names = "--export-format", paramLabel = "FORMAT",
            description = "Scenarios 18 and 20: jsonl or parquet (default parquet; a build without the Parquet "
                    + "writer measures JSONL instead and says so)")
    @Nullable String exportFormat;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the generated lakes (default 42)")
    @Nullable Long seed;

    private final PrintStream log;
    private @Nullable Report report;

    Benchmarks(PrintStream log) {
        this.log = log;
    }

    /**
     * Runs the benchmarks with command-line flags; see {@code --help}.
     *
     * @param args the flags
     */
    public static void main(String[] args) {
        int exit = new CommandLine(new Benchmarks(System.out)).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public Integer call() throws Exception {
        report = new BenchmarkRun(options(), log).run();
        return 0;
    }

    /** The report of the last {@link #call()}, for the smoke test. */
    @Nullable Report report() {
        return report;
    }

    BenchmarkOptions options() {
        BenchmarkOptions p = smoke ? BenchmarkOptions.SMOKE : BenchmarkOptions.FULL;
        Set<Integer> selected = scenarios == null ? p.scenarios() : new LinkedHashSet<>(scenarios);
        for (int s : selected) {
            if (!BenchmarkOptions.ALL_SCENARIOS.contains(s)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown scenario " + s
                        + "; scenarios are 1 to " + BenchmarkOptions.LAST_SCENARIO);
            }
        }
        String defaultOutput = System.getProperty("benchmarks.output");
        Path out = output != null ? output : defaultOutput != null ? Path.of(defaultOutput) : p.output();
        return new BenchmarkOptions(mongoUri,
                positive(or(warmups, p.warmups()), "--warmups", true),
                positive(or(runs, p.runs()), "--runs", false),
                runTimeout != null ? Duration.ofSeconds(positive(runTimeout, "--run-timeout", false))
                        : p.runTimeout(),
                positive(or(batchSize, p.batchSize()), "--batch-size", false),
                positive(or(ingest, p.ingestDatums()), "--ingest", false),
                positive(or(oneByOne, p.oneByOneDatums()), "--one-by-one", false),
                positive(or(readLake, p.readLakeDatums()), "--read-lake", false),
                positive(or(reads, p.readIds()), "--reads", false),
                positive(or(perIdReads, p.perIdReads()), "--per-id-reads", false),
                positive(or(images, p.images()), "--images", false),
                positive(or(referenceImages, p.referenceImages()), "--reference-images", false),
                positive(or(referenceRows, p.referenceRows()), "--reference-rows", true),
                positive(or(earlyStopRows, p.earlyStopRows()), "--early-stop-rows", false),
                positive(or(lineageDescendants, p.lineageDescendants()), "--lineage-descendants", false),
                positive(or(lineageDepth, p.lineageDepth()), "--lineage-depth", false),
                positive(or(bfsNodes, p.bfsNodes()), "--bfs-nodes", false),
                positive(or(memoryDatums, p.memoryDatums()), "--memory-datums", false),
                memoryHeap != null ? memoryHeap : p.memoryHeap(),
                positive(or(datasetMemoryRows, p.datasetMemoryRows()), "--dataset-memory-rows", false),
                positive(or(payloads, p.payloads()), "--payloads", false),
                positive(or(payloadBytes, p.payloadBytes()), "--payload-bytes", false),
                positive(or(registryConcurrency, p.registryConcurrency()), "--registry-concurrency", false),
                positive(or(schemaIngest, p.schemaIngestDatums()), "--schema-ingest", false),
                positive(or(maintenanceDatums, p.maintenanceDatums()), "--maintenance-datums", false),
                positive(or(maintenanceObjects, p.maintenanceObjects()), "--maintenance-objects", false),
                positive(or(processorInputs, p.processorInputs()), "--processor-inputs", false),
                positive(or(exportRows, p.exportRows()), "--export-rows", false),
                positive(or(exportPayloads, p.exportPayloads()), "--export-payloads", false),
                positive(or(exportPayloadBytes, p.exportPayloadBytes()), "--export-payload-bytes", false),
                positive(or(exportMemoryRows, p.exportMemoryRows()), "--export-memory-rows", false),
                exportFormat(p.exportFormat()),
                seed != null ? seed : p.seed(),
                Set.copyOf(selected), out, smoke);
    }

    private ExportFormat exportFormat(ExportFormat fallback) {
        if (exportFormat == null) {
            return fallback;
        }
        ExportFormat format;
        try {
            format = ExportFormat.fromCliName(exportFormat);
        } catch (InvalidArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--export-format: " + e.getMessage());
        }
        if (format != ExportFormat.JSONL && format != ExportFormat.PARQUET) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--export-format must be jsonl or parquet, got " + exportFormat);
        }
        return format;
    }

    private static int or(@Nullable Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    private int positive(int value, String flag, boolean zeroAllowed) {
        if (value < (zeroAllowed ? 0 : 1)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    flag + " must be " + (zeroAllowed ? "0 or more" : "1 or more") + ", got " + value);
        }
        return value;
    }
}
