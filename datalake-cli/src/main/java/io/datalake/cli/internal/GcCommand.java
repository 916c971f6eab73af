package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.gc.RegistryGcReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/** {@code datalake gc}: deletes registry objects no datum references. */
@Command(
        name = "gc",
        description = {
            "Delete registry objects that no datum references and that are older than the grace period.",
            "Looks at the default registry (--registry) and every allowed registry that stored datums name; only keys"
                    + " in the lake's own format (ab/cd/<sha256>) are ever deleted. Safe while others write."
                    + " Exit 0 when every candidate was handled, 1 when some could not be (they are listed)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake gc --dry-run",
            "  datalake gc --grace 48h",
            "  datalake gc --json | jq .deleted"
        })
final class GcCommand extends LakeCommand {
    @Option(names = "--dry-run", description = "Report what would be deleted; change nothing.")
    boolean dryRun;

    @Option(names = "--grace", paramLabel = "DURATION", description = "Keep objects written less than DURATION ago:"
            + " 30m, 24h, 7d, 1h30m, 0 or ISO-8601 such as PT1H (default: 24h).")
    @Nullable String grace;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    private GcOptions options = GcOptions.defaults();

    @Override
    void validate() {
        GcOptions.Builder b = GcOptions.builder().dryRun(dryRun);
        if (grace != null) {
            b.grace(Durations.parse(grace, "--grace"));
        }
        options = b.build();
    }

    @Override
    int run(Datalake lake) {
        Progress progress = Progress.unbounded(err(), root().context().terminal(),
                dryRun ? "gc (dry run)" : "gc");
        long started = System.nanoTime();
        // The collection reports nothing until it ends; on a terminal the elapsed time shows it is alive.
        Disposable ticker = Flux.interval(Duration.ofMillis(500))
                .subscribe(t -> progress.show(0, (System.nanoTime() - started) / 1_000_000_000 + " s"));
        GcReport report;
        try {
            report = await(lake.gc(options), "gc");
        } finally {
            ticker.dispose();
            progress.finish();
        }
        out().print(json ? Json.write(toJson(report), true) + "\n" : render(report));
        return report.errors() == 0 ? 0 : 1;
    }

    static Map<String, @Nullable Object> toJson(GcReport report) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("dry_run", report.dryRun());
        json.put("grace_seconds", report.grace().toSeconds());
        json.put("datums_scanned", report.datumsScanned());
        json.put("deleted", report.deleted());
        json.put("bytes_deleted", report.bytesDeleted());
        json.put("errors", report.errors());
        json.put("duration_ms", report.duration().toMillis());
        List<Map<String, @Nullable Object>> registries = new ArrayList<>();
        for (RegistryGcReport r : report.registries()) {
            Map<String, @Nullable Object> row = new LinkedHashMap<>();
            row.put("registry", r.uri());
            row.put("scanned", r.scanned());
            row.put("referenced", r.referenced());
            row.put("young", r.young());
            row.put("unknown_age", r.unknownAge());
            row.put("foreign", r.foreign());
            row.put("deleted", r.deleted());
            row.put("bytes_deleted", r.bytesDeleted());
            row.put("errors", r.errors());
            row.put("error_samples", r.errorSamples());
            row.put("duration_ms", r.duration().toMillis());
            registries.add(row);
        }
        json.put("registries", registries);
        json.put("skipped_registries", report.skippedRegistries());
        return json;
    }

    static String render(GcReport report) {
        StringBuilder out = new StringBuilder();
        String deleted = report.dryRun() ? "would delete" : "deleted";
        // The registry last, whole: a URI is as long as it is, and the operator may need to paste it.
        String format = "%9s %10s %8s %8s %8s %12s %10s %7s  %s%n";
        out.append(String.format(Locale.ROOT, format, "objects", "referenced", "young", "unknown",
                "foreign", deleted, "bytes", "errors", "registry"));
        for (RegistryGcReport r : report.registries()) {
            out.append(String.format(Locale.ROOT, format, count(r.scanned()),
                    count(r.referenced()), count(r.young()), count(r.unknownAge()), count(r.foreign()),
                    count(r.deleted()), StatsCommand.bytes(r.bytesDeleted()), count(r.errors()), r.uri()));
            for (String sample : r.errorSamples()) {
                out.append("  error: ").append(sample).append('\n');
            }
        }
        if (report.registries().isEmpty()) {
            out.append("(no registry: configure --registry, or store datums in an allowed registry)\n");
        }
        for (String skipped : report.skippedRegistries()) {
            out.append("skipped (not allowed): ").append(skipped).append('\n');
        }
        out.append(String.format(Locale.ROOT, "%s %s objects, %s; %s registry datums read; grace %s; %.1f s%n",
                deleted, count(report.deleted()), StatsCommand.bytes(report.bytesDeleted()),
                count(report.datumsScanned()), report.grace(), report.duration().toMillis() / 1000.0));
        return out.toString();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
