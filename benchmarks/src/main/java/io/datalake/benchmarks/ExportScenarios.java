package io.datalake.benchmarks;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.RegistrySettings;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.AuditReport;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionRef;
import io.datalake.io.ExportFormat;
import io.datalake.io.ExportOptions;
import io.datalake.io.ExportReport;
import io.datalake.io.Exporter;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Scenarios 18 and 19: exports measured against reading or copying the same data.
 *
 * <p>18: the export (Parquet by default) of a published 100k-row version of 2 columns with inline data and no
 * payloads, against reading the same rows with their datums the way the export does: {@code rows(version)}, batches
 * of {@link ExportOptions#DEFAULT_BATCH_SIZE} rows, one {@code getData(ids, false)} per batch, one batch at a time.
 *
 * <p>19: the JSONL export of a published version of 1,000 rows whose datums hold 1 MiB payloads in a file registry,
 * payload files included, against a raw parallel copy of the same 1,000 registry files with the same concurrency
 * ({@link ExportOptions#DEFAULT_PAYLOAD_CONCURRENCY} threads, {@code FileChannel.transferTo}, one {@code fsync} per
 * file and one of the folder, as the export makes its files durable).
 *
 * <p>Each side's runs are interleaved and preceded by an untimed {@code System.gc()}; every ratio is the median of
 * the per-round ratios.
 */
final class ExportScenarios {
    /** Scenario 18's version: every item with its latest label. */
    static final String ITEM_LABEL = """
            [{"column": "item", "data.type": "item"},
             {"column": "label", "derived_from": "item", "data.type": "label", "strategy": "latest"}]
            """;
    private static final String[] LABELS = {"cat", "dog", "bird", "car"};
    /** The hashed copy's buffer: the file registry's read chunk. */
    private static final int HASHED_COPY_BUFFER = 64 * 1024;

    private ExportScenarios() {
    }

    /** Scenario 18: an export of rows without payloads against reading them with their datums. */
    static ScenarioResult rows(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        int n = options.exportRows();
        int batch = ExportOptions.DEFAULT_BATCH_SIZE;
        String database = server.freshDatabase();
        try (Datalake lake = server.openLake(database)) {
            context.log().println("  loading " + n + " items and " + n + " labels");
            long start = System.nanoTime();
            List<ObjectId> items = lake.addData(Flux.range(0, n).map(ExportScenarios::item)).map(Datum::id)
                    .collectList().blockOptional().orElseThrow();
            lake.addData(Flux.range(0, n).map(i -> label(i, items.get(i)))).then().block();
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            context.log().println("  freezing the 2-level query into bench-export@1");
            start = System.nanoTime();
            VersionInfo version = published(lake.datasets(), lake.datasets().createDraft("bench-export",
                    DatasetSource.query(Query.fromJson(ITEM_LABEL), QueryOptions.defaults())).block());
            double versionSeconds = (System.nanoTime() - start) / 1e9;
            require(version.rowCount() == n, version + " has " + version.rowCount() + " rows, expected " + n);
            VersionRef ref = version.ref();
            Exporter exporter = Exporter.of(lake);
            Available format = available(exporter, ref, options.exportFormat());
            ExportOptions exportOptions = ExportOptions.builder().format(format.format()).build();

            String exportName = format.format().cliName() + " export of " + n + " rows (2 columns, no payloads)";
            String readName = "rows(version) + one getData(ids, false) per batch of " + batch + ", " + n + " rows";
            Map<String, Stats> stats = Interleaved.run(List.of(
                    exportTrial(exportName, exporter, ref, exportOptions, n, 0, 0),
                    new Trial() {
                        @Override
                        public String name() {
                            return readName;
                        }

                        @Override
                        public Run prepare() {
                            System.gc();
                            return () -> {
                                long datums = readWithDatums(lake, ref, batch);
                                require(datums == 2L * n, readName + " read " + datums + " datums, expected "
                                        + 2L * n);
                            };
                        }
                    }), context);

            ScenarioResult result = new ScenarioResult(18, "Export without payloads");
            result.setup.add(String.format(Locale.ROOT, "Lake: %,d items (data {type, value, label, score}, "
                    + "metadata {camera, batch}) and %,d labels derived from them (data {type, label, confidence}, "
                    + "metadata {annotator}), inline data, no payloads; loaded in %.1f s", n, n, loadSeconds));
            result.setup.add(String.format(Locale.ROOT, "Version bench-export@1: every item with its latest label "
                    + "(createDraft of the 2-level query, audited, published in %.1f s, untimed): %,d rows of 2 "
                    + "columns", versionSeconds, n));
            result.setup.add("Export: Exporter.exportVersion(bench-export@1) with ExportOptions defaults and format "
                    + format.format().cliName() + " (batches of " + batch + " rows, one getData per batch, rows "
                    + "written in order, files fsynced, manifest with SHA-256 of every file, atomic rename) into a "
                    + "fresh folder, deleted after the run (untimed)");
            result.setup.add("Baseline: the same rows read the way the export reads them: rows(bench-export@1), "
                    + "batches of " + batch + " rows, one getData(distinct ids, false) per batch, one batch at a "
                    + "time, datums counted (the issue's \"rows(version) with expand\")");
            if (format.fallback() != null) {
                result.setup.add("**" + format.fallback() + "**");
            }
            result.timed(stats, exportName, n, "rows");
            result.timed(stats, readName, n, "rows");
            String checkName = format.format().cliName() + " export throughput / rows + getData throughput (paired)";
            Check check = Check.paired(checkName, Stats.in(stats, readName), Stats.in(stats, exportName), true, 0.5);
            if (format.fallback() != null) {
                // The target is the Parquet export's: a stand-in format never passes it.
                check = new Check(check.name() + ", stand-in for parquet", check.measured(), check.target(), false);
            }
            result.checks.add(check);
            return result;
        } finally {
            server.drop(database);
        }
    }

    /** Scenario 19: an export with payload files against a raw parallel copy of the same files. */
    static ScenarioResult payloads(BenchmarkRun.Context context) throws Exception {
        BenchmarkOptions options = context.options();
        BenchServer server = context.server();
        int n = options.exportPayloads();
        int size = options.exportPayloadBytes();
        int concurrency = ExportOptions.DEFAULT_PAYLOAD_CONCURRENCY;
        long seed = options.seed();
        String database = server.freshDatabase();
        Path registryDir = Files.createTempDirectory("datalake-bench-export-registry");
        String registry = registryDir.toAbsolutePath().toString();
        try (Datalake lake = server.openLake(database, RegistrySettings.builder().allow(registry).build())) {
            context.log().println("  adding " + n + " payloads of " + size + " bytes to a file registry");
            long start = System.nanoTime();
            List<ObjectId> ids = Flux.range(0, n)
                    .flatMapSequential(i -> lake.addDatum(payload(seed, i, size),
                            Map.of("kind", "image", "n", i), registry, null), 4)
                    .map(Datum::id).collectList().blockOptional().orElseThrow();
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            VersionInfo version = published(lake.datasets(), lake.datasets().createDraft("bench-export-payloads",
                    DatasetSource.ids("image", ids)).block());
            require(version.rowCount() == n, version + " has " + version.rowCount() + " rows, expected " + n);
            List<Path> files = registryFiles(registryDir, size);
            require(files.size() == n, "the registry holds " + files.size() + " files of " + size + " bytes, "
                    + "expected " + n);
            long bytes = (long) n * size;
            VersionRef ref = version.ref();
            Exporter exporter = Exporter.of(lake);
            ExportOptions exportOptions = ExportOptions.builder().format(ExportFormat.JSONL).build();

            String exportName = "jsonl export of " + n + " rows with their " + n + " payload files";
            String copyName = "raw parallel copy of the " + n + " registry files (transferTo + fsync)";
            String hashedName = "raw parallel copy through 64 KiB buffers, each file's SHA-256 computed, fsync";
            String readName = "getPayload of every payload, " + concurrency + " in flight, bytes counted";
            Map<String, Stats> stats = Interleaved.run(List.of(
                    exportTrial(exportName, exporter, ref, exportOptions, n, n, bytes),
                    copyTrial(copyName, files, concurrency, bytes, false),
                    copyTrial(hashedName, files, concurrency, bytes, true),
                    new Trial() {
                        @Override
                        public String name() {
                            return readName;
                        }

                        @Override
                        public Run prepare() {
                            System.gc();
                            return () -> {
                                long read = Flux.fromIterable(ids)
                                        .flatMap(id -> lake.getPayload(id).map(b -> (long) b.remaining())
                                                .reduce(0L, Long::sum), concurrency)
                                        .reduce(0L, Long::sum).blockOptional().orElseThrow();
                                require(read == bytes, readName + " read " + read + " bytes, expected " + bytes);
                            };
                        }
                    }), context);

            ScenarioResult result = new ScenarioResult(19, "Export with payloads");
            result.setup.add(String.format(Locale.ROOT, "Lake: %,d datums whose payloads are distinct random "
                    + "blobs of %,d bytes in a file registry (added in %.1f s, untimed); version "
                    + "bench-export-payloads@1 of their ids (one column), audited and published", n, size,
                    loadSeconds));
            result.setup.add("Export: Exporter.exportVersion with format jsonl and ExportOptions defaults ("
                    + concurrency + " payload copies in flight, batches of " + ExportOptions.DEFAULT_BATCH_SIZE
                    + " rows): each payload read through the registry (verified against its SHA-256), hashed again "
                    + "while written to payloads/<sha256>, fsynced; the JSONL file and the manifest; folders "
                    + "fsynced, atomic rename. Into a fresh folder, deleted after the run (untimed)");
            result.setup.add("Baseline: the same " + n + " registry files copied into a fresh folder by a fixed pool "
                    + "of " + concurrency + " threads, each file with FileChannel.transferTo (the kernel copies, no "
                    + "user-space buffer) and fsynced, then the folder fsynced: the least a durable copy costs. It "
                    + "neither hashes nor reads the datums");
            result.setup.add("The last two figures are not targets. The hashed copy does what any verified copy "
                    + "must at least do (read through a 64 KiB heap buffer, SHA-256 of the bytes, write, fsync; the "
                    + "export hashes each payload once: the lake verifies it against the datum the export holds as it "
                    + "reads, and the copier writes those very buffers). getPayload: the payloads read through the lake (registry verification included), "
                    + "bytes discarded; what the export pays before writing");
            double mib = bytes / (1024.0 * 1024);
            result.timed(stats, exportName, mib, "MiB");
            result.timed(stats, copyName, mib, "MiB");
            result.timed(stats, hashedName, mib, "MiB");
            result.timed(stats, readName, mib, "MiB");
            Check hashed = Check.paired("export throughput / hashed copy throughput (paired)",
                    Stats.in(stats, hashedName), Stats.in(stats, exportName), true, 0);
            result.notes.add("Not a target: export throughput / hashed copy throughput (paired) = "
                    + hashed.measured() + ".");
            result.checks.add(Check.paired("export throughput / raw parallel copy throughput (paired)",
                    Stats.in(stats, copyName), Stats.in(stats, exportName), true, 0.7));
            return result;
        } finally {
            try {
                server.drop(database);
            } finally {
                RegistryScenario.deleteRecursively(registryDir);
            }
        }
    }

    /** The export format to measure: the one asked for, or JSONL with the reason if this build lacks its writer. */
    record Available(ExportFormat format, @Nullable String fallback) {
    }

    /**
     * Finds out whether this build can write {@code wanted}: the exporter checks its format when the export is
     * built, before anything is subscribed or written.
     */
    static Available available(Exporter exporter, VersionRef ref, ExportFormat wanted) throws IOException {
        Path probe = Files.createTempDirectory("datalake-bench-export-probe");
        try {
            exporter.exportVersion(ref, probe.resolve("never-written"),
                    ExportOptions.builder().format(wanted).build());
            return new Available(wanted, null);
        } catch (InvalidArgumentException e) {
            if (wanted == ExportFormat.JSONL) {
                throw e;
            }
            return new Available(ExportFormat.JSONL, "measured with jsonl: this build cannot export "
                    + wanted.cliName() + " (" + e.getMessage() + ")");
        } finally {
            RegistryScenario.deleteRecursively(probe);
        }
    }

    /** Exports the version into a fresh folder (deleted after the run, untimed); checks the report's counts. */
    private static Trial exportTrial(String name, Exporter exporter, VersionRef ref, ExportOptions exportOptions,
            long rows, long payloadFiles, long payloadBytes) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() throws Exception {
                Path dir = Files.createTempDirectory("datalake-bench-export");
                System.gc();
                return new Run() {
                    @Override
                    public void run() {
                        ExportReport report = Objects.requireNonNull(exporter.exportVersion(ref, dir.resolve("out"),
                                exportOptions).block(), name + " returned no report");
                        require(report.rows() == rows && report.payloadFiles() == payloadFiles
                                        && report.payloadBytes() == payloadBytes,
                                name + " reported " + report + ", expected " + rows + " rows, " + payloadFiles
                                        + " payload files of " + payloadBytes + " bytes");
                    }

                    @Override
                    public void cleanup() throws IOException {
                        RegistryScenario.deleteRecursively(dir);
                    }
                };
            }
        };
    }

    /**
     * Copies the files into a fresh folder with a fixed pool; each file durable, then the folder. {@code hashed}:
     * through a heap buffer, hashing every byte, instead of the kernel's copy.
     */
    private static Trial copyTrial(String name, List<Path> files, int concurrency, long bytes, boolean hashed) {
        return new Trial() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Run prepare() throws Exception {
                Path dir = Files.createTempDirectory("datalake-bench-copy");
                ExecutorService pool = Executors.newFixedThreadPool(concurrency);
                System.gc();
                return new Run() {
                    @Override
                    public void run() throws Exception {
                        List<Future<Long>> copies = new ArrayList<>(files.size());
                        for (Path file : files) {
                            Path target = dir.resolve(file.getFileName().toString());
                            copies.add(pool.submit(() -> hashed ? hashedCopy(file, target) : copy(file, target)));
                        }
                        long copied = 0;
                        for (Future<Long> copy : copies) {
                            copied += copy.get();
                        }
                        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
                            folder.force(true);
                        }
                        require(copied == bytes, name + " copied " + copied + " bytes, expected " + bytes);
                    }

                    @Override
                    public void cleanup() throws IOException {
                        pool.shutdownNow();
                        RegistryScenario.deleteRecursively(dir);
                    }
                };
            }
        };
    }

    private static long copy(Path source, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long position = 0;
            while (position < size) {
                position += in.transferTo(position, size - position, out);
            }
            out.force(true);
            return position;
        }
    }

    private static long hashedCopy(Path source, Path target) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long size = 0;
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (true) {
                ByteBuffer buffer = ByteBuffer.allocate(HASHED_COPY_BUFFER);
                if (in.read(buffer) < 0) {
                    break;
                }
                buffer.flip();
                sha.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    size += out.write(buffer);
                }
            }
            out.force(true);
        }
        require(sha.digest().length == 32, "SHA-256 of " + source);
        return size;
    }

    /** Reads a version's rows and their datums as the export does; returns the datums read. */
    static long readWithDatums(Datalake lake, VersionRef ref, int batch) {
        return lake.datasets().rows(ref)
                .buffer(batch)
                .concatMap(rows -> {
                    Set<ObjectId> ids = new LinkedHashSet<>();
                    rows.forEach(row -> ids.addAll(row.columns().values()));
                    return lake.getData(new ArrayList<>(ids), false).count();
                })
                .reduce(0L, Long::sum)
                .blockOptional().orElseThrow();
    }

    /** The registry's payload files: regular files of the payload size (the layout is the backend's). */
    private static List<Path> registryFiles(Path root, int size) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.size(p) == size;
                } catch (IOException e) {
                    return false;
                }
            }).sorted().toList();
        }
    }

    private static NewDatum item(int i) {
        return NewDatum.of(Map.of("type", "item", "value", i, "label", LABELS[i % LABELS.length],
                "score", i * 0.001), Map.of("camera", "cam-" + (i % 16), "batch", i / 1000));
    }

    private static NewDatum label(int i, ObjectId item) {
        return NewDatum.builder()
                .data(Map.of("type", "label", "label", LABELS[(i / 3) % LABELS.length], "confidence",
                        (i % 100) / 100.0))
                .metadata(Map.of("annotator", "annotator-" + (i % 5)))
                .derivedFrom(item)
                .build();
    }

    /** Payload {@code i}: random bytes from a seed, generated when needed (never all in memory). */
    private static byte[] payload(long seed, int i, int size) {
        byte[] bytes = new byte[size];
        new Random(seed * 1_000_003L + i).nextBytes(bytes);
        return bytes;
    }

    /** Audits a complete draft with the built-in checks and publishes it (untimed set-up). */
    static VersionInfo published(Datasets ds, @Nullable VersionInfo draft) {
        VersionInfo d = Objects.requireNonNull(draft, "createDraft returned nothing");
        AuditReport report = Objects.requireNonNull(ds.audit(d.id(), AuditOptions.defaults(), List.of()).block());
        require(report.passed(), "the audit of " + d.id() + " failed: " + report.checks());
        return Objects.requireNonNull(ds.publish(d.id()).block());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
