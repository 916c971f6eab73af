package io.datalake.mongo.internal.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.dataset.AuditOptions;
import io.datalake.dataset.CheckResult;
import io.datalake.dataset.DiffEntry;
import io.datalake.dataset.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Diff and the duplicate-row check stay exact when the rows spread over many partitions (lowered partition size). */
class PartitionedDiffAndDuplicatesTest {
    private static final List<String> COLUMNS = List.of("image", "label");
    private static final int ROWS = 25_001;
    private static final int PARTITION_ROWS = 1_000; // 51 partitions for 25,001 rows

    private static List<List<ObjectId>> randomRows(Random random, int n) {
        List<List<ObjectId>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(List.of(new ObjectId(new java.util.Date(random.nextInt(1 << 30) * 1000L), random.nextInt(1 << 24)),
                    new ObjectId(new java.util.Date(random.nextInt(1 << 30) * 1000L), random.nextInt(1 << 24))));
        }
        return rows;
    }

    private static Flux<Row> flux(List<List<ObjectId>> rows) {
        return Flux.range(0, rows.size()).map(i -> {
            Map<String, ObjectId> m = new LinkedHashMap<>();
            m.put("image", rows.get(i).get(0));
            m.put("label", rows.get(i).get(1));
            return new Row(i, m);
        });
    }

    @Test
    void duplicatesAcrossPartitionsAreFoundWithTheirLaterRowNumbers() {
        Random random = new Random(12);
        List<List<ObjectId>> rows = randomRows(random, ROWS);
        // Row 24,000 repeats row 3, row 24,500 repeats row 20,000, rows 25,000 and 12,345 both repeat row 7.
        rows.set(24_000, rows.get(3));
        rows.set(24_500, rows.get(20_000));
        rows.set(12_345, rows.get(7));
        rows.set(25_000, rows.get(7));

        CheckResult result = BuiltInChecks.unique(ROWS, COLUMNS.size(), PARTITION_ROWS)
                .run(flux(rows), new AuditOptions(AuditOptions.PayloadCheck.NONE, 1, 3)).block();

        assertThat(Partitions.count(ROWS, PARTITION_ROWS)).isGreaterThan(10);
        assertThat(result.passed()).isFalse();
        assertThat(result.rowsChecked()).isEqualTo(ROWS);
        assertThat(result.failures()).isEqualTo(4);
        assertThat(result.exampleRows()).containsExactly(12_345L, 24_000L, 24_500L); // the 3 smallest

        List<List<ObjectId>> unique = randomRows(new Random(13), ROWS);
        assertThat(BuiltInChecks.unique(ROWS, COLUMNS.size(), PARTITION_ROWS)
                .run(flux(unique), AuditOptions.defaults()).block().passed()).isTrue();
    }

    @Test
    void aPartitionedDiffEqualsTheMultisetDifference() {
        Random random = new Random(21);
        List<List<ObjectId>> a = randomRows(random, ROWS);
        List<List<ObjectId>> b = new ArrayList<>(a);
        b.subList(100, 1_100).clear(); // 1,000 removed
        b.addAll(randomRows(random, 2_000)); // 2,000 added
        b.add(a.get(5)); // a row once in a, twice in b: added once
        a.add(a.get(9)); // a row twice in a, once in b: removed once
        java.util.Collections.shuffle(b, random);

        List<DiffEntry> diff = Diff.of(flux(a), flux(b), COLUMNS, Math.max(a.size(), b.size()), PARTITION_ROWS)
                .collectList().block();

        assertThat(counts(diff, DiffEntry.Kind.ADDED)).isEqualTo(expected(b, a));
        assertThat(counts(diff, DiffEntry.Kind.REMOVED)).isEqualTo(expected(a, b));
        assertThat(diff).hasSize(2_001 + 1_001);
        assertThat(Diff.of(flux(a), flux(a), COLUMNS, a.size(), PARTITION_ROWS).count().block()).isZero();
    }

    private static Map<List<ObjectId>, Integer> counts(List<DiffEntry> diff, DiffEntry.Kind kind) {
        Map<List<ObjectId>, Integer> m = new HashMap<>();
        diff.stream().filter(e -> e.kind() == kind)
                .forEach(e -> m.merge(List.copyOf(e.columns().values()), 1, Integer::sum));
        return m;
    }

    /** Rows of {@code x} minus rows of {@code y}, as a multiset. */
    private static Map<List<ObjectId>, Integer> expected(List<List<ObjectId>> x, List<List<ObjectId>> y) {
        Map<List<ObjectId>, Integer> m = new HashMap<>();
        x.forEach(r -> m.merge(r, 1, Integer::sum));
        y.forEach(r -> m.computeIfPresent(r, (k, n) -> n > 1 ? n - 1 : null));
        return m;
    }
}
