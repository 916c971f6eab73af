package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.PayloadInfo;
import io.datalake.RegistrySettings;
import io.datalake.cli.DatalakeCli;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.registry.RegistryUris;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.Flux;

/**
 * {@code datalake import}: every file under a directory becomes a datum with its bytes in the registry.
 *
 * <p>Idempotent and resumable: a file whose datum is already in the lake is skipped and counted. The key is the
 * datum's whole metadata (which holds the file's path relative to DIR, its name and {@code --metadata}), its parent
 * and its payload's size and SHA-256; candidates are found with one query on {@code metadata.path} per batch of
 * {@value #LOOKUP_BATCH} files and one {@code getData} for their datums, and a file is hashed only when a candidate
 * with its metadata exists.
 */
@Command(
        name = "import",
        description = {
            "Import every file under DIR as one datum each, its bytes in the registry; or, with 'import coco' and"
                    + " 'import voc', an annotated image set (see 'datalake import coco --help').",
            "Nested folders are walked, symbolic links skipped. Each datum gets --metadata plus {\"path\": "
                    + "<path relative to DIR>, \"filename\": <name>}. Identical files share one registry object. "
                    + "Shows a progress bar on a terminal and a line per tenth otherwise.",
            "Resumable: a file already imported into this lake (same metadata, parent and content) is skipped and"
                    + " counted, so running the same import again after a crash or Ctrl-C finishes it without"
                    + " duplicates. --allow-duplicates adds every file again."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake import ./photos --registry /data/payloads --metadata '{\"type\": \"image\"}'",
            "  datalake import ./crops --derived-from 665f1c2e8a9b4c3d2e1f0a9b --json > imported.json",
            "  datalake import coco annotations/instances_val2017.json --images val2017 --registry /data/lake",
            "  datalake import voc VOCdevkit/VOC2012 --registry /data/lake",
            "  datalake import ./coco --registry /data/lake   # a folder named coco or voc: write it as a path"
        },
        subcommands = {ImportFormatCommand.Coco.class, ImportFormatCommand.Voc.class})
final class ImportCommand extends LakeCommand {
    /**
     * Files per {@code addData} call. Small, so progress moves as payloads are placed rather than once per lake
     * batch (1000 datums); two calls in flight keep the registry busy while a chunk's datums are inserted.
     */
    static final int CHUNK = 2 * RegistrySettings.DEFAULT_PAYLOAD_CONCURRENCY;
    private static final int CHUNKS_IN_FLIGHT = 2;
    /** Files whose already-imported datums are looked up with one query. */
    static final int LOOKUP_BATCH = 500;
    /**
     * How long Ctrl-C waits for the uploads under way (at most {@value #CHUNKS_IN_FLIGHT} chunks) to finish, so no
     * temporary object is left half-written; after that the summary is printed anyway.
     */
    private static final long STOP_GRACE_SECONDS = 30;

    // Optional for picocli, so 'import coco FILE' parses as the subcommand; validate() requires it otherwise.
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The directory to import (a folder"
            + " named coco or voc: write ./coco or ./voc, else it is taken for the subcommand).")
    @Nullable Path directory;

    @Option(names = "--metadata", paramLabel = "JSON", description = "Metadata for every datum, as a JSON object.")
    @Nullable String metadata;

    @Option(names = "--derived-from", paramLabel = "ID", description = "The parent of every imported datum.")
    @Nullable ObjectId derivedFrom;

    @Option(names = "--allow-duplicates", description = "Add every file, even one already imported with the same"
            + " metadata and content (the behaviour before imports were resumable).")
    boolean allowDuplicates;

    @Option(names = "--json", description = "Print a JSON array of {\"path\", \"id\", \"skipped\"} instead of a"
            + " summary.")
    boolean json;

    private Map<String, @Nullable Object> common = Map.of();
    private String registryUri = "";
    private List<Path> files = List.of();

    /** What has been done so far; read by the Ctrl-C hook while the import runs. */
    private final List<Map<String, @Nullable Object>> imported = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> distinct = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger added = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private volatile boolean interrupted;
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    void validate() {
        Path dir = directory;
        if (dir == null) {
            throw new UsageException("import: missing DIR, the folder to import (or 'import coco ANNOTATIONS.json',"
                    + " 'import voc DIR')");
        }
        if (!Files.isDirectory(dir)) {
            throw new UsageException("import " + dir + ": not a directory");
        }
        common = metadata == null ? Map.of() : Json.parseObject(metadata, "--metadata");
        registryUri = root().requireRegistry("import");
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted()
                    .collect(Collectors.toList());
        } catch (IOException | UncheckedIOException e) {
            throw new UsageException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    @Override
    int run(Datalake lake) {
        Path dir = directory;
        if (dir == null) {
            throw new IllegalStateException("DIR was not validated");
        }
        Progress progress = new Progress(err(), root().context().terminal(), "importing", "imported", "files",
                files.size());
        Thread hook = root().context().program() ? new Thread(() -> onInterrupt(dir, progress),
                "datalake-import-interrupt") : null;
        if (hook != null) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            for (int from = 0; from < files.size() && !interrupted; from += LOOKUP_BATCH) {
                importBatch(lake, dir, files.subList(from, Math.min(files.size(), from + LOOKUP_BATCH)), progress);
            }
        } finally {
            stopped.countDown();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running: it reports.
                }
            }
        }
        if (interrupted) {
            return DatalakeCli.EXIT_INTERRUPTED;
        }
        progress.finish();
        printSummary(dir);
        return 0;
    }

    private void importBatch(Datalake lake, Path dir, List<Path> batch, Progress progress) {
        Map<String, List<Datum>> existing = allowDuplicates ? Map.of() : existing(lake, dir, batch);
        List<NewDatum> toAdd = new ArrayList<>();
        for (Path file : batch) {
            Map<String, @Nullable Object> meta = metadataFor(dir, file);
            Datum same = alreadyImported(existing.getOrDefault(relative(dir, file), List.of()), meta, file);
            if (same != null) {
                skipped.incrementAndGet();
                record(relative(dir, file), same, true);
                progress.advance();
            } else {
                toAdd.add(NewDatum.builder()
                        .data(file)
                        .metadata(meta)
                        .registryUri(registryUri)
                        .derivedFrom(derivedFrom)
                        .build());
            }
        }
        if (toAdd.isEmpty()) {
            return;
        }
        // flatMapSequential keeps the files' order; each datum carries its path in its metadata. After Ctrl-C no
        // new file is taken, and the chunks under way finish, so their uploads leave no temporary object behind.
        Flux.fromIterable(toAdd).takeWhile(datum -> !interrupted).buffer(CHUNK)
                .flatMapSequential(chunk -> lake.addData(Flux.fromIterable(chunk)), CHUNKS_IN_FLIGHT)
                .doOnNext(datum -> {
                    added.incrementAndGet();
                    record(String.valueOf(datum.metadata().get("path")), datum, false);
                    progress.advance();
                }).then().block();
    }

    private void record(String path, Datum datum, boolean wasSkipped) {
        PayloadInfo payload = datum.payload();
        if (payload != null && distinct.add(payload.sha256())) {
            bytes.addAndGet(payload.size());
        }
        Map<String, @Nullable Object> entry = new LinkedHashMap<>();
        entry.put("path", path);
        entry.put("id", datum.id().toHexString());
        entry.put("skipped", wasSkipped);
        imported.add(entry);
    }

    /** The datums already in the lake for a batch of files, by path: one query and one batched read. */
    private Map<String, List<Datum>> existing(Datalake lake, Path dir, List<Path> batch) {
        Map<String, Object> level = new LinkedHashMap<>();
        level.put("metadata.path", Map.of("$in", batch.stream().map(f -> relative(dir, f))
                .collect(Collectors.toList())));
        level.put("column", "file");
        List<ObjectId> ids = lake.queryRows(Query.fromMaps(List.of(level)), QueryOptions.defaults())
                .map(row -> row.get("file")).collectList().block();
        if (ids == null || ids.isEmpty()) {
            return Map.of();
        }
        List<Datum> datums = lake.getData(ids, false).collectList().block();
        return datums == null ? Map.of() : datums.stream()
                .collect(Collectors.groupingBy(d -> String.valueOf(d.metadata().get("path"))));
    }

    /** The datum that already holds this file with this metadata and parent, or null. */
    private @Nullable Datum alreadyImported(List<Datum> candidates, Map<String, @Nullable Object> meta, Path file) {
        String wanted = null;
        String sha256 = null;
        for (Datum candidate : candidates) {
            PayloadInfo payload = candidate.payload();
            if (payload == null || !Objects.equals(candidate.derivedFrom(), derivedFrom)) {
                continue;
            }
            if (wanted == null) {
                wanted = Json.canonical(meta);
            }
            if (!wanted.equals(Json.canonical(candidate.metadata()))) {
                continue;
            }
            try {
                if (Files.size(file) != payload.size()) {
                    continue;
                }
                if (sha256 == null) {
                    sha256 = sha256(file);
                }
            } catch (IOException e) {
                // Unreadable now: the upload reports it with the file's name.
                return null;
            }
            if (sha256.equals(payload.sha256())) {
                return candidate;
            }
        }
        return null;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Ctrl-C: take no new file, let the uploads under way finish, and say how far the import got. */
    private void onInterrupt(Path dir, Progress progress) {
        interrupted = true;
        try {
            if (!stopped.await(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                err().println("datalake import: uploads still running after " + STOP_GRACE_SECONDS + " s; stopping"
                        + " anyway (a registry may keep a temporary object, which readers ignore)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        progress.finish();
        printSummary(dir);
        err().println("datalake import: interrupted after " + (added.get() + skipped.get()) + " of " + files.size()
                + " files; run the same command again to import the rest (files already imported are skipped)");
        out().flush();
        err().flush();
    }

    private void printSummary(Path dir) {
        List<Map<String, @Nullable Object>> entries;
        synchronized (imported) {
            entries = new ArrayList<>(imported);
        }
        // Skipped files are recorded before a batch's uploads: list every file in the folder's order.
        entries.sort(java.util.Comparator.comparing(entry -> String.valueOf(entry.get("path"))));
        if (json) {
            out().println(Json.write(entries, true));
            return;
        }
        int total = added.get() + skipped.get();
        out().println("imported " + added.get() + (added.get() == 1 ? " file" : " files")
                + (skipped.get() > 0 ? ", skipped " + skipped.get() + " already imported" : "")
                + " from " + dir + " into " + RegistryUris.redact(registryUri) + ": " + distinct.size()
                + " distinct payloads, " + StatsCommand.bytes(bytes.get())
                + (total < files.size() ? " (" + (files.size() - total) + " files not reached)" : ""));
    }

    private Map<String, @Nullable Object> metadataFor(Path dir, Path file) {
        Map<String, @Nullable Object> meta = new LinkedHashMap<>(common);
        meta.put("path", relative(dir, file));
        meta.put("filename", file.getFileName().toString());
        return meta;
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }
}
