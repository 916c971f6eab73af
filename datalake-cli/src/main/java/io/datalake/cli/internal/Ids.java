package io.datalake.cli.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/** Prints lists of ids: one per line for shell pipelines, or a JSON array. */
final class Ids {
    private Ids() {
    }

    static void print(PrintStream out, @Nullable List<ObjectId> ids, boolean json) {
        List<ObjectId> list = ids == null ? List.of() : ids;
        if (json) {
            out.println(Json.write(list.stream().map(ObjectId::toHexString).collect(Collectors.toList()), false));
        } else {
            list.forEach(id -> out.println(id.toHexString()));
        }
    }
}
