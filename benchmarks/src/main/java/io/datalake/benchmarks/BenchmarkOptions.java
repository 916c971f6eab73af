package io.datalake.benchmarks;

import io.datalake.io.ExportFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Sizes and settings of one benchmark run. {@link #FULL} is the default run; {@link #SMOKE} the tiny run
 * that {@code mvn verify} does so the harness cannot rot.
 *
 * @param runTimeout longest a single run may take before its figure is reported as not finished
 * @param oneByOneDatums datums of the one-at-a-time baseline of scenario 1 (compared per datum)
 * @param perIdReads ids of the one-find-per-id baseline of scenario 2 (compared per id)
 * @param referenceImages images of the lake that the reference per-row query evaluation runs on
 * @param referenceRows rows the reference evaluation produces per run on that lake (compared per row); 0 = all
 * @param datasetMemoryRows rows of the version that scenario 12 creates and reads back under {@code memoryHeap}
 * @param schemaIngestDatums datums ingested with and without a schema by scenario 13
 * @param maintenanceDatums datums of the lake that scenarios 14 (gc) and 15 (fsck) check
 * @param maintenanceObjects registry objects of that lake, a tenth of them referenced by no datum
 * @param processorInputs inputs of the processor and raw-loop runs of scenario 16
 * @param exportRows rows of the version that scenario 18 exports (2 columns, no payloads)
 * @param exportPayloads payloads of the version that scenario 19 exports with its payload files
 * @param exportPayloadBytes bytes per payload of scenario 19
 * @param exportMemoryRows rows of the version that scenario 20 exports under {@code memoryHeap}
 * @param exportFormat format of scenarios 18 and 20 (the target is Parquet)
 */
record BenchmarkOptions(
        @Nullable String mongoUri,
        int warmups,
        int runs,
        Duration runTimeout,
        int batchSize,
        int ingestDatums,
        int oneByOneDatums,
        int readLakeDatums,
        int readIds,
        int perIdReads,
        int images,
        int referenceImages,
        int referenceRows,
        int earlyStopRows,
        int lineageDescendants,
        int lineageDepth,
        int bfsNodes,
        int memoryDatums,
        String memoryHeap,
        int datasetMemoryRows,
        int payloads,
        int payloadBytes,
        int registryConcurrency,
        int schemaIngestDatums,
        int maintenanceDatums,
        int maintenanceObjects,
        int processorInputs,
        int exportRows,
        int exportPayloads,
        int exportPayloadBytes,
        int exportMemoryRows,
        ExportFormat exportFormat,
        long seed,
        Set<Integer> scenarios,
        Path output,
        boolean smoke) {

    static final Set<Integer> ALL_SCENARIOS = Set.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
            16, 17, 18, 19, 20);
    /** The highest scenario number, for messages. */
    static final int LAST_SCENARIO = 20;

    static final BenchmarkOptions FULL = new BenchmarkOptions(null, 1, 5, Duration.ofSeconds(60), 1000,
            100_000, 5_000,
            100_000, 10_000, 10_000,
            100_000, 5_000, 300, 100,
            100_000, 5, 5_000,
            1_000_000, "256m", 1_000_000,
            1_000, 1 << 20, 8,
            100_000, 100_000, 10_000,
            10_000,
            100_000, 1_000, 1 << 20, 1_000_000, ExportFormat.PARQUET,
            42L, ALL_SCENARIOS, Path.of("RESULTS.md"), false);

    static final BenchmarkOptions SMOKE = new BenchmarkOptions(null, 1, 2, Duration.ofSeconds(30), 100,
            2_000, 100,
            2_000, 500, 200,
            400, 100, 0, 10,
            1_000, 5, 100,
            20_000, "256m", 20_000,
            10, 64 << 10, 4,
            2_000, 2_000, 200,
            200,
            2_000, 20, 64 << 10, 20_000, ExportFormat.PARQUET,
            42L, ALL_SCENARIOS, Path.of("RESULTS.md"), true);

    boolean wants(int scenario) {
        return scenarios.contains(scenario);
    }
}
