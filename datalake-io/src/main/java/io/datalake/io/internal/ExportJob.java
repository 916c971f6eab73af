package io.datalake.io.internal;

import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.io.ExportFormat;
import io.datalake.io.ExportOptions;
import io.datalake.io.ExportProgress;
import io.datalake.io.ExportReport;
import io.datalake.io.ExportTargetExistsException;
import io.datalake.io.PayloadMode;
import io.datalake.io.Split;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.codecs.BsonValueCodecProvider;
import org.bson.codecs.CollectionCodecProvider;
import org.bson.codecs.DocumentCodec;
import org.bson.codecs.DocumentCodecProvider;
import org.bson.codecs.IterableCodecProvider;
import org.bson.codecs.MapCodecProvider;
import org.bson.codecs.ValueCodecProvider;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.codecs.configuration.CodecRegistry;
import org.bson.codecs.jsr310.Jsr310CodecProvider;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static java.util.Objects.requireNonNull;

/**
 * One export: checks the target, resolves the source, writes into a {@link Workspace} batch by batch through a
 * {@link FormatWriter} (each batch: one {@code getData}, then its payloads copied with bounded concurrency, then the
 * rows written in order), writes {@code manifest.json} and renames the folder into place.
 */
public final class ExportJob {
    static final int FORMAT_VERSION = 1;

    private static final CodecRegistry CODECS = CodecRegistries.fromProviders(new ValueCodecProvider(),
            new CollectionCodecProvider(), new IterableCodecProvider(), new MapCodecProvider(),
            new BsonValueCodecProvider(), new DocumentCodecProvider(), new Jsr310CodecProvider());
    private static final DocumentCodec DOCUMENT_CODEC = new DocumentCodec(CODECS);
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private final Datalake lake;
    private final RowSource source;
    private final Path target;
    private final ExportOptions options;
    private final FormatWriter writer;

    /**
     * Prepares an export; nothing happens until the Mono of {@link #run()} is subscribed.
     *
     * @param lake the lake to read
     * @param source the rows
     * @param target the absolute output folder
     * @param options the options
     * @throws InvalidArgumentException naming the option if an option does not apply to the format
     */
    public ExportJob(Datalake lake, RowSource source, Path target, ExportOptions options) {
        this(lake, source, target, options, writerFor(lake, options));
    }

    /** An export through a given writer (tests). */
    ExportJob(Datalake lake, RowSource source, Path target, ExportOptions options, FormatWriter writer) {
        this.lake = lake;
        this.source = source;
        this.target = target;
        this.options = options;
        this.writer = writer;
    }

    private static FormatWriter writerFor(Datalake lake, ExportOptions options) {
        ExportFormat format = options.format();
        if (options.payloadMode() == PayloadMode.EMBED && format != ExportFormat.PARQUET
                && format != ExportFormat.HUGGING_FACE) {
            throw new InvalidArgumentException("payload mode EMBED applies to the parquet and hf formats, not "
                    + format.cliName());
        }
        if (options.split().kind() != Split.Kind.SINGLE && format != ExportFormat.HUGGING_FACE) {
            throw new InvalidArgumentException("a split (" + options.split() + ") applies to the hf format, not "
                    + format.cliName());
        }
        return switch (format) {
            case JSONL -> new JsonlWriter();
            case COCO -> new CocoWriter(lake, options.coco());
            case PARQUET -> new ParquetExportWriter(options);
            case HUGGING_FACE -> new HuggingFaceWriter(options);
        };
    }

    /**
     * Runs the export.
     *
     * @return the report once {@code target} exists and is complete
     */
    public Mono<ExportReport> run() {
        return Mono.defer(() -> {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return Mono.error(new ExportTargetExistsException(target));
            }
            if (target.getParent() == null) {
                return Mono.error(new InvalidArgumentException("export target has no parent folder: " + target));
            }
            // The parent is created if missing, so the nearest existing ancestor must be a folder: a file there would
            // fail deep in createDirectories with an error naming neither the target nor the cause.
            Path ancestor = target.getParent();
            while (ancestor != null && !Files.exists(ancestor)) {
                ancestor = ancestor.getParent();
            }
            if (ancestor != null && !Files.isDirectory(ancestor)) {
                return Mono.error(new InvalidArgumentException("export target " + target + " cannot be created: "
                        + ancestor + " is not a folder"));
            }
            return source.open().flatMap(opened -> Mono.usingWhen(
                    Mono.fromCallable(() -> Workspace.create(target)).subscribeOn(Schedulers.boundedElastic()),
                    workspace -> write(workspace, opened),
                    workspace -> Mono.fromRunnable(workspace::close),
                    (workspace, error) -> Mono.fromRunnable(() -> abort(workspace)),
                    workspace -> Mono.fromRunnable(() -> abort(workspace))));
        }).onErrorMap(e -> e instanceof IOException || e instanceof UncheckedIOException, this::ioFailure);
    }

    private void abort(Workspace workspace) {
        writer.abort();
        workspace.close();
    }

    private Mono<ExportReport> write(Workspace workspace, RowSource.Opened opened) {
        PayloadLayout layout = writer.payloadLayout();
        PayloadCopier payloads = layout == null ? null : new PayloadCopier(lake, workspace, layout);
        long[] rows = {0};
        return Mono.fromCallable(() -> withinHeap("opening its files", () -> {
                    writer.open(workspace, opened);
                    return opened;
                }))
                .subscribeOn(Schedulers.boundedElastic())
                .thenMany(opened.rows())
                .buffer(options.batchSize())
                .concatMap(batch -> writeBatch(batch, payloads), 1)
                .doOnNext(written -> {
                    rows[0] += written;
                    options.progress().accept(new ExportProgress(rows[0], payloads == null ? 0 : payloads.files(),
                            payloads == null ? 0 : payloads.bytes()));
                })
                .then(Mono.fromCallable(() -> {
                    Document extra = withinHeap("finishing its files", () -> writer.finish(workspace, rows[0]));
                    if (layout != null && !layout.listed()) {
                        Workspace.deleteTree(workspace.dir().resolve(layout.folder()));
                    }
                    PayloadCopier listed = layout != null && layout.listed() ? payloads : null;
                    long files = listed == null ? 0 : listed.files();
                    long bytes = listed == null ? 0 : listed.bytes();
                    String manifestSha = workspace.commit(manifestHead(opened, rows[0], files, bytes, extra));
                    return new ExportReport(target, options.format(), rows[0], files, bytes, manifestSha);
                }).subscribeOn(Schedulers.boundedElastic()));
    }

    private Mono<Integer> writeBatch(List<RowSource.NumberedRow> batch, @Nullable PayloadCopier payloads) {
        Set<ObjectId> distinct = new LinkedHashSet<>();
        Set<ObjectId> copied = new HashSet<>();
        for (RowSource.NumberedRow row : batch) {
            distinct.addAll(row.columns().values());
            row.columns().forEach((column, id) -> {
                if (writer.copiesPayloads(column)) {
                    copied.add(id);
                }
            });
        }
        return lake.getData(new ArrayList<>(distinct), false)
                .collectMap(Datum::id)
                .flatMap(datums -> Flux.fromIterable(payloads == null ? List.<Datum>of() : datums.values())
                        .filter(d -> d.registryKey() != null && copied.contains(d.id()))
                        .flatMap(d -> requireNonNull(payloads).copy(d).map(path -> Map.entry(d.id(), path)),
                                options.payloadConcurrency())
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new)
                        .publishOn(Schedulers.boundedElastic())
                        .map(paths -> {
                            try {
                                return withinHeap("writing rows " + batch.get(0).number() + " to "
                                        + batch.get(batch.size() - 1).number(), () -> {
                                            writer.write(batch, datums, paths);
                                            return batch.size();
                                        });
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }));
    }

    /** A writer step that may fill the heap (row-group buffers, embedded payloads). */
    private interface Step<T> {
        T run() throws IOException;
    }

    private <T> T withinHeap(String what, Step<T> step) throws IOException {
        try {
            return step.run();
        } catch (OutOfMemoryError e) {
            // Reactor treats OutOfMemoryError as fatal: it rethrows it on the worker thread instead of signalling
            // it, so the export would never end. The failed allocation is gone; report it as this export's failure.
            throw new DatalakeException("export to " + target + " ran out of memory while " + what
                    + ": give the JVM more heap (-Xmx), or use a smaller batchSize or rowGroupRows, or payload files"
                    + " instead of embedded payloads", e);
        }
    }

    /**
     * Returns the datum of a row's column.
     *
     * @throws DatalakeException if the batch read did not return it (the store broke its contract)
     */
    static Datum datum(Map<ObjectId, Datum> datums, RowSource.NumberedRow row, String column) {
        ObjectId id = row.columns().get(column);
        Datum d = id == null ? null : datums.get(id);
        if (d == null) {
            throw new DatalakeException("datum " + id + " of column " + column + " of row " + row.number()
                    + " was not returned by getData");
        }
        return d;
    }

    /** A document as relaxed extended JSON (dates {@code {"$date"}}, ids {@code {"$oid"}}). */
    static String json(Document document) {
        return document.toJson(JSON, DOCUMENT_CODEC);
    }

    private String manifestHead(RowSource.Opened opened, long rows, long files, long bytes, Document extra) {
        Document head = new Document("format", writer.manifestFormat())
                .append("format_version", FORMAT_VERSION)
                .append("created_at", Instant.now().toString())
                .append("source", opened.description())
                .append("columns", opened.columns())
                .append("rows", rows)
                .append("payload_files", files)
                .append("payload_bytes", bytes);
        head.putAll(extra);
        String json = json(head);
        return json.substring(0, json.lastIndexOf('}')).stripTrailing();
    }

    /** An I/O failure as the exception the API promises; package-private for tests. */
    Throwable ioFailure(Throwable e) {
        if (e instanceof FileAlreadyExistsException && target.toString().equals(e.getMessage())) {
            return new ExportTargetExistsException(target);
        }
        // Another export (or anyone) created the target between commit's check and the rename: rename(2) then
        // fails with "Directory not empty", reported on the pair (partial folder, target).
        if (e instanceof FileSystemException fs && target.toString().equals(fs.getOtherFile())
                && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return new ExportTargetExistsException(target);
        }
        Throwable cause = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        return new DatalakeException("export to " + target + " failed: " + cause.getMessage(), cause);
    }
}
