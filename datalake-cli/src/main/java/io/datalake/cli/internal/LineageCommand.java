package io.datalake.cli.internal;

import io.datalake.Datalake;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datalake lineage}: the ancestors and descendants of one datum. */
@Command(
        name = "lineage",
        description = {
            "Show a datum's ancestors and descendants as a tree, JSON, DOT or Mermaid.",
            "Walks up through derived_from to the root and down to everything derived from the datum (both "
                    + "directions by default), level by level, and says when a limit cut the walk short."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake lineage 665f1c2e8a9b4c3d2e1f0a9b",
            "  datalake lineage 665f1c2e8a9b4c3d2e1f0a9b --down --depth 2",
            "  datalake lineage 665f1c2e8a9b4c3d2e1f0a9b --format dot | dot -Tsvg > l.svg",
            "  datalake lineage 665f1c2e8a9b4c3d2e1f0a9b --format mermaid"
        })
final class LineageCommand extends LakeCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The datum's id.")
    @Nullable ObjectId id;

    @Option(names = "--up", description = "Show the ancestors (with --down too: both, the default).")
    boolean up;

    @Option(names = "--down", description = "Show the descendants (with --up too: both, the default).")
    boolean down;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "" + Lineage.DEFAULT_MAX_DEPTH,
            description = "Levels to walk in each direction (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--max-nodes", paramLabel = "N", defaultValue = "" + Lineage.DEFAULT_MAX_NODES,
            description = "Most datums to show; the output says when some were left out (default: ${DEFAULT-VALUE}).")
    int maxNodes;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "tree",
            description = "tree, json, dot or mermaid (default: ${DEFAULT-VALUE}).")
    LineageFormat format = LineageFormat.TREE;

    @Override
    void validate() {
        if (depth < 0) {
            throw new UsageException("--depth must be 0 or more, got " + depth);
        }
        if (maxNodes < 1) {
            throw new UsageException("--max-nodes must be 1 or more, got " + maxNodes);
        }
    }

    @Override
    int run(Datalake lake) {
        LineageDirection direction = up == down ? LineageDirection.BOTH
                : up ? LineageDirection.UP : LineageDirection.DOWN;
        Lineage lineage = lake.getLineage(required(id, "ID"), direction, depth, maxNodes).block();
        if (lineage == null) {
            throw new IllegalStateException("getLineage completed without a result");
        }
        out().print(format.render(lineage, root().context().unicode()));
        if (format != LineageFormat.TREE) {
            // Machine formats stay parseable: the notes go to stderr.
            LineageFormat.notes(lineage).forEach(note -> err().println("datalake lineage: " + note));
        }
        return 0;
    }
}
