package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoServerException;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.InvalidQueryException;
import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryResult;
import io.datalake.query.Strategy;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Named cases for each semantic line of the query language, each run with both join methods where it matters. Runs
 * on the embedded server in every build ({@link EmbeddedQueryEngineSemanticsTest}) and on a real MongoDB where
 * Docker exists ({@link MongoContainerQueryEngineSemanticsIT}).
 */
abstract class QueryEngineSemanticsContract {
    private static final long T = 1_700_000_000_000L;

    /**
     * images i1..i3; labels under them (l2a and l2b tie in added_at); boxes under labels; i3 has only a "draft"
     * label.
     */
    /**
     * Returns a new, empty datum collection on the server under test.
     *
     * @return a collection no other test uses
     */
    protected abstract MongoCollection<Document> freshCollection();

    private TestLake newLake() {
        return new TestLake(freshCollection());
    }

    private TestLake lake() {
        return newLake()
                .add("i1", null, T + 10, new Document("type", "image").append("project", "cv").append("w", 640))
                .add("i2", null, T + 30, new Document("type", "image").append("project", "cv").append("w", 1024))
                .add("i3", null, T + 20, new Document("type", "image").append("project", "nlp").append("w", 64))
                .add("l1a", "i1", T + 40, new Document("type", "label").append("label", "cat")
                        .append("scores", List.of(0.2, 0.9)))
                .add("l1b", "i1", T + 50, new Document("type", "label").append("label", "dog")
                        .append("scores", List.of(0.1)))
                .add("l2a", "i2", T + 60, new Document("type", "label").append("label", "cat")
                        .append("scores", List.of(0.5)))
                .add("l2b", "i2", T + 60, new Document("type", "label").append("label", "cow")
                        .append("scores", List.of(0.7, 0.8)))
                .add("l3", "i3", T + 70, new Document("type", "label").append("label", "draft"))
                .add("b1", "l1a", T + 80, new Document("type", "box").append("x", 1))
                .add("b2", "l1b", T + 90, new Document("type", "box").append("x", 2))
                .add("b3", "l1b", T + 91, new Document("type", "box").append("x", 3))
                .add("b4", "l2b", T + 95, new Document("type", "box").append("x", 4))
                .add("m1", "b3", T + 99, new Document("type", "mask"))
                .insert();
    }

    private static List<Map<String, ObjectId>> run(TestLake lake, String json, QueryOptions options) {
        return new QueryEngine(lake.collection).rows(Query.fromJson(json), options).collectList().block();
    }

    private static QueryOptions join(JoinMethod join) {
        return QueryOptions.builder().joinHint(join).build();
    }

    // 1. Filters have full MongoDB find semantics at every level.
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"data.label\": {\"$in\": [\"cat\", \"cow\"]}}",
        "{\"$or\": [{\"data.label\": \"dog\"}, {\"data.scores\": {\"$gt\": 0.6}}]}",
        "{\"data.scores\": {\"$exists\": false}}",
        "{\"data.label\": {\"$regex\": \"^c\"}}",
        "{\"data.scores\": {\"$elemMatch\": {\"$gte\": 0.5, \"$lt\": 0.8}}}",
        "{\"data.scores\": 0.1}",
        "{\"data.scores\": {\"$size\": 2}}",
        "{\"added_at\": {\"$gt\": {\"$date\": 1700000000050}}}",
        "{\"data.label\": {\"$not\": {\"$regex\": \"^c\"}}}",
        "{\"$expr\": {\"$eq\": [\"$data.label\", \"cow\"]}}",
    })
    void aDerivedFilterMeansWhatItMeansInFind(String filter) {
        TestLake lake = lake();
        for (JoinMethod method : JoinMethod.values()) {
            String json = "[{\"column\": \"image\", \"data.type\": \"image\", \"strategy\": \"earliest\"},"
                    + " {\"column\": \"label\", \"derived_from\": \"image\", \"strategy\": \"latest\", "
                    + filter.substring(1) + "]";
            List<Map<String, ObjectId>> rows = run(lake, json, join(method));
            ReferenceEvaluator reference = new ReferenceEvaluator(lake, Query.fromJson(json));
            assertThat(rows).as(method + " " + filter).containsExactlyElementsOf(reference.expected(null));
            assertThat(lake.matching(Document.parse(filter))).as("the filter selects something").isNotEmpty();
        }
    }

    @Test
    void baseFiltersUseDottedPathsComparisonsAndDates() {
        TestLake lake = lake();
        String json = "[{\"column\": \"image\", \"data.w\": {\"$gte\": 640},"
                + " \"added_at\": {\"$lt\": {\"$date\": 1700000000030}}}]";
        assertThat(run(lake, json, QueryOptions.defaults())).containsExactly(lake.row("image", "i1"));
    }

    // 2. Base order: latest, earliest, quickest, random; ties by _id.
    @Test
    void baseStrategiesOnlyOrderTheRows() {
        TestLake lake = newLake()
                .add("a", new ObjectId("000000000000000000000001"), null, T + 5, new Document("type", "image"))
                .add("b", new ObjectId("000000000000000000000002"), null, T + 5, new Document("type", "image"))
                .add("c", new ObjectId("000000000000000000000003"), null, T + 1, new Document("type", "image"))
                .add("d", new ObjectId("000000000000000000000004"), null, T + 9, new Document("type", "image"))
                .insert();
        String base = "[{\"column\": \"x\", \"data.type\": \"image\", \"strategy\": \"%s\"}]";
        assertThat(run(lake, String.format(base, "latest"), QueryOptions.defaults())).containsExactly(
                lake.row("x", "d"), lake.row("x", "b"), lake.row("x", "a"), lake.row("x", "c"));
        assertThat(run(lake, "[{\"column\": \"x\", \"data.type\": \"image\"}]", QueryOptions.defaults()))
                .as("latest is the default").containsExactly(
                lake.row("x", "d"), lake.row("x", "b"), lake.row("x", "a"), lake.row("x", "c"));
        assertThat(run(lake, String.format(base, "earliest"), QueryOptions.defaults())).containsExactly(
                lake.row("x", "c"), lake.row("x", "a"), lake.row("x", "b"), lake.row("x", "d"));
        assertThat(run(lake, String.format(base, "quickest"), QueryOptions.defaults())).containsExactlyInAnyOrder(
                lake.row("x", "a"), lake.row("x", "b"), lake.row("x", "c"), lake.row("x", "d"));
        List<Map<String, ObjectId>> shuffled = run(lake, String.format(base, "random"),
                QueryOptions.builder().seed(3L).build());
        assertThat(shuffled).containsExactlyInAnyOrder(
                lake.row("x", "a"), lake.row("x", "b"), lake.row("x", "c"), lake.row("x", "d"));
    }

    // 3. A derived level picks among the children of the datum already picked; no child drops the row.
    @ParameterizedTest
    @EnumSource(JoinMethod.class)
    void derivedLevelsPickPerRowAmongChildrenOfThePickedDatum(JoinMethod method) {
        TestLake lake = lake();
        String json = "[{\"column\": \"image\", \"data.type\": \"image\", \"strategy\": \"earliest\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.type\": \"label\","
                + "  \"data.label\": {\"$ne\": \"draft\"}},"
                + " {\"column\": \"box\", \"derived_from\": \"label\", \"strategy\": \"earliest\"}]";
        // i1: latest label l1b, its earliest box b2. i2: l2a/l2b tie, the larger _id wins: l2b (added later, so
        // its id is larger), box b4. i3: only a draft label: dropped.
        assertThat(run(lake, json, join(method))).containsExactly(
                lake.row("image", "i1", "label", "l1b", "box", "b2"),
                lake.row("image", "i2", "label", "l2b", "box", "b4"));
        String earliest = json.replace("\"data.type\": \"label\",", "\"data.type\": \"label\", \"strategy\": "
                + "\"earliest\",");
        // Earliest label of i1 is l1a (box b1); of i2 the tie goes to the smaller _id, l2a, which has no box.
        assertThat(run(lake, earliest, join(method))).containsExactly(
                lake.row("image", "i1", "label", "l1a", "box", "b1"));
    }

    @ParameterizedTest
    @EnumSource(JoinMethod.class)
    void randomAndQuickestPickOneMatchingChild(JoinMethod method) {
        TestLake lake = lake();
        for (String strategy : List.of("random", "quickest")) {
            String json = "[{\"column\": \"image\", \"data.type\": \"image\", \"data.project\": \"cv\","
                    + " \"strategy\": \"earliest\"},"
                    + " {\"column\": \"label\", \"derived_from\": \"image\", \"strategy\": \"" + strategy + "\"}]";
            List<Map<String, ObjectId>> rows = run(lake, json, join(method));
            assertThat(rows).hasSize(2);
            assertThat(rows.get(0).get("label")).isIn(lake.id("l1a"), lake.id("l1b"));
            assertThat(rows.get(1).get("label")).isIn(lake.id("l2a"), lake.id("l2b"));
        }
    }

    // 4. missing keeps rows with zero matching children and does not output its column.
    @ParameterizedTest
    @EnumSource(JoinMethod.class)
    void missingKeepsOnlyRowsWithoutMatchingChildren(JoinMethod method) {
        TestLake lake = lake();
        String json = "[{\"column\": \"image\", \"data.type\": \"image\", \"strategy\": \"earliest\"},"
                + " {\"column\": \"no_label\", \"derived_from\": \"image\", \"data.label\": {\"$ne\": \"draft\"},"
                + "  \"strategy\": \"missing\"}]";
        List<Map<String, ObjectId>> rows = run(lake, json, join(method));
        assertThat(rows).containsExactly(lake.row("image", "i3"));
        assertThat(rows.get(0)).doesNotContainKey("no_label");
    }

    @ParameterizedTest
    @EnumSource(JoinMethod.class)
    void missingAtLevelThree(JoinMethod method) {
        TestLake lake = lake();
        String json = "[{\"column\": \"image\", \"data.type\": \"image\", \"strategy\": \"earliest\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"strategy\": \"earliest\"},"
                + " {\"column\": \"box\", \"derived_from\": \"label\", \"strategy\": \"latest\"},"
                + " {\"column\": \"mask\", \"derived_from\": \"box\", \"strategy\": \"missing\"}]";
        // i1 -> l1a -> b1 (no mask): kept. i2 -> l2a has no box: dropped. i3 -> l3 has no box: dropped.
        assertThat(run(lake, json, join(method))).containsExactly(
                lake.row("image", "i1", "label", "l1a", "box", "b1"));
        String latestLabel = json.replace("\"derived_from\": \"image\", \"strategy\": \"earliest\"",
                "\"derived_from\": \"image\", \"strategy\": \"latest\"");
        // i1 -> l1b -> b3 has mask m1: dropped. i2 -> l2b -> b4: kept.
        assertThat(run(lake, latestLabel, join(method))).containsExactly(
                lake.row("image", "i2", "label", "l2b", "box", "b4"));
    }

    @ParameterizedTest
    @EnumSource(JoinMethod.class)
    void aFourLevelChain(JoinMethod method) {
        TestLake lake = lake();
        String json = "[{\"column\": \"image\", \"data.type\": \"image\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.label\": \"dog\"},"
                + " {\"column\": \"box\", \"derived_from\": \"label\"},"
                + " {\"column\": \"mask\", \"derived_from\": \"box\", \"data.type\": \"mask\"}]";
        assertThat(run(lake, json, join(method))).containsExactly(
                lake.row("image", "i1", "label", "l1b", "box", "b3", "mask", "m1"));
    }

    @ParameterizedTest
    @EnumSource(JoinMethod.class)
    void aLevelThreeThatReferencesTheBase(JoinMethod method) {
        TestLake lake = lake();
        String json = "[{\"column\": \"image\", \"data.type\": \"image\", \"strategy\": \"earliest\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"strategy\": \"earliest\"},"
                + " {\"column\": \"box\", \"derived_from\": \"label\", \"strategy\": \"latest\"},"
                + " {\"column\": \"newest_label\", \"derived_from\": \"image\", \"strategy\": \"latest\"}]";
        assertThat(run(lake, json, join(method))).containsExactly(
                lake.row("image", "i1", "label", "l1a", "box", "b1", "newest_label", "l1b"));
    }

    // 5. datumsWanted counts complete rows and keeps going down the base order.
    @ParameterizedTest
    @EnumSource(JoinMethod.class)
    void datumsWantedCountsCompleteRowsWhenRowsAreDropped(JoinMethod method) {
        TestLake lake = lake();
        String json = "[{\"column\": \"image\", \"data.type\": \"image\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\"},"
                + " {\"column\": \"box\", \"derived_from\": \"label\"}]";
        // Newest first: i2 (l2b, b4), i3 (l3 has no box: dropped), i1 (l1b, b3).
        QueryOptions two = QueryOptions.builder().datumsWanted(2).joinHint(method).batchSize(1).build();
        assertThat(run(lake, json, two)).containsExactly(
                lake.row("image", "i2", "label", "l2b", "box", "b4"),
                lake.row("image", "i1", "label", "l1b", "box", "b3"));
        QueryOptions one = QueryOptions.builder().datumsWanted(1).joinHint(method).build();
        assertThat(run(lake, json, one)).containsExactly(lake.row("image", "i2", "label", "l2b", "box", "b4"));
        QueryOptions many = QueryOptions.builder().datumsWanted(50).joinHint(method).build();
        assertThat(run(lake, json, many)).as("fewer rows than wanted when the base runs out").hasSize(2);
    }

    // 6. Rows hold exactly the output columns in query order; transposed output aligns and keeps empty columns.
    @Test
    void rowsHoldExactlyTheOutputColumnsInQueryOrder() {
        TestLake lake = lake();
        Query query = Query.builder()
                .base("zeta", Filters.eq("data.type", "image"), Strategy.EARLIEST)
                .derived("alpha", "zeta", Filters.eq("data.type", "label"))
                .missing("never", "alpha", Filters.eq("data.type", "mask"))
                .derived("mid", "alpha", null, Strategy.EARLIEST)
                .build();
        QueryResult result = new QueryEngine(lake.collection).queryData(query, QueryOptions.defaults(), false)
                .block();
        assertThat(result.columns()).containsExactly("zeta", "alpha", "mid");
        assertThat(result.rows()).allSatisfy(row -> assertThat(List.copyOf(row.keySet()))
                .containsExactly("zeta", "alpha", "mid"));
        assertThat(result.rows()).containsExactly(
                lake.row("zeta", "i1", "alpha", "l1b", "mid", "b2"),
                lake.row("zeta", "i2", "alpha", "l2b", "mid", "b4"));
        Map<String, List<ObjectId>> columns = result.transposed();
        assertThat(columns.keySet()).containsExactly("zeta", "alpha", "mid");
        assertThat(columns.get("zeta")).containsExactly(lake.id("i1"), lake.id("i2"));
        assertThat(columns.get("alpha")).containsExactly(lake.id("l1b"), lake.id("l2b"));
        assertThat(columns.get("mid")).containsExactly(lake.id("b2"), lake.id("b4"));
    }

    @Test
    void transposedEmptyResultsKeepEveryColumn() {
        TestLake lake = lake();
        Query query = Query.fromJson("[{\"column\": \"image\", \"data.type\": \"image\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.label\": \"zebra\"},"
                + " {\"column\": \"gone\", \"derived_from\": \"label\", \"strategy\": \"missing\"},"
                + " {\"column\": \"box\", \"derived_from\": \"label\"}]");
        QueryResult result = new QueryEngine(lake.collection).queryData(query, QueryOptions.defaults(), true)
                .block();
        assertThat(result.isTransposed()).isTrue();
        assertThat(result.transposed()).containsExactly(
                Map.entry("image", List.of()), Map.entry("label", List.of()), Map.entry("box", List.of()));
        assertThat(result.toJson()).isEqualTo("{\"image\": [], \"label\": [], \"box\": []}");
    }

    // 7. random is reproducible with a seed.
    @Test
    void randomIsReproducibleWithASeed() {
        TestLake lake = lake();
        Query query = Query.fromJson("[{\"column\": \"image\", \"strategy\": \"random\", \"data.type\": \"image\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"strategy\": \"random\"}]");
        QueryEngine engine = new QueryEngine(lake.collection);
        for (long seed = 0; seed < 20; seed++) {
            for (JoinMethod method : JoinMethod.values()) {
                QueryOptions options = QueryOptions.builder().seed(seed).joinHint(method).build();
                assertThat(engine.rows(query, options).collectList().block())
                        .isEqualTo(engine.rows(query, options).collectList().block());
            }
        }
    }

    @Test
    void theThreeInputFormsGiveTheSameRows() {
        TestLake lake = lake();
        Query json = Query.fromJson("[{\"column\": \"image\", \"data.project\": \"cv\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.type\": \"label\","
                + " \"strategy\": \"latest\"}]");
        Query maps = Query.fromMaps(List.of(Map.of("column", "image", "data.project", "cv"),
                Map.of("column", "label", "derived_from", "image", "data.type", "label", "strategy", "latest")));
        Query built = Query.builder().base("image", Filters.eq("data.project", "cv"))
                .derived("label", "image", Filters.eq("data.type", "label"), Strategy.LATEST).build();
        QueryEngine engine = new QueryEngine(lake.collection);
        List<Map<String, ObjectId>> expected = List.of(lake.row("image", "i2", "label", "l2b"),
                lake.row("image", "i1", "label", "l1b"));
        for (Query query : List.of(json, maps, built)) {
            assertThat(engine.rows(query, QueryOptions.defaults()).collectList().block()).isEqualTo(expected);
            assertThat(engine.explain(query, QueryOptions.defaults()))
                    .isEqualTo(engine.explain(json, QueryOptions.defaults()));
        }
    }
    // Filters the client cannot judge are judged by the server: its refusal is an invalid query naming the level.
    // (An unknown $type alias is judged by the client now: QueryInputLimitsTest.)
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"$expr\": {\"$eq\": [\"$data.label\"]}}",
        "{\"$text\": {\"$search\": \"cat\"}}",
    })
    void filtersTheServerRefusesFailAsInvalidQueriesNamingTheLevel(String filter) {
        TestLake lake = lake();
        Query query = Query.fromJson("[{\"column\": \"image\", \"data.type\": \"image\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", " + filter.substring(1) + "]");
        for (JoinMethod method : JoinMethod.values()) {
            StepVerifier.create(new QueryEngine(lake.collection).rows(query, join(method)))
                    .expectErrorSatisfies(e -> assertThat(e).as(method + " " + filter)
                            .isInstanceOf(InvalidQueryException.class)
                            .hasMessageContaining("level 1 ('label')")
                            .hasCauseInstanceOf(MongoServerException.class))
                    .verify();
        }
    }
}
