package io.datalake.cli.internal;

import io.datalake.Datalake;
import java.util.List;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code datalake children}: the ids of the datums derived directly from one datum. */
@Command(
        name = "children",
        description = "Print the ids of the datums derived directly from ID, oldest first, one per line.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  datalake children 665f1c2e8a9b4c3d2e1f0a9b",
            "  datalake children 665f1c2e8a9b4c3d2e1f0a9b | xargs -n1 datalake get"
        })
final class ChildrenCommand extends LakeCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The parent datum's id.")
    @Nullable ObjectId id;

    @Option(names = "--json", description = "Print a JSON array instead of one id per line.")
    boolean json;

    @Override
    int run(Datalake lake) {
        List<ObjectId> children = lake.getDirectlyDerivedData(required(id, "ID")).collectList().block();
        Ids.print(out(), children, json);
        return 0;
    }
}
