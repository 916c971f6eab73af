package io.datalake.mongo.internal.dataset;

import io.datalake.dataset.DiffEntry;
import io.datalake.dataset.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/**
 * The diff of two versions as multisets of rows. Rows are kept in manifest (source) order, which is not sorted, so
 * a streaming merge is not possible; this counts the first version's rows in memory (about 100 bytes a row) and
 * streams the second against them. See the README for the bounded-memory design that replaces it.
 */
final class Diff {
    private Diff() {
    }

    static Flux<DiffEntry> of(Flux<Row> a, Flux<Row> b, List<String> columns) {
        return a.collect(HashMap<List<ObjectId>, long[]>::new, (m, r) -> m.computeIfAbsent(
                        List.copyOf(r.columns().values()), k -> new long[1])[0]++)
                .flatMapMany(counts -> {
                    Flux<DiffEntry> added = b.concatMapIterable(r -> {
                        long[] n = counts.get(List.copyOf(r.columns().values()));
                        if (n != null && n[0] > 0) {
                            n[0]--;
                            return List.of();
                        }
                        return List.of(new DiffEntry(DiffEntry.Kind.ADDED, r.columns()));
                    });
                    Flux<DiffEntry> removed = Flux.defer(() -> Flux.fromIterable(counts.entrySet())
                            .filter(e -> e.getValue()[0] > 0)
                            .concatMapIterable(e -> {
                                List<DiffEntry> out = new ArrayList<>();
                                for (long i = 0; i < e.getValue()[0]; i++) {
                                    out.add(new DiffEntry(DiffEntry.Kind.REMOVED, row(columns, e.getKey())));
                                }
                                return out;
                            }));
                    return Flux.concat(added, removed);
                });
    }

    private static Map<String, ObjectId> row(List<String> columns, List<ObjectId> ids) {
        Map<String, ObjectId> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            m.put(columns.get(i), ids.get(i));
        }
        return m;
    }
}
