package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.RegistrySettings;
import io.datalake.fsck.FsckFinding;
import io.datalake.fsck.FsckOptions;
import io.datalake.fsck.FsckProgress;
import io.datalake.fsck.FsckReport;
import io.datalake.mongo.Datalakes;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code datalake fsck}: the lake's read-only consistency check. */
@Command(
        name = "fsck",
        description = {
            "Check the whole lake and print one row per problem: registry objects missing or of another size than "
                    + "recorded (with --verify, also read and hashed), stored registry URIs this lake does not "
                    + "allow, parents that do not exist, stored documents that are not readable datums, datums "
                    + "that violate the latest schema of their kind, and dataset rows (drafts and published "
                    + "versions) naming missing datums. Then a summary: counts per kind and what was checked.",
            "Never modifies anything. Exit 0 when the lake is clean, 1 when anything was found."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake fsck",
            "  datalake fsck --verify --format jsonl > findings.jsonl",
            "  datalake fsck --allow-registry s3://archive/payloads"
        })
final class FsckCommand implements Callable<Integer> {
    static final List<String> COLUMNS = List.of("kind", "datum", "parent", "version", "row", "column",
            "registry_uri", "registry_key", "detail");

    @ParentCommand
    @Nullable RootCommand root;

    @Option(names = "--verify", description = "Read every registry object and check its SHA-256 (slower: reads "
            + "every payload byte).")
    boolean verify;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
    DatasetCommand.Format format = DatasetCommand.Format.TABLE;

    @Option(names = "--parallelism", paramLabel = "N", description = "Registry objects looked up or read at once "
            + "(1-" + FsckOptions.MAX_PARALLELISM + ", default: ${DEFAULT-VALUE}).")
    int parallelism = FsckOptions.DEFAULT_PARALLELISM;

    @Option(names = "--allow-registry", paramLabel = "URI", description = "Also check payloads stored in this "
            + "registry (repeatable); datums naming a registry that is neither this nor --registry are reported "
            + "as REGISTRY_NOT_ALLOWED and not opened.")
    List<String> allowed = new ArrayList<>();

    @Override
    public Integer call() {
        if (parallelism < 1 || parallelism > FsckOptions.MAX_PARALLELISM) {
            throw new UsageException("--parallelism must be 1 to " + FsckOptions.MAX_PARALLELISM + ", was "
                    + parallelism);
        }
        RootCommand r = root();
        DatalakeSettings.Builder settings = r.settings(true);
        if (!allowed.isEmpty()) {
            RegistrySettings.Builder registries = settings.build().registry().toBuilder();
            allowed.forEach(registries::allow);
            settings.registry(registries.build());
        }
        PrintStream out = r.context().out();
        PrintStream err = r.context().err();
        Progress progress = Progress.unbounded(err, r.context().terminal(), "fsck:");
        DatasetCommand.Printer printer = new DatasetCommand.Printer(out, format, COLUMNS);
        FsckOptions options = FsckOptions.builder().verify(verify).parallelism(parallelism).maxDetails(0)
                .progress(p -> progress.show(p.datums(), describe(p))).build();
        FsckReport report;
        try (Datalake lake = Datalakes.create(settings.build())) {
            report = LakeCommand.await(lake.fsck(options, f -> {
                progress.clear();
                printer.print(row(f));
            }), "fsck");
        } finally {
            progress.finish();
        }
        printer.finish();
        // The table is for people: the summary follows it. Machine formats keep stdout to the findings alone.
        (format == DatasetCommand.Format.TABLE ? out : err).print(summary(report));
        return report.clean() ? 0 : 1;
    }

    private RootCommand root() {
        if (root == null) {
            throw new IllegalStateException("command is not attached to the datalake command");
        }
        return root;
    }

    private static String describe(FsckProgress p) {
        return String.format(Locale.ROOT, "%,d datums, %,d objects, %,d dataset rows, %,d findings", p.datums(),
                p.objects(), p.rows(), p.findings());
    }

    static Map<String, @Nullable Object> row(FsckFinding f) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        map.put("kind", f.kind().name());
        map.put("datum", f.datumId() == null ? null : f.datumId().toHexString());
        map.put("parent", f.parentId() == null ? null : f.parentId().toHexString());
        map.put("version", f.version() != null ? f.version()
                : f.versionId() != null ? f.versionId().toHexString() : null);
        map.put("row", f.row() < 0 ? null : f.row());
        map.put("column", f.column());
        map.put("registry_uri", f.registryUri());
        map.put("registry_key", f.registryKey());
        map.put("detail", f.detail());
        return map;
    }

    static String summary(FsckReport r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "checked %,d datums, %,d registry payloads (%,d object lookups), %,d"
                        + " dataset versions (%,d rows)%s in %.1f s%n", r.datums(), r.payloads(), r.objects(),
                r.versions(), r.rows(), r.bytesVerified() > 0 ? ", verified " + StatsCommand.bytes(r.bytesVerified())
                        : "", r.duration().toMillis() / 1000.0));
        if (r.clean()) {
            return s.append("clean: no problems found").append(System.lineSeparator()).toString();
        }
        s.append(String.format(Locale.ROOT, "%,d %s:%n", r.findings(), r.findings() == 1 ? "problem" : "problems"));
        r.counts().forEach((kind, n) -> {
            if (n > 0) {
                s.append(String.format(Locale.ROOT, "  %-22s %,d%n", kind.name(), n));
            }
        });
        return s.toString();
    }
}
