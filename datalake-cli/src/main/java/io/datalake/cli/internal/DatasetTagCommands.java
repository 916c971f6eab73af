package io.datalake.cli.internal;

import io.datalake.cli.internal.DatasetCommand.Format;
import io.datalake.cli.internal.DatasetCommand.Printer;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.TagMove;
import io.datalake.dataset.VersionNotFoundException;
import io.datalake.dataset.VersionRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The tag subcommands of {@code datalake dataset} beside {@code tag}: {@code untag} and {@code tags}. */
final class DatasetTagCommands {
    private DatasetTagCommands() {
    }

    /** {@code dataset untag}. */
    @Command(name = "untag", description = "Remove TAG from dataset NAME (the move is recorded). Removing a tag "
            + "that does not exist is an error (exit 1), so a mistyped tag is noticed.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset untag street-scenes prod"})
    static final class Untag extends DatasetCommand.Sub {
        @Parameters(index = "0", paramLabel = "NAME", description = "The dataset name.")
        @Nullable String name;

        @Parameters(index = "1", paramLabel = "TAG", description = "The tag, e.g. prod.")
        @Nullable String tag;

        @Override
        void validate() {
            VersionRef.requireName(LakeCommand.required(name, "NAME"));
            VersionRef.requireTag(LakeCommand.required(tag, "TAG"));
        }

        @Override
        int run(Datasets datasets) {
            String dataset = LakeCommand.required(name, "NAME");
            String t = LakeCommand.required(tag, "TAG");
            Optional<TagMove> move = datasets.untag(dataset, t).blockOptional();
            if (move.isEmpty()) {
                // Like `git tag -d`: a typo must not look like success in a script.
                throw new VersionNotFoundException(dataset + "@" + t);
            }
            out().println("removed " + dataset + "@" + t + " (was " + move.get().from() + ")");
            return 0;
        }
    }

    /** {@code dataset tags}. */
    @Command(name = "tags", description = "Print the recorded moves of a dataset's tags, oldest first: tag, from "
            + "and to (version numbers; '-' where the tag was created or removed), at, actor.",
            footerHeading = "%nExamples:%n",
            footer = {"  datalake dataset tags street-scenes", "  datalake dataset tags street-scenes --format jsonl"})
    static final class Tags extends DatasetCommand.Sub {
        @Parameters(index = "0", paramLabel = "NAME", description = "The dataset name.")
        @Nullable String name;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
                description = "table, json, jsonl or csv (default: ${DEFAULT-VALUE}).")
        Format format = Format.TABLE;

        @Override
        void validate() {
            VersionRef.requireName(LakeCommand.required(name, "NAME"));
        }

        @Override
        int run(Datasets datasets) {
            String dataset = LakeCommand.required(name, "NAME");
            // The history of an unknown dataset is empty; say it does not exist instead (exit 1).
            datasets.versions(dataset).take(1).then().block();
            Printer printer = new Printer(out(), format, List.of("tag", "from", "to", "at", "actor"));
            datasets.tagHistory(dataset).doOnNext(m -> {
                Map<String, @Nullable Object> row = new LinkedHashMap<>();
                row.put("tag", m.tag());
                row.put("from", m.from());
                row.put("to", m.to());
                row.put("at", m.at().toString());
                row.put("actor", m.actor());
                printer.print(row);
            }).blockLast();
            printer.finish();
            return 0;
        }
    }
}
