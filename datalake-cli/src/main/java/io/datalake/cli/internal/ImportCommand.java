package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.PayloadInfo;
import io.datalake.RegistrySettings;
import io.datalake.registry.RegistryUris;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.Flux;

/** {@code datalake import}: every file under a directory becomes a datum with its bytes in the registry. */
@Command(
        name = "import",
        description = {
            "Import every file under DIR as one datum each, its bytes in the registry.",
            "Nested folders are walked, symbolic links skipped. Each datum gets --metadata plus {\"path\": "
                    + "<path relative to DIR>, \"filename\": <name>}. Identical files share one registry object. "
                    + "Shows a progress bar on a terminal and a line per tenth otherwise."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake import ./photos --registry /data/payloads --metadata '{\"type\": \"image\"}'",
            "  datalake import ./crops --derived-from 665f1c2e8a9b4c3d2e1f0a9b --json > imported.json"
        })
final class ImportCommand extends LakeCommand {
    private static final int BAR_WIDTH = 30;
    /**
     * Files per {@code addData} call. Small, so progress moves as payloads are placed rather than once per lake
     * batch (1000 datums); two calls in flight keep the registry busy while a chunk's datums are inserted.
     */
    static final int CHUNK = 2 * RegistrySettings.DEFAULT_PAYLOAD_CONCURRENCY;
    private static final int CHUNKS_IN_FLIGHT = 2;

    @Parameters(index = "0", paramLabel = "DIR", description = "The directory to import.")
    @Nullable Path directory;

    @Option(names = "--metadata", paramLabel = "JSON", description = "Metadata for every datum, as a JSON object.")
    @Nullable String metadata;

    @Option(names = "--derived-from", paramLabel = "ID", description = "The parent of every imported datum.")
    @Nullable ObjectId derivedFrom;

    @Option(names = "--json", description = "Print a JSON array of {\"path\", \"id\"} instead of a summary.")
    boolean json;

    private Map<String, @Nullable Object> common = Map.of();
    private String registryUri = "";
    private List<Path> files = List.of();

    @Override
    void validate() {
        Path dir = directory;
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException("import " + dir + ": not a directory");
        }
        common = metadata == null ? Map.of() : Json.parseObject(metadata, "--metadata");
        registryUri = root().requireRegistry("import");
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UsageException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    @Override
    int run(Datalake lake) {
        Path dir = directory;
        if (dir == null) {
            throw new IllegalStateException("DIR was not validated");
        }
        Progress progress = new Progress(err(), root().context().terminal(), files.size());
        List<Map<String, String>> imported = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        long[] bytes = {0};
        Flux<NewDatum> datums = Flux.fromIterable(files).map(file -> NewDatum.builder()
                .data(file)
                .metadata(metadataFor(dir, file))
                .registryUri(registryUri)
                .derivedFrom(derivedFrom)
                .build());
        int[] index = {0};
        // flatMapSequential keeps the files' order, which the index into files relies on.
        datums.buffer(CHUNK).flatMapSequential(chunk -> lake.addData(Flux.fromIterable(chunk)), CHUNKS_IN_FLIGHT)
                .doOnNext(datum -> {
                    Path file = files.get(index[0]++);
                    PayloadInfo payload = datum.payload();
                    if (payload != null && distinct.add(payload.sha256())) {
                        bytes[0] += payload.size();
                    }
                    Map<String, String> entry = new LinkedHashMap<>();
                    entry.put("path", relative(dir, file));
                    entry.put("id", datum.id().toHexString());
                    imported.add(entry);
                    progress.advance();
                }).then().block();
        progress.finish();
        if (json) {
            out().println(Json.write(imported, true));
        } else {
            out().println("imported " + imported.size() + (imported.size() == 1 ? " file" : " files") + " from "
                    + dir + " into " + RegistryUris.redact(registryUri) + ": " + distinct.size()
                    + " distinct payloads, " + StatsCommand.bytes(bytes[0]));
        }
        return 0;
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

    /** A progress bar redrawn in place on a terminal; a line per tenth of the work otherwise (logs, pipes). */
    static final class Progress {
        private final PrintStream err;
        private final boolean terminal;
        private final int total;
        private int done;
        private int lastTenth;

        Progress(PrintStream err, boolean terminal, int total) {
            this.err = err;
            this.terminal = terminal;
            this.total = total;
        }

        void advance() {
            done++;
            if (terminal) {
                int filled = total == 0 ? BAR_WIDTH : done * BAR_WIDTH / total;
                err.print(String.format(Locale.ROOT, "\rimporting [%s%s] %d/%d files", "#".repeat(filled),
                        " ".repeat(BAR_WIDTH - filled), done, total));
                err.flush();
                return;
            }
            int tenth = total == 0 ? 10 : done * 10 / total;
            if (tenth > lastTenth) {
                lastTenth = tenth;
                err.println("imported " + done + "/" + total + " files");
            }
        }

        void finish() {
            if (terminal && done > 0) {
                err.println();
            }
        }
    }
}
