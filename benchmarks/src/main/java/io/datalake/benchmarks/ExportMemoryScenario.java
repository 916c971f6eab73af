package io.datalake.benchmarks;

import io.datalake.Datalake;
import io.datalake.NewDatum;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.VersionInfo;
import io.datalake.io.Exporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;

/**
 * Scenario 20: a published version of {@code --export-memory-rows} rows (default 1M) with inline data and no
 * payloads, exported (Parquet by default) in a child JVM with a small heap ({@link ExportMemoryProbe}). The lake
 * and the version are built in this JVM's server (or the given MongoDB), untimed; the child reports the export's
 * time, its peak heap and its peak resident set.
 */
final class ExportMemoryScenario {
    private static final Pattern RESULT = Pattern.compile(ExportMemoryProbe.RESULT
            + " rows=(\\d+) seconds=([0-9.]+) peakHeapBytes=(\\d+) liveHeapBytes=(\\d+) peakRssBytes=(-?\\d+)"
            + " maxHeapBytes=(\\d+)");
    private static final String[] LABELS = {"cat", "dog", "bird", "car"};

    private ExportMemoryScenario() {
    }

    static ScenarioResult run(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        int rows = options.exportMemoryRows();
        String heap = options.memoryHeap();
        String database = server.freshDatabase();
        Path dir = Files.createTempDirectory("datalake-bench-export-memory");
        try {
            double loadSeconds;
            double versionSeconds;
            VersionInfo version;
            ExportScenarios.Available format;
            try (Datalake lake = server.openLake(database)) {
                context.log().println("  loading " + rows + " datums");
                long start = System.nanoTime();
                // Generated as they are written: the parent never holds the lake either.
                lake.addData(Flux.range(0, rows).map(ExportMemoryScenario::datum)).then().block();
                loadSeconds = (System.nanoTime() - start) / 1e9;
                context.log().printf(Locale.ROOT, "  loaded in %.1f s; creating, auditing and publishing the "
                        + "version%n", loadSeconds);
                start = System.nanoTime();
                version = ExportScenarios.published(lake.datasets(), lake.datasets().createDraft("bench-export-memory",
                        DatasetSource.ids("item", Flux.range(0, rows).map(i -> DatasetMemoryProbe.id(i)))).block());
                versionSeconds = (System.nanoTime() - start) / 1e9;
                if (version.rowCount() != rows) {
                    throw new IllegalStateException(version + " has " + version.rowCount() + " rows, expected "
                            + rows);
                }
                format = ExportScenarios.available(Exporter.of(lake), version.ref(), options.exportFormat());
            }
            String name = format.format().cliName();
            context.log().printf(Locale.ROOT, "  version ready in %.1f s; exporting it as %s in a JVM with -Xmx%s%n",
                    versionSeconds, name, heap);
            Path out = dir.resolve("out");
            MemoryScenario.Child child = MemoryScenario.Child.run(context, ExportMemoryProbe.class, server.uri(),
                    database, Integer.toString(options.batchSize()), version.ref().toString(), out.toString(), name);

            ScenarioResult result = new ScenarioResult(20, "Export memory");
            result.setup.add(String.format(Locale.ROOT, "Lake: %,d datums with small inline data ({type, value, "
                    + "label}) and 2 metadata fields, no payloads (loaded in %.1f s, untimed); version "
                    + "bench-export-memory@1 of their ids, one column (createDraft of DatasetSource.ids over a "
                    + "generated Flux, audited, published in %.1f s, untimed)", rows, loadSeconds, versionSeconds));
            result.setup.add("A child JVM started with -Xmx" + heap + " exports the version with "
                    + "Exporter.exportVersion, format " + name + ", ExportOptions defaults (batches of "
                    + io.datalake.io.ExportOptions.DEFAULT_BATCH_SIZE + " rows). Peak heap: the sum of the heap pools' "
                    + "peak usage (an upper bound of the true peak, garbage included); heap after a collection: the "
                    + "largest heap in use right after a GC (what the export keeps reachable); peak RSS: VmHWM of "
                    + "the child process (heap, metaspace, code, thread stacks, direct buffers); measured once");
            if (format.fallback() != null) {
                result.setup.add("**" + format.fallback() + "**");
            }
            String check = String.format(Locale.ROOT, "%,d-row %s export completes under -Xmx%s", rows, name, heap);
            Matcher m = RESULT.matcher(child.output());
            if (!(child.exited() && child.exitValue() == 0 && m.find())) {
                result.checks.add(new Check(check, "no: " + child.why(), "yes", false));
                return result;
            }
            long exported = Long.parseLong(m.group(1));
            double seconds = Double.parseDouble(m.group(2));
            long peak = Long.parseLong(m.group(3));
            long live = Long.parseLong(m.group(4));
            long rss = Long.parseLong(m.group(5));
            long outputBytes = sizeOf(out);
            boolean complete = exported == rows && Files.isRegularFile(out.resolve("manifest.json"));
            result.figures.add(new Figure(name + " export of " + exported + " rows under -Xmx" + heap, seconds,
                    seconds, seconds, 1, "s", Figure.rate(exported / seconds, "rows"), false));
            result.figures.add(Figure.value("peak heap of the export JVM", peak / (1024.0 * 1024), "MiB"));
            if (live > 0) {
                result.figures.add(Figure.value("largest heap after a collection", live / (1024.0 * 1024), "MiB"));
            }
            if (rss > 0) {
                result.figures.add(Figure.value("peak resident set of the export JVM", rss / (1024.0 * 1024),
                        "MiB"));
            }
            result.figures.add(Figure.value("size of the exported folder", outputBytes / (1024.0 * 1024), "MiB"));
            String measured = String.format(Locale.ROOT, "%s, %,d rows, peak heap %s (after a collection at most %s)"
                            + "%s", complete ? "yes" : "no", exported, Report.mib(peak),
                    live > 0 ? Report.mib(live) : "no collection", rss > 0 ? ", peak RSS " + Report.mib(rss) : "");
            Check done = new Check(check, measured, String.format(Locale.ROOT, "yes, %,d rows", rows), complete);
            if (format.fallback() != null) {
                done = new Check(check + " (stand-in for parquet)", done.measured(), done.target(), false);
            }
            result.checks.add(done);
            return result;
        } finally {
            try {
                server.drop(database);
            } finally {
                RegistryScenario.deleteRecursively(dir);
            }
        }
    }

    /** Datum {@code i}: its id is {@link DatasetMemoryProbe#id}, so the version can be made from a generated stream. */
    private static NewDatum datum(int i) {
        return NewDatum.builder()
                .id(DatasetMemoryProbe.id(i))
                .data(Map.of("type", "item", "value", i, "label", LABELS[i % LABELS.length]))
                .metadata(Map.of("camera", "cam-" + (i % 16), "batch", i / 1000))
                .build();
    }

    private static long sizeOf(Path folder) throws java.io.IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
