package io.datalake.cli.internal;

import io.datalake.Datalake;
import java.util.List;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datalake descendants}: the ids of every datum derived from one datum, directly or not. */
@Command(
        name = "descendants",
        description = {
            "Print the ids of every datum derived from ID, directly or not.",
            "Breadth-first (children, then grandchildren, ...), one per line. See 'lineage' for the same as a tree."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake descendants 665f1c2e8a9b4c3d2e1f0a9b",
            "  datalake descendants 665f1c2e8a9b4c3d2e1f0a9b --include-self | wc -l"
        })
final class DescendantsCommand extends LakeCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The datum's id.")
    @Nullable ObjectId id;

    @Option(names = "--include-self", description = "Print ID itself first.")
    boolean includeSelf;

    @Option(names = "--json", description = "Print a JSON array instead of one id per line.")
    boolean json;

    @Override
    int run(Datalake lake) {
        // The API lists the root first; skip it unless asked for.
        List<ObjectId> ids = lake.getIndirectlyDerivedData(required(id, "ID")).skip(includeSelf ? 0 : 1)
                .collectList().block();
        Ids.print(out(), ids, json);
        return 0;
    }
}
