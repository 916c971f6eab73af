package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.delete.DeleteOptions;
import io.datalake.delete.DeletePlan;
import io.datalake.delete.ReleasedPayload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code datalake delete}: deletes a datum, or with {@code --cascade} its subtree, and prints the plan. Never asks
 * anything (scripts run it); {@code --dry-run} shows what would go.
 */
@Command(
        name = "delete",
        description = {
            "Delete the datum ID, or with --cascade ID and every datum derived from it (deepest first, so an "
                    + "interrupted delete leaves every remaining datum with its parent). Refused when ID has "
                    + "children and --cascade is not given, and when a published dataset version retains any of "
                    + "them. Payloads are not deleted: the released ones are listed for 'gc'.",
            "Prints the datums in deletion order, the payloads released and the datums another writer added under "
                    + "a deleted one meanwhile (orphaned), then the counts. Shows progress on stderr on a terminal."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake delete 665f1c2e8a9b4c3d2e1f0a9b --cascade --dry-run",
            "  datalake delete 665f1c2e8a9b4c3d2e1f0a9b --cascade --format json"
        })
final class DeleteCommand extends LakeCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The datum to delete.")
    @Nullable ObjectId id;

    @Option(names = "--cascade", description = "Delete every datum derived from ID too.")
    boolean cascade;

    @Option(names = "--dry-run", description = "Check everything and print the plan; delete nothing.")
    boolean dryRun;

    @Option(names = "--max-nodes", paramLabel = "N", description = "Refuse a subtree of more than N datums "
            + "(default: ${DEFAULT-VALUE}; about 200 bytes of heap each).")
    int maxNodes = DeleteOptions.DEFAULT_MAX_NODES;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
    DatasetCommand.Format format = DatasetCommand.Format.TABLE;

    @Override
    void validate() {
        if (maxNodes < 1 || maxNodes > DeleteOptions.MAX_MAX_NODES) {
            throw new UsageException("--max-nodes must be 1 to " + DeleteOptions.MAX_MAX_NODES + ", was " + maxNodes);
        }
    }

    @Override
    int run(Datalake lake) {
        ObjectId datum = required(id, "ID");
        boolean terminal = root().context().terminal();
        AtomicReference<@Nullable Progress> progress = new AtomicReference<>();
        DeleteOptions options = DeleteOptions.builder().cascade(cascade).dryRun(dryRun).maxNodes(maxNodes)
                .progress((done, total) -> {
                    Progress p = progress.get();
                    if (p == null) {
                        p = new Progress(err(), terminal, "deleting", "deleted", "datums", total);
                        progress.set(p);
                    }
                    p.show(done, done + "/" + total + " datums");
                })
                .build();
        DeletePlan plan;
        try {
            plan = await(lake.delete(datum, options), "delete");
        } finally {
            Progress p = progress.get();
            if (p != null) {
                p.finish();
            }
        }
        print(plan);
        return 0;
    }

    private void print(DeletePlan plan) {
        String summary = (plan.dryRun() ? "dry run: would delete " : "deleted ") + plan.ids().size()
                + (plan.ids().size() == 1 ? " datum, " : " datums, ") + plan.payloadsReleased().size()
                + (plan.payloadsReleased().size() == 1 ? " payload" : " payloads") + " released (gc removes them "
                + "after its grace period)" + (plan.orphaned().isEmpty() ? ""
                        : ", " + plan.orphaned().size() + " added meanwhile and orphaned");
        if (format == DatasetCommand.Format.JSON) {
            Map<String, @Nullable Object> json = new LinkedHashMap<>();
            json.put("dry_run", plan.dryRun());
            json.put("deleted", plan.ids().stream().map(ObjectId::toHexString).toList());
            json.put("payloads_released", plan.payloadsReleased().stream().map(DeleteCommand::payload).toList());
            json.put("orphaned", plan.orphaned().stream().map(ObjectId::toHexString).toList());
            json.put("counts", Map.of("deleted", plan.ids().size(), "payloads_released",
                    plan.payloadsReleased().size(), "orphaned", plan.orphaned().size()));
            out().println(Json.write(json, true));
            return;
        }
        DatasetCommand.Printer printer = new DatasetCommand.Printer(out(), format,
                List.of("kind", "id", "registry_uri", "registry_key"));
        String kind = plan.dryRun() ? "would_delete" : "deleted";
        plan.ids().forEach(each -> printer.print(row(kind, each.toHexString(), null, null)));
        plan.payloadsReleased().forEach(p -> printer.print(row("payload_released", null, p.registryUri(),
                p.registryKey())));
        plan.orphaned().forEach(each -> printer.print(row("orphaned", each.toHexString(), null, null)));
        printer.finish();
        // Machine-readable output stays rows only; the summary goes to stderr there.
        (format == DatasetCommand.Format.TABLE ? out() : err()).println(summary);
    }

    private static Map<String, @Nullable Object> row(String kind, @Nullable String datum, @Nullable String uri,
            @Nullable String key) {
        Map<String, @Nullable Object> row = new LinkedHashMap<>();
        row.put("kind", kind);
        row.put("id", datum);
        row.put("registry_uri", uri);
        row.put("registry_key", key);
        return row;
    }

    private static Map<String, @Nullable Object> payload(ReleasedPayload p) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        map.put("registry_uri", p.registryUri());
        map.put("registry_key", p.registryKey());
        return map;
    }
}
