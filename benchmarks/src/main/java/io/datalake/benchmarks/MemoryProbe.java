package io.datalake.benchmarks;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.mongo.Datalakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Locale;

/**
 * The child JVM of scenario 7: streams the full 3-level query over an existing lake, counting rows without
 * keeping them, and prints one line with the row count, the time and the peak heap. Started with a small
 * {@code -Xmx} by {@link MemoryScenario}; an {@link OutOfMemoryError} ends it with a non-zero exit code.
 */
public final class MemoryProbe {
    /** Prefix of the result line the parent looks for. */
    static final String RESULT = "MEMORY_PROBE";

    private MemoryProbe() {
    }

    /**
     * Runs the query and prints {@code MEMORY_PROBE rows=N seconds=S peakHeapBytes=B maxHeapBytes=M}.
     *
     * @param args the MongoDB URI, the database and the batch size
     */
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: MemoryProbe <mongo-uri> <database> <batch-size>");
            System.exit(2);
        }
        DatalakeSettings settings = DatalakeSettings.builder()
                .mongoUri(args[0])
                .database(args[1])
                .batchSize(Integer.parseInt(args[2]))
                .build();
        Query query = Query.fromJson(QueryScenarios.LATEST_LATEST);
        long start = System.nanoTime();
        long rows;
        try (Datalake lake = Datalakes.create(settings)) {
            rows = ReadScenario.count(lake.queryRows(query, QueryOptions.defaults()).count().block());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long peak = peakHeapBytes();
        System.out.println(String.format(Locale.ROOT, "%s rows=%d seconds=%.3f peakHeapBytes=%d maxHeapBytes=%d",
                RESULT, rows, seconds, peak, Runtime.getRuntime().maxMemory()));
    }

    /**
     * The heap's peak use since the JVM started or the last {@link #resetPeakHeap()}: each heap pool's own peak,
     * summed. The pools peak at different moments, so this bounds the true peak from above.
     */
    static long peakHeapBytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /** Starts a new peak measurement: each heap pool's peak becomes its current use. */
    static void resetPeakHeap() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }
}
