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
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The JSONL export: {@code data.jsonl} (one line per row), {@code payloads/<sha256>} and {@code manifest.json},
 * written into a {@link Workspace} and renamed into place at the end.
 *
 * <p>A line: {@code {"row": N, "columns": {COLUMN: {"id", "data", "metadata", "added_at", "derived_from",
 * "payload", "content_type"}}}}. {@code data} and {@code metadata} are relaxed extended JSON (a date is
 * {@code {"$date": "..."}}, an ObjectId {@code {"$oid": "..."}}, bytes {@code {"$binary": ...}}); {@code data} is
 * null for a registry datum, whose bytes are in the file {@code payload} names.
 */
public final class JsonlExport {
    static final String DATA_FILE = "data.jsonl";
    static final String FORMAT = "datalake-jsonl";
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

    /**
     * Prepares an export; nothing happens until the returned Mono of {@link #run()} is subscribed.
     *
     * @param lake the lake to read
     * @param source the rows
     * @param target the absolute output folder
     * @param options the options
     */
    public JsonlExport(Datalake lake, RowSource source, Path target, ExportOptions options) {
        this.lake = lake;
        this.source = source;
        this.target = target;
        this.options = options;
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
            return source.open().flatMap(opened -> Mono.usingWhen(
                    Mono.fromCallable(() -> Workspace.create(target)).subscribeOn(Schedulers.boundedElastic()),
                    workspace -> write(workspace, opened),
                    workspace -> Mono.fromRunnable(workspace::close),
                    (workspace, error) -> Mono.fromRunnable(workspace::close),
                    workspace -> Mono.fromRunnable(workspace::close)));
        }).onErrorMap(e -> e instanceof IOException || e instanceof UncheckedIOException, this::ioFailure);
    }

    private Mono<ExportReport> write(Workspace workspace, RowSource.Opened opened) {
        return Mono.using(() -> new DataFile(workspace.dir().resolve(DATA_FILE)), data -> {
            PayloadCopier payloads = new PayloadCopier(lake, workspace);
            long[] rows = {0};
            return opened.rows()
                    .buffer(options.batchSize())
                    .concatMap(batch -> writeBatch(batch, data, payloads), 1)
                    .doOnNext(written -> {
                        rows[0] += written;
                        options.progress().accept(new ExportProgress(rows[0], payloads.files(), payloads.bytes()));
                    })
                    .then(Mono.fromCallable(() -> {
                        data.finish(workspace);
                        String head = manifestHead(opened, rows[0], payloads);
                        String manifestSha = workspace.commit(head);
                        return new ExportReport(target, ExportFormat.JSONL, rows[0], payloads.files(),
                                payloads.bytes(), manifestSha);
                    }).subscribeOn(Schedulers.boundedElastic()));
        }, DataFile::closeQuietly);
    }

    private Mono<Integer> writeBatch(List<RowSource.NumberedRow> batch, DataFile data, PayloadCopier payloads) {
        Set<ObjectId> distinct = new LinkedHashSet<>();
        for (RowSource.NumberedRow row : batch) {
            distinct.addAll(row.columns().values());
        }
        return lake.getData(new ArrayList<>(distinct), false)
                .collectMap(Datum::id)
                .flatMap(datums -> Flux.fromIterable(datums.values())
                        .filter(d -> d.registryKey() != null)
                        .flatMap(d -> payloads.copy(d).map(path -> Map.entry(d.id(), path)),
                                options.payloadConcurrency())
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new)
                        .publishOn(Schedulers.boundedElastic())
                        .map(paths -> {
                            for (RowSource.NumberedRow row : batch) {
                                data.writeLine(line(row, datums, paths));
                            }
                            return batch.size();
                        }));
    }

    private static String line(RowSource.NumberedRow row, Map<ObjectId, Datum> datums, Map<ObjectId, String> paths) {
        Document columns = new Document();
        for (Map.Entry<String, ObjectId> column : row.columns().entrySet()) {
            Datum d = datums.get(column.getValue());
            if (d == null) {
                // getData fails for a missing id, so this means the store broke its contract.
                throw new DatalakeException("datum " + column.getValue() + " of row " + row.number()
                        + " was not returned by getData");
            }
            columns.append(column.getKey(), new Document("id", d.id().toHexString())
                    .append("data", d.data())
                    .append("metadata", d.metadata())
                    .append("added_at", d.addedAt().toString())
                    .append("derived_from", d.derivedFrom() == null ? null : d.derivedFrom().toHexString())
                    .append("payload", paths.get(d.id()))
                    .append("content_type", d.payload() == null ? null : d.payload().contentType()));
        }
        return new Document("row", row.number()).append("columns", columns).toJson(JSON, DOCUMENT_CODEC);
    }

    private String manifestHead(RowSource.Opened opened, long rows, PayloadCopier payloads) {
        Document head = new Document("format", FORMAT)
                .append("format_version", FORMAT_VERSION)
                .append("created_at", Instant.now().toString())
                .append("source", opened.description())
                .append("columns", opened.columns())
                .append("rows", rows)
                .append("data_file", DATA_FILE)
                .append("payload_files", payloads.files())
                .append("payload_bytes", payloads.bytes());
        String json = head.toJson(JSON, DOCUMENT_CODEC);
        return json.substring(0, json.lastIndexOf('}')).stripTrailing();
    }

    private Throwable ioFailure(Throwable e) {
        if (e instanceof FileAlreadyExistsException && target.toString().equals(e.getMessage())) {
            return new ExportTargetExistsException(target);
        }
        return new DatalakeException("export to " + target + " failed: " + e.getMessage(), e);
    }

    /** {@code data.jsonl}, hashed and counted as it is written. */
    private static final class DataFile {
        private final Path path;
        private final MessageDigest sha = Workspace.sha256();
        private final BufferedWriter writer;

        DataFile(Path path) throws IOException {
            this.path = path;
            OutputStream out = new DigestOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), sha);
            this.writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        }

        void writeLine(String line) {
            try {
                writer.write(line);
                writer.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path, e);
            }
        }

        void finish(Workspace workspace) throws IOException {
            writer.close();
            Workspace.force(path, false);
            workspace.addFile(DATA_FILE, Files.size(path), HexFormat.of().formatHex(sha.digest()));
        }

        void closeQuietly() {
            try {
                writer.close();
            } catch (IOException e) {
                // Only after a failure: the partial folder is deleted.
            }
        }
    }
}
