package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.LakeStats;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code datalake stats}: figures about the whole lake. */
@Command(
        name = "stats",
        description = {
            "Print figures about the whole lake.",
            "Datums, roots, the deepest derivation chain, counts by type (data.type, else metadata.type) and the "
                    + "registry objects in use. Reads the whole lake."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake stats",
            "  datalake stats --json | jq .counts_by_type"
        })
final class StatsCommand extends LakeCommand {
    @Option(names = "--json", description = "Print the figures as JSON.")
    boolean json;

    @Override
    int run(Datalake lake) {
        LakeStats stats = lake.getStats().block();
        if (stats == null) {
            throw new IllegalStateException("getStats completed without a result");
        }
        out().print(json ? Json.write(toJson(stats), true) + "\n" : render(stats));
        return 0;
    }

    static Map<String, @Nullable Object> toJson(LakeStats stats) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("datums", stats.datums());
        json.put("roots", stats.roots());
        json.put("deepest_chain", stats.deepestChain());
        json.put("counts_by_type", stats.countsByType());
        json.put("untyped", stats.untyped());
        json.put("registry_datums", stats.registryDatums());
        json.put("registry_objects", stats.registryObjects());
        json.put("registry_bytes", stats.registryBytes());
        return json;
    }

    static String render(LakeStats stats) {
        StringBuilder out = new StringBuilder();
        row(out, "datums", count(stats.datums()));
        row(out, "roots", count(stats.roots()));
        row(out, "deepest chain", stats.deepestChain() + (stats.deepestChain() == 1 ? " datum" : " datums"));
        row(out, "registry", count(stats.registryDatums()) + " datums share " + count(stats.registryObjects())
                + " objects, " + bytes(stats.registryBytes()));
        out.append("by type\n");
        int width = stats.countsByType().keySet().stream().mapToInt(String::length).max().orElse(0);
        width = Math.max(width, "(no type)".length());
        for (Map.Entry<String, Long> e : stats.countsByType().entrySet()) {
            out.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%n", e.getKey(), count(e.getValue())));
        }
        if (stats.untyped() > 0) {
            out.append(String.format(Locale.ROOT, "  %-" + width + "s  %s%n", "(no type)", count(stats.untyped())));
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String name, String value) {
        out.append(String.format(Locale.ROOT, "%-14s %s%n", name, value));
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
