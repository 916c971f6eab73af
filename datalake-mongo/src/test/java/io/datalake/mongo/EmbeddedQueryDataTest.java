package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Filters;
import io.datalake.BlockingDatalake;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.Datum;
import io.datalake.InvalidQueryException;
import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.QueryResult;
import io.datalake.query.Strategy;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The query API of the MongoDB lake end to end: datums added through the lake, queried in every form. */
class EmbeddedQueryDataTest {
    private static final String QUERY = "[{\"column\": \"image\", \"data.type\": \"image\"},"
            + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.type\": \"label\"}]";

    private Datalake lake;
    private BlockingDatalake blocking;
    private Datum cat;
    private Datum dog;
    private Datum dogLabel;
    private Datum catOld;
    private Datum catNew;

    @BeforeEach
    void setUp() {
        lake = TestLakes.newLake();
        blocking = lake.blocking();
        cat = blocking.addDatum(Map.of("type", "image", "name", "cat"), null);
        dog = blocking.addDatum(Map.of("type", "image", "name", "dog"), null);
        blocking.addDatum(Map.of("type", "image", "name", "unlabelled"), null);
        catOld = blocking.addDatum(Map.of("type", "label", "label", "cat"), null, null, cat.id());
        catNew = blocking.addDatum(Map.of("type", "label", "label", "kitten"), null, null, cat.id());
        dogLabel = blocking.addDatum(Map.of("type", "label", "label", "dog"), null, null, dog.id());
    }

    @AfterEach
    void tearDown() {
        lake.close();
    }

    private Map<String, ObjectId> row(Datum image, Datum label) {
        return Map.of("image", image.id(), "label", label.id());
    }

    @Test
    void queryDataAcceptsJsonMapsAndBuiltQueries() {
        List<Map<String, ObjectId>> expected = List.of(row(dog, dogLabel), row(cat, catNew));
        assertThat(lake.queryData(QUERY, null, false).block().rows()).isEqualTo(expected);
        assertThat(lake.queryData(List.of(Map.of("column", "image", "data.type", "image"),
                Map.of("column", "label", "derived_from", "image", "data.type", "label")), null, false)
                .block().rows()).isEqualTo(expected);
        Query built = Query.builder().base("image", Filters.eq("data.type", "image"))
                .derived("label", "image", Filters.eq("data.type", "label"), Strategy.LATEST).build();
        assertThat(lake.queryData(built, null, false).block().rows()).isEqualTo(expected);
        assertThat(lake.queryData(QUERY, 1, false).block().rows()).containsExactly(row(dog, dogLabel));
    }

    @Test
    void transposedResultsMapEachColumnToItsIds() {
        QueryResult result = lake.queryData(QUERY, null, true).block();
        assertThat(result.isTransposed()).isTrue();
        assertThat(result.transposed()).containsExactly(
                Map.entry("image", List.of(dog.id(), cat.id())),
                Map.entry("label", List.of(dogLabel.id(), catNew.id())));
    }

    @Test
    void earliestAndMissingWorkThroughTheLake() {
        String earliest = QUERY.replace("\"data.type\": \"label\"", "\"data.type\": \"label\", \"strategy\": "
                + "\"earliest\"");
        assertThat(blocking.queryData(earliest, null, false).rows()).contains(row(cat, catOld));
        String unlabelled = "[{\"column\": \"image\", \"data.type\": \"image\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"strategy\": \"missing\"}]";
        List<Map<String, ObjectId>> rows = blocking.queryData(unlabelled, null, false).rows();
        assertThat(rows).hasSize(1);
        assertThat(blocking.getDatum(rows.get(0).get("image")).data()).isEqualTo(Map.of("type", "image",
                "name", "unlabelled"));
    }

    @Test
    void rowsStreamReactivelyAndBlocking() {
        Query query = Query.fromJson(QUERY);
        StepVerifier.create(lake.queryRows(query, QueryOptions.datumsWanted(1)))
                .expectNext(row(dog, dogLabel))
                .verifyComplete();
        try (Stream<Map<String, ObjectId>> rows = blocking.queryRows(query, QueryOptions.defaults())) {
            assertThat(rows.map(r -> r.get("label")).collect(Collectors.toList()))
                    .containsExactly(dogLabel.id(), catNew.id());
        }
    }

    @Test
    void explainNeedsNoServerAndShowsTheJoin() {
        Query query = Query.fromJson(QUERY);
        QueryPlan plan = lake.explain(query);
        assertThat(plan.levels().get(1).join()).isEqualTo(JoinMethod.SCAN);
        assertThat(blocking.explain(query, QueryOptions.datumsWanted(5)).levels().get(1).join())
                .isEqualTo(JoinMethod.LOOKUP);
    }

    @Test
    void invalidQueriesFailTheCallWithoutThrowingFromIt() {
        StepVerifier.create(lake.queryData("[{\"column\": \"a\", \"$where\": \"1\"}]", null, false))
                .expectError(InvalidQueryException.class)
                .verify();
        StepVerifier.create(lake.queryData("not json", null, false))
                .expectError(InvalidQueryException.class)
                .verify();
        StepVerifier.create(lake.queryData(QUERY, 0, false))
                .expectError(InvalidQueryException.class)
                .verify();
        assertThatThrownBy(() -> blocking.queryData(List.of(Map.of("column", "a", "strategy", "missing")), null,
                false)).isInstanceOf(InvalidQueryException.class).hasMessageContaining("level 0");
    }

    @Test
    void aClosedLakeRefusesQueries() {
        lake.close();
        StepVerifier.create(lake.queryRows(Query.fromJson(QUERY), QueryOptions.defaults()))
                .expectError(DatalakeException.class)
                .verify();
    }
}
