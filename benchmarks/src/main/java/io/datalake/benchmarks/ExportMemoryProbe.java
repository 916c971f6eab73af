package io.datalake.benchmarks;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.dataset.VersionRef;
import io.datalake.io.ExportFormat;
import io.datalake.io.ExportOptions;
import io.datalake.io.ExportReport;
import io.datalake.io.Exporter;
import io.datalake.mongo.Datalakes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The child JVM of scenario 20: exports a published version with {@code Exporter.exportVersion} (ExportOptions
 * defaults, the given format) and prints one line with the rows exported, the time, the peak heap, the largest heap
 * after a collection and the process's peak resident set. Started with a small {@code -Xmx} by
 * {@link ExportMemoryScenario}; an {@link OutOfMemoryError} ends it with a non-zero exit code.
 */
public final class ExportMemoryProbe {
    /** Prefix of the result line the parent looks for. */
    static final String RESULT = "EXPORT_MEMORY_PROBE";

    private ExportMemoryProbe() {
    }

    /**
     * Runs the export and prints {@code EXPORT_MEMORY_PROBE rows=N seconds=S peakHeapBytes=B liveHeapBytes=B
     * peakRssBytes=B maxHeapBytes=M}.
     *
     * @param args the MongoDB URI, the database, the batch size, the version reference, the output folder and the
     *     format ({@code jsonl} or {@code parquet})
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 6) {
            System.err.println("usage: ExportMemoryProbe <mongo-uri> <database> <batch-size> <version> <out-dir> "
                    + "<format>");
            System.exit(2);
        }
        DatalakeSettings settings = DatalakeSettings.builder()
                .mongoUri(args[0])
                .database(args[1])
                .batchSize(Integer.parseInt(args[2]))
                .build();
        ExportOptions options = ExportOptions.builder().format(ExportFormat.fromCliName(args[5])).build();
        try (Datalake lake = Datalakes.create(settings)) {
            DatasetMemoryProbe.LiveHeap live = new DatasetMemoryProbe.LiveHeap();
            MemoryProbe.resetPeakHeap();
            long start = System.nanoTime();
            ExportReport report = Objects.requireNonNull(Exporter.of(lake)
                    .exportVersion(VersionRef.parse(args[3]), Path.of(args[4]), options).block());
            double seconds = (System.nanoTime() - start) / 1e9;
            long peak = MemoryProbe.peakHeapBytes();
            long liveMax = live.takeMax();
            System.out.println(String.format(Locale.ROOT, "%s rows=%d seconds=%.3f peakHeapBytes=%d "
                            + "liveHeapBytes=%d peakRssBytes=%d maxHeapBytes=%d", RESULT, report.rows(), seconds,
                    peak, liveMax, peakRssBytes(), Runtime.getRuntime().maxMemory()));
        }
    }

    /** The process's peak resident set ({@code VmHWM} of /proc/self/status), or -1 where there is none. */
    static long peakRssBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : lines) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: the heap figures still answer the question.
        }
        return -1;
    }
}
