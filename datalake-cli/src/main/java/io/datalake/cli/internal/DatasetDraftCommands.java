package io.datalake.cli.internal;

import io.datalake.cli.internal.DatasetCommand.DraftRef;
import io.datalake.cli.internal.DatasetCommand.Format;
import io.datalake.cli.internal.DatasetCommand.Printer;
import io.datalake.dataset.AuditReport;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionInfo;
import io.datalake.dataset.VersionNotFoundException;
import io.datalake.dataset.VersionState;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.Mono;

/** The draft housekeeping subcommands of {@code datalake dataset}: {@code drafts}, {@code discard}, {@code gc}. */
final class DatasetDraftCommands {
    /** The columns of a listed draft. */
    static final List<String> HEADER = List.of("id", "dataset", "started", "complete", "rows", "audited");

    private DatasetDraftCommands() {
    }

    /** A draft as a row of {@link #HEADER}; {@code audited} is passed, failed or no. */
    static Map<String, @Nullable Object> row(VersionInfo v) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        map.put("id", v.id().toHexString());
        map.put("dataset", v.dataset());
        map.put("started", v.createdAt().toString());
        map.put("complete", v.complete());
        map.put("rows", v.rowCount());
        AuditReport audit = v.audit();
        map.put("audited", audit == null ? "no" : audit.passed() ? "passed" : "failed");
        return map;
    }

    /** {@code dataset drafts}. */
    @Command(name = "drafts", description = "List the drafts of every dataset, oldest first: id, dataset, started, "
            + "complete (an incomplete draft was interrupted), rows, audited (passed, failed or no).",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset drafts", "  datalake dataset drafts --older-than 7d --format csv"})
    static final class Drafts extends DatasetCommand.Sub {
        @Option(names = "--older-than", paramLabel = "DURATION", description = "Only drafts started more than "
                + "DURATION ago: 30m, 24h, 7d, 1h30m or ISO-8601 such as PT1H (default: every draft).")
        @Nullable String olderThan;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
                description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
        Format format = Format.TABLE;

        private Duration age = Duration.ZERO;

        @Override
        void validate() {
            if (olderThan != null) {
                age = Durations.parse(olderThan, "--older-than");
            }
        }

        @Override
        int run(Datasets datasets) {
            Printer printer = new Printer(out(), format, HEADER);
            datasets.drafts(age).doOnNext(v -> printer.print(row(v))).blockLast();
            printer.finish();
            return 0;
        }
    }

    /** {@code dataset discard}. */
    @Command(name = "discard", description = "Discard a draft and delete its rows. A published version is refused "
            + "(exit 1); a draft already discarded is left as it is.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset discard street-scenes@6650f1c2a7b3d94e1c0a1b2c",
                "  datalake dataset discard 6650f1c2a7b3d94e1c0a1b2c"})
    static final class Discard extends DatasetCommand.Sub {
        @Parameters(index = "0", paramLabel = "DRAFT_ID", description = "The draft: its id, as 'dataset drafts' "
                + "lists it, or NAME@DRAFT_ID, as 'dataset create' printed it.")
        @Nullable String draft;

        private @Nullable DraftRef ref;
        private @Nullable ObjectId id;

        @Override
        void validate() {
            String text = LakeCommand.required(draft, "DRAFT_ID");
            if (text.contains("@")) {
                ref = DraftRef.parse(text);
            } else if (ObjectId.isValid(text)) {
                id = new ObjectId(text);
            } else {
                throw new UsageException("'" + text + "' is not a draft id: expected 24 hex digits (as 'dataset "
                        + "drafts' lists) or NAME@DRAFT_ID (as 'dataset create' printed)");
            }
        }

        @Override
        int run(Datasets datasets) {
            VersionInfo v = ref != null ? ref.load(datasets)
                    : LakeCommand.await(datasets.version(LakeCommand.required(id, "DRAFT_ID")), "version");
            String name = v.dataset() + "@" + v.id().toHexString();
            if (v.state() == VersionState.DISCARDED) {
                out().println(name + " was already discarded");
                return 0;
            }
            datasets.discard(v.id()).block();
            out().println("discarded " + name + " (" + v.rowCount() + (v.rowCount() == 1 ? " row)" : " rows)"));
            return 0;
        }
    }

    /** {@code dataset gc}. */
    @Command(name = "gc", description = {"Discard every draft (complete or not, audited or not) started more than "
            + "--older-than ago, delete its rows and the rows a crash left behind; list the drafts discarded.",
        "With --dry-run, list the drafts that would be discarded and change nothing."},
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset gc --dry-run", "  datalake dataset gc --older-than 7d"})
    static final class Gc extends DatasetCommand.Sub {
        @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "24h", description = "Minimum age "
                + "of a draft to discard: 30m, 24h, 7d, 1h30m or ISO-8601 such as PT1H (default: ${DEFAULT-VALUE}).")
        String olderThan = "24h";

        @Option(names = "--dry-run", description = "List what would be discarded; change nothing.")
        boolean dryRun;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
                description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
        Format format = Format.TABLE;

        private Duration age = Duration.ZERO;

        @Override
        void validate() {
            age = Durations.parse(olderThan, "--older-than");
        }

        @Override
        int run(Datasets datasets) {
            List<VersionInfo> candidates = datasets.drafts(age).collectList().blockOptional().orElse(List.of());
            Printer printer = new Printer(out(), format, HEADER);
            if (dryRun) {
                candidates.forEach(v -> printer.print(row(v)));
                finish(printer, "(" + count(candidates.size()) + " older than " + olderThan
                        + " would be discarded; nothing changed)");
                return 0;
            }
            long discarded = LakeCommand.await(datasets.collectGarbage(age), "collectGarbage");
            // The library counts what it discarded; listing it means asking which candidates it took (one may have
            // been published meanwhile, and is kept).
            for (VersionInfo v : candidates) {
                VersionState state = datasets.version(v.id()).map(VersionInfo::state)
                        .onErrorResume(VersionNotFoundException.class, e -> Mono.just(VersionState.DISCARDED))
                        .blockOptional().orElse(VersionState.DISCARDED);
                if (state == VersionState.DISCARDED) {
                    printer.print(row(v));
                }
            }
            finish(printer, "(" + count(discarded) + " older than " + olderThan + " discarded)");
            return 0;
        }

        private void finish(Printer printer, String tableSummary) {
            if (format == Format.TABLE) {
                out().println(tableSummary);
            } else {
                printer.finish();
            }
        }

        private static String count(long n) {
            return n + (n == 1 ? " draft" : " drafts");
        }
    }
}
