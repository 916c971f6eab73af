package io.datalake.benchmarks;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 12: a version of {@code --dataset-memory-rows} rows (default 1M) created from a generated stream of ids
 * and read back in full in a child JVM with a small heap ({@link DatasetMemoryProbe}), reporting each phase's
 * time and peak heap. The chunks live in this JVM's server (or the given MongoDB).
 */
final class DatasetMemoryScenario {
    private static final Pattern RESULT = Pattern.compile(DatasetMemoryProbe.RESULT
            + " rows=(\\d+) createSeconds=([0-9.]+) createPeakHeapBytes=(\\d+) createLiveHeapBytes=(\\d+)"
            + " readRows=(\\d+) readSeconds=([0-9.]+) readPeakHeapBytes=(\\d+) readLiveHeapBytes=(\\d+)"
            + " maxHeapBytes=(\\d+)");

    private DatasetMemoryScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        int rows = options.datasetMemoryRows();
        String heap = options.memoryHeap();
        String database = server.freshDatabase();
        try {
            context.log().println("  creating and reading a " + rows + "-row version in a JVM with -Xmx" + heap);
            MemoryScenario.Child child = MemoryScenario.Child.run(context, DatasetMemoryProbe.class, server.uri(),
                    database, Integer.toString(options.batchSize()), Integer.toString(rows));

            ScenarioResult result = new ScenarioResult(12, "Dataset memory");
            result.setup.add(String.format(Locale.ROOT, "A child JVM started with -Xmx%s creates a draft of %,d "
                    + "rows (createDraft of DatasetSource.ids over a generated Flux of distinct ObjectIds, one "
                    + "column), then reads it back in full (rows(id), every row's number and id checked, no row "
                    + "kept). Peak heap per phase: the sum of the heap pools' peak usage since the phase began (an "
                    + "upper bound of the true peak, garbage included); and the largest heap in use right after a "
                    + "garbage collection during the phase (what the work keeps reachable; 0 if no collection "
                    + "ran); measured once", heap, rows));
            String check = String.format(Locale.ROOT, "%,d-row version created and read back under -Xmx%s", rows,
                    heap);
            Matcher m = RESULT.matcher(child.output());
            if (!(child.exited() && child.exitValue() == 0 && m.find())) {
                result.checks.add(new Check(check, "no: " + child.why(), "yes", false));
                return result;
            }
            double createSeconds = Double.parseDouble(m.group(2));
            long createPeak = Long.parseLong(m.group(3));
            long createLive = Long.parseLong(m.group(4));
            long read = Long.parseLong(m.group(5));
            double readSeconds = Double.parseDouble(m.group(6));
            long readPeak = Long.parseLong(m.group(7));
            long readLive = Long.parseLong(m.group(8));
            result.figures.add(new Figure("createDraft of " + rows + " ids under -Xmx" + heap, createSeconds,
                    createSeconds, createSeconds, 1, "s", Figure.rate(rows / createSeconds, "rows"), false));
            result.figures.add(new Figure("rows of that version under -Xmx" + heap + ", " + read + " rows",
                    readSeconds, readSeconds, readSeconds, 1, "s", Figure.rate(read / readSeconds, "rows"), false));
            result.figures.add(Figure.value("peak heap while creating", createPeak / (1024.0 * 1024), "MiB"));
            result.figures.add(Figure.value("peak heap while reading", readPeak / (1024.0 * 1024), "MiB"));
            if (createLive > 0) {
                result.figures.add(Figure.value("largest heap after a collection while creating",
                        createLive / (1024.0 * 1024), "MiB"));
            }
            if (readLive > 0) {
                result.figures.add(Figure.value("largest heap after a collection while reading",
                        readLive / (1024.0 * 1024), "MiB"));
            }
            result.checks.add(new Check(check, String.format(Locale.ROOT,
                    "yes, %,d rows read, peak heap %s creating, %s reading (after a collection at most %s, %s)",
                    read, Report.mib(createPeak), Report.mib(readPeak), live(createLive), live(readLive)), String.format(Locale.ROOT, "yes, %,d rows", rows), read == rows));
            return result;
        } finally {
            server.drop(database);
        }
    }

    private static String live(long bytes) {
        return bytes > 0 ? Report.mib(bytes) : "no collection";
    }
}
