package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.InvalidArgumentException;
import io.datalake.RegistrySettings;
import io.datalake.cli.DatalakeCli;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.io.CocoOptions;
import io.datalake.io.ExportFormat;
import io.datalake.io.ExportOptions;
import io.datalake.io.ExportProgress;
import io.datalake.io.ExportReport;
import io.datalake.io.Exporter;
import io.datalake.io.PayloadMode;
import io.datalake.io.Split;
import io.datalake.mongo.Datalakes;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * {@code datalake export}: writes a published dataset version, or a query's rows, to a new folder as JSONL,
 * Parquet, the Hugging Face datasets layout or COCO, through {@link Exporter}.
 *
 * <p>Every argument is checked before the lake is opened: a mistake exits with code 2 naming the value, and
 * nothing is written. The folder appears complete or not at all (the exporter writes a partial sibling folder and
 * renames it); on Ctrl-C the export is cancelled and its partial folder removed.
 */
@Command(
        name = "export",
        description = {
            "Export a published dataset version (--dataset) or a query's rows (--query) to a new folder OUT_DIR.",
            "Formats: jsonl (data.jsonl + payloads/), parquet (data/*.parquet), hf (the Hugging Face datasets"
                    + " layout: datasets.load_dataset(OUT_DIR) loads it), coco (annotations.json + images/)."
                    + " Every export writes manifest.json: each file's size and SHA-256, and the version and content"
                    + " hash or the query it came from.",
            "Streams in batches with bounded memory; payloads are copied in parallel, each distinct payload once."
                    + " OUT_DIR must not exist; it appears only once complete. Payloads are read from --registry"
                    + " and the registries given with --allow-registry. Shows a progress bar on a terminal."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake export --dataset street-scenes@3 --format jsonl ./street-scenes-v3",
            "  datalake export --dataset street-scenes@prod --format hf --embed-payloads \\",
            "      --split train=0.8,val=0.1,test=0.1 --seed 7 ./hf/street-scenes",
            "  datalake export --dataset street-scenes --format hf --split-field image:metadata.split ./hf/by-field",
            "  datalake export --query labelled.json --limit 1000 --format parquet ./labelled-parquet",
            "  datalake export --dataset street-scenes --format coco --image-column image \\",
            "      --annotation-columns box --child-annotations ./coco"
        })
final class ExportCommand extends LakeCommand {
    /** The seed of a {@code --split} given without {@code --seed}: a random split is stable across runs. */
    static final long DEFAULT_SPLIT_SEED = 0;
    /** How long Ctrl-C waits for a cancelled export to remove its partial folder. */
    private static final long STOP_GRACE_SECONDS = 10;

    @Parameters(index = "0", paramLabel = "OUT_DIR", description = "The folder to create; it must not exist (its"
            + " parent is created if missing).")
    @Nullable Path outDir;

    @Option(names = "--dataset", paramLabel = "NAME[@VERSION|@TAG]", description = "The published version to export"
            + " (NAME alone: the latest).")
    @Nullable String dataset;

    @Option(names = "--query", paramLabel = "FILE", description = "Export the rows of the query in FILE ('-' for"
            + " standard input; see 'datalake query --help').")
    @Nullable String queryFile;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "jsonl, parquet, hf or coco.")
    @Nullable String format;

    @Option(names = "--limit", paramLabel = "N", description = "With --query: stop after N complete rows"
            + " (datumsWanted).")
    @Nullable Integer limit;

    @Option(names = "--seed", paramLabel = "N", description = "Seeds everything random in the export: the --split"
            + " (default " + DEFAULT_SPLIT_SEED + ") and the query's 'random' strategy.")
    @Nullable Long seed;

    @Option(names = "--split", paramLabel = "NAME=FRACTION,...", description = "hf: a seeded random split, e.g."
            + " train=0.8,val=0.1,test=0.1 (fractions summing to 1; a row keeps its split across runs).")
    @Nullable String split;

    @Option(names = "--split-field", paramLabel = "COLUMN:PATH", description = "hf: the split of a row is a field of"
            + " a column's datum, e.g. image:metadata.split (default: every row in 'train').")
    @Nullable String splitField;

    @Option(names = "--embed-payloads", description = "parquet, hf: write payload bytes into the data files instead"
            + " of copying payload files (for payloads of at most a few MiB).")
    boolean embedPayloads;

    @Option(names = "--row-group-rows", paramLabel = "N", description = "parquet, hf: rows per Parquet row group"
            + " (default: " + ExportOptions.DEFAULT_ROW_GROUP_ROWS + ").")
    @Nullable Integer rowGroupRows;

    @Option(names = "--image-column", paramLabel = "COLUMN", description = "coco: the column of the image datums"
            + " (default: " + CocoOptions.DEFAULT_IMAGE_COLUMN + ").")
    @Nullable String imageColumn;

    @Option(names = "--annotation-columns", paramLabel = "COLUMN", split = ",", description = "coco: the columns of"
            + " bbox/classification datums (default: every column but the image column).")
    List<String> annotationColumns = new ArrayList<>();

    @Option(names = "--child-annotations", description = "coco: also write every bbox/classification datum derived"
            + " from each image, in a row or not (the lake's current children).")
    boolean childAnnotations;

    @Option(names = "--batch-size", paramLabel = "N", description = "Rows read per batch (1-"
            + ExportOptions.MAX_BATCH_SIZE + ", default: " + ExportOptions.DEFAULT_BATCH_SIZE + ").")
    @Nullable Integer batchSize;

    @Option(names = "--payload-concurrency", paramLabel = "N", description = "Payload files copied at once (1-"
            + ExportOptions.MAX_PAYLOAD_CONCURRENCY + ", default: " + ExportOptions.DEFAULT_PAYLOAD_CONCURRENCY
            + ").")
    @Nullable Integer payloadConcurrency;

    @Option(names = "--allow-registry", paramLabel = "URI", description = "Also read payloads stored in this"
            + " registry (repeatable).")
    List<String> allowed = new ArrayList<>();

    @Option(names = "--json", description = "Print the report as JSON instead of a summary.")
    boolean json;

    private ExportFormat exportFormat = ExportFormat.JSONL;
    private ExportOptions.@Nullable Builder options;
    private @Nullable VersionRef version;
    private @Nullable Query query;
    private volatile boolean interrupted;

    @Override
    void validate() {
        Path out = required(outDir, "OUT_DIR");
        exportFormat = format(required(format, "--format"));
        if ((dataset == null) == (queryFile == null)) {
            throw new UsageException(dataset == null
                    ? "missing source: give --dataset NAME[@VERSION] or --query FILE"
                    : "give either --dataset or --query, not both (--dataset " + dataset + ", --query " + queryFile
                            + ")");
        }
        if (limit != null && (dataset != null || limit < 1)) {
            throw new UsageException(dataset != null ? "--limit applies to --query; a version is exported whole"
                    : "--limit must be 1 or more, got " + limit);
        }
        if (seed != null && dataset != null && split == null) {
            throw new UsageException("--seed " + seed + " seeds a --split or a --query's 'random' strategy; this"
                    + " export has neither");
        }
        checkFormatOptions();
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException("OUT_DIR " + out + " already exists; an export never writes into or over a"
                    + " folder: choose a new one");
        }
        ExportOptions.Builder builder = ExportOptions.builder().format(exportFormat);
        Integer b = batchSize;
        if (b != null) {
            checked("--batch-size " + b, () -> builder.batchSize(b));
        }
        Integer c = payloadConcurrency;
        if (c != null) {
            checked("--payload-concurrency " + c, () -> builder.payloadConcurrency(c));
        }
        Integer g = rowGroupRows;
        if (g != null) {
            checked("--row-group-rows " + g, () -> builder.rowGroupRows(g));
        }
        if (embedPayloads) {
            builder.payloadMode(PayloadMode.EMBED);
        }
        String randomSplit = split;
        if (randomSplit != null) {
            long splitSeed = seed != null ? seed : DEFAULT_SPLIT_SEED;
            checked("--split " + randomSplit, () -> builder.split(Split.parseRandom(randomSplit, splitSeed)));
        }
        Split byField = splitField == null ? null : splitByField(splitField);
        if (byField != null) {
            builder.split(byField);
        }
        if (exportFormat == ExportFormat.COCO) {
            checked("--image-column/--annotation-columns", () -> builder.coco(new CocoOptions(
                    imageColumn != null ? imageColumn : CocoOptions.DEFAULT_IMAGE_COLUMN, annotationColumns,
                    childAnnotations)));
        }
        options = builder;
        if (dataset != null) {
            version = DatasetCommand.ref(dataset);
        } else {
            Query q = QueryFile.read(required(queryFile, "--query"), root().context().in(), "--query");
            checkColumns(q.outputColumns(), "--query " + queryFile);
            query = q;
        }
    }

    private static ExportFormat format(String name) {
        try {
            return ExportFormat.fromCliName(name);
        } catch (InvalidArgumentException e) {
            throw new UsageException("--format " + name + ": " + e.getMessage());
        }
    }

    /** Options that belong to other formats are refused, rather than ignored without a word. */
    private void checkFormatOptions() {
        String name = exportFormat.cliName();
        boolean hf = exportFormat == ExportFormat.HUGGING_FACE;
        boolean parquet = hf || exportFormat == ExportFormat.PARQUET;
        if (split != null && splitField != null) {
            throw new UsageException("give either --split or --split-field, not both");
        }
        if (!hf && (split != null || splitField != null)) {
            throw new UsageException((split != null ? "--split " + split : "--split-field " + splitField)
                    + " applies to --format hf, not " + name);
        }
        if (!parquet && embedPayloads) {
            throw new UsageException("--embed-payloads applies to --format parquet or hf, not " + name);
        }
        if (!parquet && rowGroupRows != null) {
            throw new UsageException("--row-group-rows applies to --format parquet or hf, not " + name);
        }
        if (exportFormat != ExportFormat.COCO && (imageColumn != null || !annotationColumns.isEmpty()
                || childAnnotations)) {
            throw new UsageException((imageColumn != null ? "--image-column" : !annotationColumns.isEmpty()
                    ? "--annotation-columns" : "--child-annotations") + " applies to --format coco, not " + name);
        }
    }

    private static Split splitByField(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new UsageException("--split-field " + spec + ": expected COLUMN:PATH, e.g. image:metadata.split");
        }
        String column = spec.substring(0, colon).strip();
        String field = spec.substring(colon + 1).strip();
        try {
            return Split.byField(column, field);
        } catch (InvalidArgumentException e) {
            throw new UsageException("--split-field " + spec + ": " + e.getMessage());
        }
    }

    /** Runs a builder call, naming the option and its value when the library refuses it. */
    private static void checked(String option, Runnable call) {
        try {
            call.run();
        } catch (InvalidArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
    }

    /** The columns the options name exist in the source: a typo is reported before anything is written. */
    private void checkColumns(List<String> columns, String source) {
        List<String> named = new ArrayList<>();
        if (splitField != null) {
            named.add(splitField.substring(0, splitField.indexOf(':')).strip());
        }
        if (exportFormat == ExportFormat.COCO) {
            named.add(imageColumn != null ? imageColumn : CocoOptions.DEFAULT_IMAGE_COLUMN);
            named.addAll(annotationColumns);
        }
        for (String column : named) {
            if (!columns.contains(column)) {
                throw new UsageException("column '" + column + "' is not a column of " + source + " (columns: "
                        + String.join(", ", columns) + ")");
            }
        }
    }

    @Override
    Datalake openLake() {
        if (allowed.isEmpty()) {
            return super.openLake();
        }
        DatalakeSettings.Builder settings = root().settings(announceEmbedded());
        RegistrySettings.Builder registries = settings.build().registry().toBuilder();
        allowed.forEach(registries::allow);
        return Datalakes.create(settings.registry(registries.build()).build());
    }

    @Override
    int run(Datalake lake) {
        Path out = required(outDir, "OUT_DIR");
        ExportOptions.Builder builder = required(options, "options");
        Exporter exporter = Exporter.of(lake);
        VersionRef ref = version;
        Progress progress;
        String source;
        Mono<ExportReport> export;
        if (ref != null) {
            // Resolved once: the progress bar's total, and the exported version even if a tag moves meanwhile.
            VersionInfo info = await(lake.datasets().resolve(ref), "resolve");
            checkColumns(info.columns(), DatasetCommand.name(info));
            source = DatasetCommand.name(info);
            progress = new Progress(err(), root().context().terminal(), "exporting", "exported", "rows",
                    info.rowCount());
            export = exporter.exportVersion(info.ref(), out, builder.progress(listener(progress, info.rowCount()))
                    .build());
        } else {
            Query q = required(query, "--query");
            source = "-".equals(queryFile) ? "the query on standard input" : "the query in " + queryFile;
            progress = Progress.unbounded(err(), root().context().terminal(), "exporting");
            export = exporter.exportQuery(q, QueryOptions.builder().datumsWanted(limit).seed(seed).build(), out,
                    builder.progress(listener(progress, -1)).build());
        }
        ExportReport report;
        try {
            report = runInterruptibly(export, out, progress);
        } finally {
            progress.finish();
        }
        if (report == null) {
            return DatalakeCli.EXIT_INTERRUPTED;
        }
        printReport(report, source);
        return 0;
    }

    private static Consumer<ExportProgress> listener(Progress progress, long total) {
        return p -> progress.show(p.rows(), p.rows() + (total < 0 ? "" : "/" + total) + " rows, "
                + p.payloadFiles() + " payload files, " + StatsCommand.bytes(p.payloadBytes()));
    }

    /**
     * Runs the export; as its own process, Ctrl-C cancels it, which removes its partial folder.
     *
     * @return the report, or null when interrupted
     */
    private @Nullable ExportReport runInterruptibly(Mono<ExportReport> export, Path out, Progress progress) {
        CountDownLatch ended = new CountDownLatch(1);
        CompletableFuture<ExportReport> future = export.doFinally(signal -> ended.countDown()).toFuture();
        Thread hook = root().context().program() ? new Thread(() -> {
            interrupted = true;
            future.cancel(true);
            try {
                ended.await(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            progress.finish();
            err().println("datalake export: interrupted; " + out + " was not created");
            err().flush();
        }, "datalake-export-interrupt") : null;
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            return future.get();
        } catch (CancellationException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            return null;
        } catch (ExecutionException e) {
            throw Exceptions.propagate(e.getCause() == null ? e : e.getCause());
        } finally {
            if (hook != null && !interrupted) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running: it reports.
                }
            }
        }
    }

    private void printReport(ExportReport report, String source) {
        if (json) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            map.put("directory", report.directory().toString());
            map.put("format", report.format().cliName());
            map.put("source", source);
            map.put("rows", report.rows());
            map.put("payload_files", report.payloadFiles());
            map.put("payload_bytes", report.payloadBytes());
            map.put("manifest_sha256", report.manifestSha256());
            out().println(Json.write(map, true));
            return;
        }
        out().println(summary(report, source));
        String next = howToRead(report.format(), report.directory());
        if (next != null) {
            out().println(next);
        }
    }

    /** The one-line summary of an export. */
    static String summary(ExportReport report, String source) {
        return "exported " + report.rows() + (report.rows() == 1 ? " row" : " rows") + " of " + source + " as "
                + report.format().cliName() + " into " + report.directory() + ": " + report.payloadFiles()
                + (report.payloadFiles() == 1 ? " payload file, " : " payload files, ")
                + StatsCommand.bytes(report.payloadBytes()) + "; manifest.json sha256 " + report.manifestSha256();
    }

    /** How to open the folder with the tools its format is for, or null when it needs no saying. */
    static @Nullable String howToRead(ExportFormat format, Path dir) {
        // A JSON string is a valid Python string literal: the path pastes as it is, whatever it holds.
        String quoted = Json.write(dir.toString(), false);
        return switch (format) {
            case HUGGING_FACE -> "load it in Python: import datasets; ds = datasets.load_dataset(" + quoted + ")";
            case PARQUET -> "read it in Python: import pandas; df = pandas.read_parquet("
                    + Json.write(dir.resolve("data").toString(), false) + ")";
            case COCO -> "read it in Python: from pycocotools.coco import COCO; coco = COCO("
                    + Json.write(dir.resolve("annotations.json").toString(), false) + ")";
            case JSONL -> null;
        };
    }
}
