package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.LakeStats;
import io.datalake.NewDatum;
import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.AuditReport;
import io.datalake.dataset.DatasetSource;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.DiffEntry;
import io.datalake.dataset.VersionInfo;
import io.datalake.io.ExportFormat;
import io.datalake.io.ExportOptions;
import io.datalake.io.ExportReport;
import io.datalake.io.Exporter;
import io.datalake.io.PayloadMode;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.query.Query;
import io.datalake.query.QueryResult;
import io.datalake.registry.RegistryUris;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code datalake demo}: builds a small vision pipeline lake and shows what the lake answers. Every step prints
 * what it did and what its output shows, so the demo reads as a tour.
 */
@Command(
        name = "demo",
        description = {
            "Build a small image pipeline lake and tour it.",
            "",
            "Stores 12 PNG images in a file registry, adds labels from two model versions and boxes, leaves "
                    + "some images unclassified; then runs a 3-level 'latest' query, an 'earliest' query, a "
                    + "'missing' query, a transposed result and one image's lineage tree, freezes the labelled "
                    + "images into a dataset version and exports it to the Hugging Face datasets layout, saying what "
                    + "each step shows.",
            "The export folder stays when the demo ends (--export-dir, default a new folder in the temporary "
                    + "directory); the demo prints how to load it with datasets.load_dataset.",
            "Runs on a throwaway embedded lake unless --mongo-uri is given (then the database must be empty, and"
                    + " --registry is required: the datums stay, so their payloads must too)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake demo",
            "  datalake demo --export-dir ./demo-hf",
            "  datalake demo --mongo-uri mongodb://localhost:27017 --database datalake_demo --registry /data/demo"
        })
final class DemoCommand extends LakeCommand {
    static final int IMAGES = 12;
    static final int CLASSIFIED_BY_V1 = 8;
    private static final int CONCURRENCY = 4;
    private static final int SIDE = 32;
    private static final String IMAGE_LEVEL = "{\"metadata.type\": \"image\", \"column\": \"image\"";

    private @Nullable Path workDir;

    @Option(names = "--export-dir", paramLabel = "DIR", description = "Where the last step writes the Hugging Face"
            + " export; it must not exist (default: a new folder in the temporary directory). Kept after the demo.")
    @Nullable Path exportDir;

    @Override
    boolean announceEmbedded() {
        return false;
    }

    @Override
    void validate() {
        Path target = exportDir;
        if (target != null && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException("--export-dir " + target + " already exists; an export never writes into or over"
                    + " a folder: choose a new one");
        }
        if (root().mongoUri() != null && root().registry() == null) {
            // A temporary registry would be deleted when the demo ends, leaving datums in a real database that
            // point at missing payloads.
            throw new UsageException("demo with --mongo-uri needs a registry that outlives it: pass --registry URI"
                    + " or set " + RootCommand.ENV_REGISTRY);
        }
    }

    @Override
    int run(Datalake lake) throws IOException {
        long started = System.nanoTime();
        PrintStream out = out();
        if (root().mongoUri() != null) {
            requireEmpty(lake);
        }
        String userRegistry = root().registry();
        workDir = Files.createTempDirectory("datalake-demo-");
        try {
            String registry = userRegistry != null ? userRegistry : workDir.resolve("registry").toUri().toString();
            out.println("datalake demo: a small vision pipeline on "
                    + (root().mongoUri() == null ? "an embedded in-memory lake" : "MongoDB")
                    + ", payloads in " + RegistryUris.redact(registry));
            out.println();

            List<Datum> images = addImages(lake, registry, workDir.resolve("images"));
            classifyMissing(lake, images);
            relabel(lake);
            detectBoxes(lake);
            showLatest(lake);
            showEarliest(lake);
            showMissing(lake);
            showTransposed(lake);
            showLineage(lake, images.get(0));
            VersionInfo frozen = freezeAndDiff(lake);
            exportForTraining(lake, frozen);

            LakeStats stats = await(lake.getStats(), "getStats");
            out.printf(Locale.ROOT, "done in %.1f s: %d datums, %d roots, chains up to %d deep.%n",
                    (System.nanoTime() - started) / 1e9, stats.datums(), stats.roots(), stats.deepestChain());
            out.println("Next: 'datalake --help', the samples in samples/, or point --mongo-uri at your MongoDB.");
            return 0;
        } finally {
            deleteRecursively(workDir);
        }
    }

    private static void requireEmpty(Datalake lake) {
        QueryResult any = lake.queryData("[{\"column\": \"any\", \"strategy\": \"quickest\"}]", 1, false).block();
        if (any != null && !any.isEmpty()) {
            throw new UsageException("demo needs an empty lake, but this database already holds datums:"
                    + " pass --database with a new name");
        }
    }

    // ---- building the lake ----

    private List<Datum> addImages(Datalake lake, String registry, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<NewDatum> newImages = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            String camera = i < IMAGES / 2 ? "cam-1" : "cam-2";
            String filename = String.format(Locale.ROOT, "img_%03d.png", i);
            Path file = dir.resolve(camera + "-" + filename);
            // The last frame repeats the one before: identical bytes, so the registry stores them once.
            Files.write(file, png(i == IMAGES - 1 ? i - 1 : i));
            Map<String, Object> metadata = new LinkedHashMap<>();
            metadata.put("type", "image");
            metadata.put("project", "cv");
            metadata.put("camera", camera);
            metadata.put("filename", filename);
            newImages.add(NewDatum.builder().data(file).metadata(metadata).registryUri(registry).build());
        }
        List<Datum> images = await(lake.addData(Flux.fromIterable(newImages)).collectList(), "addData");
        long objects = images.stream().map(d -> d.payload() == null ? d.id().toHexString() : d.payload().sha256())
                .distinct().count();
        step(1, "Images: " + IMAGES + " PNG files from cam-1 and cam-2, added in one addData batch",
                images.size() + " datums, data in the registry (" + objects + " objects: the last frame repeats"
                        + " the one before, and identical bytes are stored once).");
        return images;
    }

    /**
     * The pipeline pattern: query the images still missing a classification, then classify them concurrently
     * (flatMap with bounded concurrency) and add each label derived from its image.
     */
    private void classifyMissing(Datalake lake, List<Datum> images) {
        String missing = "[" + IMAGE_LEVEL + ", \"strategy\": \"earliest\"},"
                + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\","
                + " \"strategy\": \"missing\"}]";
        // Neither the query's rows nor the ids of one addData batch come in a fixed order: the first frames by file
        // name are picked, so every run tours the same lake.
        Map<ObjectId, String> names = images.stream().collect(Collectors.toMap(Datum::id,
                d -> String.valueOf(d.metadata().get("filename"))));
        List<ObjectId> backlog = await(lake.queryRows(Query.fromJson(missing), io.datalake.query.QueryOptions
                .defaults()).map(row -> column(row, "image")).collectSortedList(
                        Comparator.comparing(id -> names.getOrDefault(id, ""))), "queryRows");
        Long added = Flux.fromIterable(backlog.subList(0, Math.min(CLASSIFIED_BY_V1, backlog.size())))
                .flatMap(image -> classify(lake, image, Model.RESNET_V1), CONCURRENCY)
                .count()
                .block();
        step(2, "Classifying with resnet-v1: query images 'missing' a classification (the first " + CLASSIFIED_BY_V1
                        + " frames), flatMap(classify, " + CONCURRENCY + " at a time),"
                        + " addDatum(label, derivedFrom=image)",
                added + " classifications added; " + (IMAGES - CLASSIFIED_BY_V1) + " images stay unclassified.");
    }

    private void relabel(Datalake lake) {
        String cam1Labelled = "[{\"metadata.type\": \"image\", \"metadata.camera\": \"cam-1\", \"column\": \"image\","
                + " \"strategy\": \"earliest\"},"
                + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\"}]";
        Long added = lake.queryRows(Query.fromJson(cam1Labelled), io.datalake.query.QueryOptions.defaults())
                .flatMap(row -> classify(lake, column(row, "image"), Model.RESNET_V2), CONCURRENCY)
                .count()
                .block();
        step(3, "Re-labelling cam-1 with the newer resnet-v2",
                added + " new classifications next to the old ones: nothing is overwritten, both versions stay.");
    }

    private void detectBoxes(Datalake lake) {
        String latestLabels = "[" + IMAGE_LEVEL + ", \"strategy\": \"earliest\"},"
                + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\"}]";
        Long added = lake.queryRows(Query.fromJson(latestLabels), io.datalake.query.QueryOptions.defaults())
                .flatMap(row -> lake.getDatum(column(row, "label"))
                        .flatMap(label -> box(label) == null
                                ? Mono.<Datum>empty()
                                : lake.addDatum(box(label), Map.of("model", "detector-v1"), null, label.id())),
                        CONCURRENCY)
                .count()
                .block();
        step(4, "Detecting boxes on each image's latest classification with detector-v1",
                added + " boxes added, derived from the labels; the detector finds nothing on birds.");
    }

    private Mono<Datum> classify(Datalake lake, ObjectId imageId, Model model) {
        return lake.getDatum(imageId, true).flatMap(image -> {
            // Loaded with its payload, an image's data is its PNG bytes.
            Map<String, Object> label = model.classify((byte[]) Objects.requireNonNull(image.data(), "image bytes"));
            return lake.addDatum(label, Map.of("model", model.id), null, imageId);
        });
    }

    /** A column of a query row: every output column of the query is in each row. */
    private static ObjectId column(Map<String, ObjectId> row, String name) {
        return Objects.requireNonNull(row.get(name), name);
    }

    private static @Nullable Map<String, Object> box(Datum label) {
        // The demo's labels are always maps (see Model.classify).
        Map<?, ?> data = (Map<?, ?>) Objects.requireNonNull(label.data(), "label data");
        String name = String.valueOf(data.get("label"));
        if (name.contains("bird") || name.contains("sparrow")) {
            return null;
        }
        Map<String, Object> box = new LinkedHashMap<>();
        box.put("type", "bbox");
        box.put("label", name);
        box.put("x", 4 + name.length());
        box.put("y", 6);
        box.put("w", 20);
        box.put("h", 18);
        return box;
    }

    // ---- reading it back ----

    private void showLatest(Datalake lake) {
        String query = "[" + IMAGE_LEVEL + ", \"strategy\": \"earliest\"},\n"
                + "    {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\","
                + " \"strategy\": \"latest\"},\n"
                + "    {\"data.type\": \"bbox\", \"derived_from\": \"label\", \"column\": \"box\","
                + " \"strategy\": \"latest\"}]";
        showQuery(lake, 5, "3-level query: each image, its LATEST classification, that label's latest box",
                query, "cam-1 rows carry resnet-v2 labels (the newer version wins); images whose latest label"
                        + " has no box (birds) are dropped, as are unclassified images.");
    }

    private void showEarliest(Datalake lake) {
        String query = "[" + IMAGE_LEVEL + ", \"strategy\": \"earliest\"},\n"
                + "    {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\","
                + " \"strategy\": \"earliest\"}]";
        showQuery(lake, 6, "'earliest' query: each image's FIRST classification", query,
                "every label is resnet-v1's, as first recorded, even where resnet-v2 relabelled later.");
    }

    private void showMissing(Datalake lake) {
        String query = "[" + IMAGE_LEVEL + ", \"strategy\": \"earliest\"},\n"
                + "    {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\","
                + " \"strategy\": \"missing\"}]";
        showQuery(lake, 7, "'missing' query: unclassified images, the backlog for the next model run", query,
                "only images with no classification at all; the 'missing' column itself is not output.");
    }

    private void showQuery(Datalake lake, int number, String title, String query, String shows) {
        QueryResult result = await(lake.queryData(query, null, false), "queryData");
        PrintStream out = out();
        out.println(number + ". " + title);
        out.println("   query: " + query.replace("\n", "\n   "));
        printTable(lake, result);
        out.println("   shows: " + result.size() + " rows; " + shows);
        out.println();
    }

    private void showTransposed(Datalake lake) {
        String query = "[" + IMAGE_LEVEL + ", \"strategy\": \"earliest\"},"
                + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\"}]";
        QueryResult result = await(lake.queryData(query, 3, true), "queryData");
        PrintStream out = out();
        out.println("8. Transposed result: queryData(query, datumsWanted=3, transpose=true)");
        for (Map.Entry<String, List<ObjectId>> column : result.transposed().entrySet()) {
            out.println("   " + column.getKey() + ": " + column.getValue().stream().map(ObjectId::toHexString)
                    .collect(Collectors.toList()));
        }
        out.println("   shows: one index-aligned list of ids per column (label[i] belongs to image[i]),"
                + " the shape a training job feeds on.");
        out.println();
    }

    private void showLineage(Datalake lake, Datum image) {
        Lineage lineage = await(lake.getLineage(image.id(), LineageDirection.DOWN), "getLineage");
        PrintStream out = out();
        out.println("9. Lineage of " + image.metadata().get("camera") + "/" + image.metadata().get("filename")
                + " (datalake lineage " + image.id().toHexString() + ")");
        for (String line : LineageFormat.TREE.render(lineage, root().context().unicode()).split("\n")) {
            out.println("   " + line);
        }
        out.println("   shows: both model versions' labels hang off the image; the box hangs off the label it"
                + " was detected for.");
        out.println();
    }

    /** Prints rows with a readable description of each picked datum instead of bare ids. */
    private void printTable(Datalake lake, QueryResult result) {
        PrintStream out = out();
        List<ObjectId> ids = result.rows().stream().flatMap(row -> row.values().stream()).distinct()
                .collect(Collectors.toList());
        Map<ObjectId, Datum> datums = ids.isEmpty() ? Map.of()
                : await(lake.getData(ids, false).collectMap(Datum::id, Function.identity()), "getData");
        List<List<String>> cells = new ArrayList<>();
        cells.add(result.columns());
        for (Map<String, ObjectId> row : result.rows()) {
            cells.add(result.columns().stream().map(c -> describe(datums.get(row.get(c))))
                    .collect(Collectors.toList()));
        }
        int[] widths = new int[result.columns().size()];
        for (List<String> line : cells) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        }
        for (List<String> line : cells) {
            StringBuilder text = new StringBuilder("   |");
            for (int i = 0; i < widths.length; i++) {
                text.append(' ').append(String.format("%-" + widths[i] + "s", line.get(i))).append(" |");
            }
            out.println(text);
        }
    }

    static String describe(@Nullable Datum datum) {
        if (datum == null) {
            return "?";
        }
        Map<String, @Nullable Object> meta = datum.metadata();
        if ("image".equals(meta.get("type"))) {
            return meta.get("camera") + "/" + meta.get("filename");
        }
        if (datum.data() instanceof Map) {
            Map<?, ?> data = (Map<?, ?>) datum.data();
            if ("classification".equals(data.get("type"))) {
                return data.get("label") + " " + data.get("score") + " (" + meta.get("model") + ")";
            }
            if ("bbox".equals(data.get("type"))) {
                return "box " + data.get("x") + "," + data.get("y") + " " + data.get("w") + "x" + data.get("h");
            }
        }
        return datum.id().toHexString();
    }

    /**
     * A training team's step: freeze the labelled images into an immutable dataset version (write, audit,
     * publish), let new labels arrive, publish the next version and show what changed between them.
     */
    private VersionInfo freezeAndDiff(Datalake lake) {
        Datasets datasets = lake.datasets();
        Query labelled = Query.fromJson("[" + IMAGE_LEVEL + ", \"strategy\": \"earliest\"},"
                + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\"}]");
        VersionInfo first = freeze(datasets, labelled);
        String missing = "[" + IMAGE_LEVEL + ", \"strategy\": \"earliest\"},"
                + " {\"data.type\": \"classification\", \"derived_from\": \"image\", \"column\": \"label\","
                + " \"strategy\": \"missing\"}]";
        Long added = lake.queryRows(Query.fromJson(missing), io.datalake.query.QueryOptions.defaults())
                .flatMap(row -> classify(lake, column(row, "image"), Model.RESNET_V1), CONCURRENCY)
                .count()
                .block();
        VersionInfo second = freeze(datasets, labelled);
        List<DiffEntry> diff = await(datasets.diff(first.ref(), second.ref()).collectList(), "diff");
        long plus = diff.stream().filter(e -> e.kind() == DiffEntry.Kind.ADDED).count();
        PrintStream out = out();
        out.println("10. Freezing the labelled images into dataset 'labelled-images' (datalake dataset create, audit,"
                + " publish)");
        out.println("   version 1: " + first.rowCount() + " rows, audited and published, hash "
                + Objects.requireNonNull(first.contentHash()).substring(0, 12) + "...");
        out.println("   then resnet-v1 labels the backlog: " + added + " new classifications");
        out.println("   version 2: " + second.rowCount() + " rows; datalake dataset diff labelled-images@1"
                + " labelled-images@2:");
        for (DiffEntry entry : diff) {
            out.println("   " + (entry.kind() == DiffEntry.Kind.ADDED ? "+ " : "- ") + entry.columns().values().stream()
                    .map(ObjectId::toHexString).collect(Collectors.joining("  ")));
        }
        out.println("   shows: version 1 still reads exactly as published; " + plus + " rows added, "
                + (diff.size() - plus) + " removed.");
        out.println();
        return second;
    }

    /**
     * The hand-over to training: the published version, exported to the Hugging Face datasets layout with the image
     * bytes inside the Parquet files, so the folder stands alone. A failure here does not undo the tour: it is
     * reported in the step, and the folder is not left half-written (the exporter writes a partial folder and
     * renames it only when complete).
     */
    private void exportForTraining(Datalake lake, VersionInfo version) {
        PrintStream out = out();
        String name = DatasetCommand.name(version);
        out.println("11. Exporting " + name + " for training in the Hugging Face datasets layout (datalake export"
                + " --dataset " + name + " --format hf --embed-payloads DIR)");
        Path created = null;
        try {
            Path target = exportDir;
            if (target == null) {
                created = Files.createTempDirectory("datalake-demo-export-");
                target = created.resolve(version.dataset());
            }
            ExportReport report = await(Exporter.of(lake).exportVersion(version.ref(), target, ExportOptions.builder()
                    .format(ExportFormat.HUGGING_FACE).payloadMode(PayloadMode.EMBED).build()), "export");
            out.println("   " + ExportCommand.summary(report, name));
            out.println("   " + ExportCommand.howToRead(ExportFormat.HUGGING_FACE, report.directory()));
            out.println("   shows: Parquet shards under data/ with the image bytes inside, and a README.md dataset"
                    + " card naming " + name + " and its content hash; the folder stays after the demo.");
        } catch (IOException | RuntimeException e) {
            Throwable error = Exceptions.unwrap(e);
            String why = error.getMessage();
            out.println("   not exported: " + (why == null ? error.getClass().getSimpleName()
                    : why.strip().replaceAll("\\s*\\R\\s*", " ")));
            if (created != null) {
                try {
                    deleteRecursively(created);
                } catch (IOException ignored) {
                    // An empty folder in the temporary directory: nothing to report over the failure itself.
                }
            }
        }
        out.println();
    }

    private static VersionInfo freeze(Datasets datasets, Query query) {
        VersionInfo draft = await(datasets.createDraft("labelled-images",
                DatasetSource.query(query, io.datalake.query.QueryOptions.defaults())), "createDraft");
        AuditReport report = await(datasets.audit(draft.id(), AuditOptions.defaults(), List.of()), "audit");
        if (!report.passed()) {
            throw new IllegalStateException("the demo's dataset failed its audit: " + report.checks());
        }
        return await(datasets.publish(draft.id()), "publish");
    }

    private void step(int number, String title, String shows) {
        out().println(number + ". " + title);
        out().println("   " + shows);
        out().println();
    }

    // ---- a tiny fake vision model and image maker ----

    /** Writes a PNG whose dominant colour encodes its class: red-ish cats, blue-ish dogs, green-ish birds. */
    static byte[] png(int index) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        int kind = index % 3;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int base = 60 + ((x * 7 + y * 13 + index * 31) % 50);
                int strong = 170 + ((x + y + index * 5) % 80);
                int r = kind == 0 ? strong : base;
                int g = kind == 2 ? strong : base;
                int b = kind == 1 ? strong : base;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        try (java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream()) {
            ImageIO.write(image, "png", bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two versions of a "model" that reads the image's pixels and names its dominant colour's animal. */
    enum Model {
        RESNET_V1("resnet-v1", new String[] {"cat", "dog", "bird"}, 0.0),
        RESNET_V2("resnet-v2", new String[] {"tabby cat", "labrador", "sparrow"}, 0.08);

        final String id;
        final String[] labels;
        final double boost;

        Model(String id, String[] labels, double boost) {
            this.id = id;
            this.labels = labels;
            this.boost = boost;
        }

        Map<String, Object> classify(byte[] png) {
            BufferedImage image;
            try {
                image = ImageIO.read(new ByteArrayInputStream(png));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long[] sums = new long[3];
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    int rgb = image.getRGB(x, y);
                    sums[0] += (rgb >> 16) & 0xff;
                    sums[1] += (rgb >> 8) & 0xff;
                    sums[2] += rgb & 0xff;
                }
            }
            // Channel order red, green, blue maps to labels cat, bird, dog.
            int dominant = sums[0] >= sums[1] && sums[0] >= sums[2] ? 0 : sums[2] >= sums[1] ? 1 : 2;
            double share = (double) sums[dominant == 0 ? 0 : dominant == 1 ? 2 : 1] / (sums[0] + sums[1] + sums[2]);
            double score = Math.min(0.99, Math.round((share + 0.35 + boost) * 100) / 100.0);
            Map<String, Object> label = new LinkedHashMap<>();
            label.put("type", "classification");
            label.put("label", labels[dominant]);
            label.put("score", score);
            return label;
        }
    }

    private static void deleteRecursively(@Nullable Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }
}
