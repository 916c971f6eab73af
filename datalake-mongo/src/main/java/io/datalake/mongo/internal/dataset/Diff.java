package io.datalake.mongo.internal.dataset;

import io.datalake.dataset.DiffEntry;
import io.datalake.dataset.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The diff of two versions as multisets of rows, with memory bounded by one partition: both versions stream once
 * into hash-partitioned temporary files ({@link Partitions}); then, partition by partition, the first version's
 * rows are counted in a map and the second's streamed against it. Rows are kept in manifest (source) order, which
 * is not sorted, so a merge of the two manifests is not possible; partitioning needs no sort. Output: partition by
 * partition, ADDED rows in the second version's order, then REMOVED rows in the first version's order.
 */
final class Diff {
    private Diff() {
    }

    static Flux<DiffEntry> of(Flux<Row> a, Flux<Row> b, List<String> columns, long rowsHint, int partitionRows) {
        int partitions = Partitions.count(rowsHint, partitionRows);
        int width = columns.size();
        // Both versions stream into their partitions at once: one's reads overlap the other's file writes.
        return Partitions.withTempDir("datalake-diff", dir -> Mono.when(Partitions.write(a, dir, "a", partitions),
                        Partitions.write(b, dir, "b", partitions))
                .thenMany(Flux.range(0, partitions)
                        .concatMap(p -> Flux.defer(() -> Flux.fromIterable(partition(dir, p, width, columns)))
                                .subscribeOn(Schedulers.boundedElastic()), 1)));
    }

    private static List<DiffEntry> partition(java.nio.file.Path dir, int p, int width, List<String> columns) {
        Map<Partitions.Key, long[]> counts = new LinkedHashMap<>();
        for (Partitions.Entry e : Partitions.read(dir, "a", p, width)) {
            counts.computeIfAbsent(e.key(), k -> new long[1])[0]++;
        }
        List<DiffEntry> out = new ArrayList<>();
        for (Partitions.Entry e : Partitions.read(dir, "b", p, width)) {
            long[] n = counts.get(e.key());
            if (n != null && n[0] > 0) {
                n[0]--;
            } else {
                out.add(new DiffEntry(DiffEntry.Kind.ADDED, row(columns, e.key())));
            }
        }
        counts.forEach((k, n) -> {
            for (long i = 0; i < n[0]; i++) {
                out.add(new DiffEntry(DiffEntry.Kind.REMOVED, row(columns, k)));
            }
        });
        return out;
    }

    private static Map<String, ObjectId> row(List<String> columns, Partitions.Key key) {
        Map<String, ObjectId> m = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            m.put(columns.get(i), key.id(i));
        }
        return m;
    }
}
