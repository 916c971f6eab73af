package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.InvalidArgumentException;
import io.datalake.io.ImportOptions;
import io.datalake.io.ImportProgress;
import io.datalake.io.ImportReport;
import io.datalake.io.Importer;
import io.datalake.registry.RegistryUris;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import reactor.core.publisher.Mono;

/**
 * {@code datalake import coco|voc}: an annotated image set becomes image datums (bytes in the registry) and
 * annotation datums derived from them, through {@link Importer}. Subcommands of {@code import}, whose own
 * positional DIR keeps importing a folder file by file.
 */
abstract class ImportFormatCommand implements Callable<Integer> {
    @ParentCommand
    @Nullable ImportCommand parent;

    @Option(names = "--metadata", paramLabel = "JSON", description = "Metadata added to every image datum, as a JSON"
            + " object (e.g. a project name).")
    @Nullable String metadata;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per batch, each with its annotations"
            + " (1-" + ImportOptions.MAX_BATCH_SIZE + ", default: " + ImportOptions.DEFAULT_BATCH_SIZE + ").")
    @Nullable Integer batchSize;

    @Option(names = "--json", description = "Print the report as JSON instead of a summary.")
    boolean json;

    /** The format's name, as the command is named. */
    abstract String format();

    /** Checks the paths before the lake is opened; returns what the summary says was imported. */
    abstract String checkPaths();

    /** Starts the import. */
    abstract Mono<ImportReport> importWith(Importer importer, ImportOptions options);

    @Override
    public final Integer call() {
        RootCommand root = root();
        String what = checkPaths();
        Map<String, Object> common = new LinkedHashMap<>();
        if (metadata != null) {
            Json.parseObject(metadata, "--metadata").forEach(common::put);
        }
        String registry = root.requireRegistry("import " + format());
        ImportOptions.Builder options = ImportOptions.builder().registry(registry);
        try {
            options.metadata(common);
        } catch (InvalidArgumentException e) {
            throw new UsageException("--metadata: " + e.getMessage());
        }
        Integer b = batchSize;
        if (b != null) {
            try {
                options.batchSize(b);
            } catch (InvalidArgumentException e) {
                throw new UsageException("--batch-size " + b + ": " + e.getMessage());
            }
        }
        ImportProgressBar progress = new ImportProgressBar(root.context());
        ImportReport report;
        try (Datalake lake = root.openLake(true)) {
            report = LakeCommand.await(importWith(Importer.of(lake), options.progress(progress).build()),
                    "import " + format());
        } finally {
            progress.finish();
        }
        print(report, what, registry);
        return 0;
    }

    private void print(ImportReport report, String what, String registry) {
        if (json) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            map.put("format", report.format());
            map.put("files", report.files());
            map.put("images_added", report.imagesAdded());
            map.put("images_skipped", report.imagesSkipped());
            map.put("annotations_added", report.annotationsAdded());
            map.put("annotations_skipped", report.annotationsSkipped());
            out().println(Json.write(map, true));
            return;
        }
        out().println(summary(report, what, registry));
    }

    /** The one-line summary of an import. */
    static String summary(ImportReport report, String what, String registry) {
        long skipped = report.imagesSkipped() + report.annotationsSkipped();
        return "imported " + report.imagesAdded() + (report.imagesAdded() == 1 ? " image" : " images") + " and "
                + report.annotationsAdded() + (report.annotationsAdded() == 1 ? " annotation" : " annotations")
                + (skipped > 0 ? ", skipped " + report.imagesSkipped() + " images and " + report.annotationsSkipped()
                        + " annotations already imported" : "")
                + " from " + what + " (" + report.files() + (report.files() == 1 ? " file" : " files") + ") into "
                + RegistryUris.redact(registry);
    }

    RootCommand root() {
        if (parent == null) {
            throw new IllegalStateException("command is not attached to the import command");
        }
        return parent.root();
    }

    java.io.PrintStream out() {
        return root().context().out();
    }

    /** A progress bar whose total is known once the import has parsed its files (the first report says it). */
    private static final class ImportProgressBar implements java.util.function.Consumer<ImportProgress> {
        private final CliContext context;
        private @Nullable Progress progress;

        ImportProgressBar(CliContext context) {
            this.context = context;
        }

        @Override
        public synchronized void accept(ImportProgress p) {
            Progress bar = progress;
            if (bar == null) {
                bar = new Progress(context.err(), context.terminal(), "importing", "imported", "images",
                        p.totalImages());
                progress = bar;
            }
            bar.show(p.images(), p.images() + "/" + p.totalImages() + " images, " + p.annotations()
                    + " annotations");
        }

        synchronized void finish() {
            Progress bar = progress;
            if (bar != null) {
                bar.finish();
            }
        }
    }

    /** {@code import coco}. */
    @Command(name = "coco",
            description = {
                "Import a COCO annotation file: each image becomes a datum with its bytes in the registry, each"
                        + " annotation a datum derived from its image: {\"type\": \"bbox\", \"label\", \"bbox\":"
                        + " [x, y, width, height]} in pixels from the top-left corner (COCO's own convention), or"
                        + " {\"type\": \"classification\", \"label\"}; metadata.source names the file.",
                "Idempotent: running the same import again (also after Ctrl-C) adds only what is missing and"
                        + " counts what it skipped. A malformed"
                        + " file is refused with the field at fault, before anything of it is written."
            },
            footerHeading = "%nExamples:%n",
            footer = {
                "  datalake import coco annotations/instances_val2017.json --images val2017 --registry /data/lake",
                "  datalake import coco labels.json --metadata '{\"project\": \"street\"}' --json"
            })
    static final class Coco extends ImportFormatCommand {
        @Parameters(index = "0", paramLabel = "ANNOTATIONS.json", description = "The COCO JSON file (images,"
                + " categories, annotations).")
        @Nullable Path annotations;

        @Option(names = "--images", paramLabel = "DIR", description = "The folder the images' file_names are relative"
                + " to (default: the folder of ANNOTATIONS.json).")
        @Nullable Path images;

        @Override
        String format() {
            return "coco";
        }

        @Override
        String checkPaths() {
            Path file = LakeCommand.required(annotations, "ANNOTATIONS.json");
            if (!Files.isRegularFile(file)) {
                throw new UsageException("import coco " + file + ": not a file (expected a COCO annotations .json)");
            }
            Path dir = imagesDir(file);
            if (!Files.isDirectory(dir)) {
                throw new UsageException("import coco --images " + dir + ": not a directory");
            }
            return file.toString();
        }

        private Path imagesDir(Path file) {
            if (images != null) {
                return images;
            }
            Path folder = file.toAbsolutePath().getParent();
            return folder != null ? folder : Path.of(".");
        }

        @Override
        Mono<ImportReport> importWith(Importer importer, ImportOptions options) {
            Path file = LakeCommand.required(annotations, "ANNOTATIONS.json");
            return importer.importCoco(file, imagesDir(file), options);
        }
    }

    /** {@code import voc}. */
    @Command(name = "voc",
            description = {
                "Import a Pascal VOC folder (Annotations/*.xml and JPEGImages/, or a folder of XML files next to"
                        + " their images): each image becomes a datum with its bytes in the registry, each object a"
                        + " bbox datum derived from it ({\"type\": \"bbox\", \"label\", \"bbox\": [x, y, width,"
                        + " height]} in pixels from the top-left corner); metadata.source names the XML file.",
                "Idempotent: running the same import again (also after Ctrl-C) adds only what is missing and"
                        + " counts what it skipped. A malformed"
                        + " file is refused with the element at fault, before anything of it is written."
            },
            footerHeading = "%nExamples:%n",
            footer = {
                "  datalake import voc VOCdevkit/VOC2012 --registry /data/lake",
                "  datalake import voc ./labelled --metadata '{\"project\": \"street\"}' --json"
            })
    static final class Voc extends ImportFormatCommand {
        @Parameters(index = "0", paramLabel = "DIR", description = "The VOC folder.")
        @Nullable Path folder;

        @Override
        String format() {
            return "voc";
        }

        @Override
        String checkPaths() {
            Path dir = LakeCommand.required(folder, "DIR");
            if (!Files.isDirectory(dir)) {
                throw new UsageException("import voc " + dir + ": not a directory");
            }
            return dir.toString();
        }

        @Override
        Mono<ImportReport> importWith(Importer importer, ImportOptions options) {
            return importer.importVoc(LakeCommand.required(folder, "DIR"), options);
        }
    }
}
