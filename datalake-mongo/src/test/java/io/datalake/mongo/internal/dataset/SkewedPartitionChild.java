package io.datalake.mongo.internal.dataset;

import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.Row;
import java.util.Map;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/**
 * The process {@link SkewedPartitionsTest} runs with a small heap: the duplicate-row check over millions of equal
 * rows (all of them hash to one partition). Exits 0 and prints the failure count when the check completes.
 */
public final class SkewedPartitionChild {
    private SkewedPartitionChild() {
    }

    /**
     * Runs the check.
     *
     * @param args the number of rows
     */
    public static void main(String[] args) {
        long rows = Long.parseLong(args[0]);
        Map<String, ObjectId> same = Map.of("image", new ObjectId());
        CheckResult result = BuiltInChecks.unique(rows, 1, Partitions.DEFAULT_PARTITION_ROWS)
                .run(Flux.range(0, (int) rows).map(i -> new Row(i, same)),
                        new AuditOptions(AuditOptions.PayloadCheck.NONE, 1, 3)).block();
        System.out.println("FAILURES " + result.failures());
    }
}
