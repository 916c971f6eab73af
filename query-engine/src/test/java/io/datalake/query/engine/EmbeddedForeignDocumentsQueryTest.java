package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.Strategy;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Documents another client wrote with an {@code _id} that is not an ObjectId cannot be in a row (rows hold datum
 * ids): every strategy and join skips them and answers for the rest of the lake.
 */
class EmbeddedForeignDocumentsQueryTest {
    private static final long T = 1_700_000_000_000L;
    private static final Query TWO_LEVELS = Query.fromJson("[{\"column\": \"image\", \"data.type\": \"image\"},"
            + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.type\": \"label\"}]");

    @Test
    void foreignIdsAreSkippedByEveryStrategyAndJoin() {
        TestLake lake = new TestLake();
        lake.add("i0", null, T, new Document("type", "image"));
        lake.add("l0", "i0", T + 1, new Document("type", "label"));
        lake.insert();
        ObjectId image = lake.id("i0");
        // Newer than the datum's own label, so a latest pick would choose it if it were not skipped.
        Mono.from(lake.collection.insertMany(List.of(
                new Document("_id", "foreign-image").append("data", new Document("type", "image"))
                        .append("added_at", new Date(T + 5)),
                new Document("_id", 42L).append("data", new Document("type", "label"))
                        .append("derived_from", image).append("added_at", new Date(T + 9)),
                new Document("_id", new Document("compound", 1))
                        .append("data", new Document("type", "image"))))).block();

        for (JoinMethod join : JoinMethod.values()) {
            QueryOptions options = QueryOptions.builder().joinHint(join).build();
            assertThat(rows(lake, TWO_LEVELS, options)).as(join.name())
                    .containsExactly(Map.of("image", image, "label", lake.id("l0")));
        }
        for (Strategy order : List.of(Strategy.LATEST, Strategy.EARLIEST, Strategy.RANDOM, Strategy.QUICKEST)) {
            Query base = Query.builder().base("image", new Document("data.type", "image"), order).build();
            assertThat(rows(lake, base, QueryOptions.builder().seed(3L).build())).as(order.name())
                    .containsExactly(Map.of("image", image));
        }
    }

    private static List<Map<String, ObjectId>> rows(TestLake lake, Query query, QueryOptions options) {
        return new QueryEngine(lake.collection).rows(query, options).collectList().block();
    }
}
