package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** How queries run: queries per batch rather than per row, the join choice, streaming, cancelling, explain. */
class EmbeddedQueryEngineExecutionTest {
    private static final long T = 1_700_000_000_000L;
    private static final Query THREE_LEVELS = Query.fromJson("[{\"column\": \"image\", \"data.type\": \"image\"},"
            + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.type\": \"label\"},"
            + " {\"column\": \"box\", \"derived_from\": \"label\", \"data.type\": \"box\"}]");

    /** {@code images} images, each with one label, each label with one box. */
    private static TestLake chains(int images) {
        TestLake lake = new TestLake();
        for (int i = 0; i < images; i++) {
            lake.add("i" + i, null, T + i, new Document("type", "image"));
            lake.add("l" + i, "i" + i, T + i, new Document("type", "label"));
            lake.add("b" + i, "l" + i, T + i, new Document("type", "box"));
        }
        return lake.insert();
    }

    private static List<BsonDocument> finds(TestLake lake) {
        return EmbeddedServer.eventsOn(lake.collection).stream()
                .filter(e -> e.name().equals("find"))
                .map(EmbeddedServer.Command::body)
                .collect(Collectors.toList());
    }

    private static long commands(TestLake lake, String name) {
        return EmbeddedServer.commandsOn(lake.collection).stream().filter(name::equals).count();
    }

    @Test
    void aFullQueryScansEachLevelOnceWhateverTheBatchSize() {
        TestLake lake = chains(300);
        List<Map<String, ObjectId>> rows = new QueryEngine(lake.collection)
                .rows(THREE_LEVELS, QueryOptions.builder().batchSize(7).build()).collectList().block();
        assertThat(rows).hasSize(300);
        List<BsonDocument> finds = finds(lake);
        assertThat(finds).as("one base query and one scan per derived level, not one per batch of 7")
                .hasSize(3);
        assertThat(finds).noneMatch(f -> f.getDocument("filter").containsKey("derived_from"));
        assertThat(finds).allSatisfy(f -> assertThat(f.getDocument("projection").keySet())
                .isSubsetOf("_id", "derived_from", "added_at"));
    }

    @Test
    void fewRowsWantedLookUpOnlyTheChildrenOfTheNeededParents() {
        TestLake lake = chains(300);
        List<Map<String, ObjectId>> rows = new QueryEngine(lake.collection)
                .rows(THREE_LEVELS, QueryOptions.datumsWanted(5)).collectList().block();
        assertThat(rows).extracting(r -> lake.name(r.get("image"))).containsExactly("i299", "i298", "i297",
                "i296", "i295");
        List<BsonDocument> finds = finds(lake);
        assertThat(finds).hasSize(3);
        assertThat(finds.subList(1, 3)).allSatisfy(f -> assertThat(
                f.getDocument("filter").getDocument("derived_from").getArray("$in").size()).isLessThanOrEqualTo(32));
        assertThat(finds.get(0).getInt32("batchSize").getValue()).as("the base reads a small first batch")
                .isLessThanOrEqualTo(32);
    }

    @Test
    void lookupsSwitchToScansWhenManyBatchesAreNeeded() {
        TestLake lake = new TestLake();
        for (int i = 0; i < 200; i++) {
            lake.add("i" + i, null, T + i, new Document("type", "image"));
            if (i % 50 == 0) {
                lake.add("l" + i, "i" + i, T + i, new Document("type", "label"));
            }
        }
        lake.insert();
        Query query = Query.fromJson("[{\"column\": \"image\", \"data.type\": \"image\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\"}]");
        List<Map<String, ObjectId>> rows = new QueryEngine(lake.collection, new EngineTuning(10, 1000, 3, 1))
                .rows(query, QueryOptions.datumsWanted(4)).collectList().block();
        assertThat(rows).extracting(r -> lake.name(r.get("label"))).containsExactly("l150", "l100", "l50", "l0");
        // 3 lookup batches of 6 parents, then one scan of the level for the remaining 182 base datums.
        assertThat(finds(lake)).hasSize(1 + 3 + 1);
    }

    @Test
    void aScanPlanUsesOneLookupWhenTheWholeBaseFitsInOneBatch() {
        TestLake lake = chains(5);
        List<Map<String, ObjectId>> rows = new QueryEngine(lake.collection)
                .rows(THREE_LEVELS, QueryOptions.defaults()).collectList().block();
        assertThat(rows).hasSize(5);
        assertThat(finds(lake).stream().filter(f -> f.getDocument("filter").containsKey("derived_from")))
                .as("both derived levels looked up for the single batch").hasSize(2);
    }

    @Test
    void rowsStreamWithBackpressureAndCancellingClosesTheCursor() {
        TestLake lake = chains(400);
        QueryEngine engine = new QueryEngine(lake.collection);
        QueryOptions options = QueryOptions.builder().batchSize(10).joinHint(JoinMethod.LOOKUP).build();
        StepVerifier.create(engine.rows(THREE_LEVELS, options), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ZERO)
                .thenRequest(3)
                .expectNextCount(3)
                .thenRequest(2)
                .expectNextCount(2)
                .thenCancel()
                .verify();
        assertThat(commands(lake, "getMore")).as("the base was not read to its end").isLessThanOrEqualTo(1);
        // The driver closes a cancelled cursor asynchronously: poll for it, with a deadline.
        Long killed = Flux.interval(Duration.ofMillis(5)).map(tick -> commands(lake, "killCursors"))
                .filter(n -> n >= 1).blockFirst(Duration.ofSeconds(10));
        assertThat(killed).as("the open base cursor is closed").isEqualTo(1L);
    }

    @Test
    void datumsWantedStopsReadingTheBaseOnceItHasEnoughRows() {
        TestLake lake = chains(400);
        List<Map<String, ObjectId>> rows = new QueryEngine(lake.collection)
                .rows(THREE_LEVELS, QueryOptions.builder().datumsWanted(3).joinHint(JoinMethod.LOOKUP)
                        .batchSize(10).build())
                .collectList().block();
        assertThat(rows).hasSize(3);
        assertThat(commands(lake, "getMore")).isZero();
        assertThat(finds(lake)).hasSize(3);
    }

    @Test
    void explainShowsLevelsStrategiesFiltersAndTheChosenJoin() {
        QueryEngine engine = new QueryEngine(EmbeddedServer.freshCollection());
        Query query = Query.fromJson("[{\"column\": \"image\", \"data.type\": \"image\", \"strategy\": \"earliest\"},"
                + " {\"column\": \"label\", \"derived_from\": \"image\", \"strategy\": \"random\","
                + " \"data.label\": {\"$in\": [\"cat\"]}},"
                + " {\"column\": \"unboxed\", \"derived_from\": \"label\", \"strategy\": \"missing\"}]");
        QueryPlan all = engine.explain(query, QueryOptions.defaults());
        assertThat(all.levels()).hasSize(3);
        assertThat(all.levels().get(0).join()).isNull();
        assertThat(all.levels().get(1).join()).isEqualTo(JoinMethod.SCAN);
        assertThat(all.levels().get(1).level().filter().toBsonDocument()).isEqualTo(BsonDocument.parse(
                "{\"data.label\": {\"$in\": [\"cat\"]}}"));
        assertThat(all.toString()).contains("level 0 'image' earliest (base)", "sorted by added_at ascending",
                "level 1 'label' random of children of 'image' [SCAN]", "level 2 'unboxed' missing",
                "all rows are wanted");
        BsonDocument json = BsonDocument.parse(all.toJson());
        assertThat(json.getArray("outputColumns")).containsExactly(new org.bson.BsonString("image"),
                new org.bson.BsonString("label"));
        assertThat(json.getArray("levels").get(1).asDocument().getString("join").getValue()).isEqualTo("SCAN");
        assertThat(json.getArray("levels").get(1).asDocument().getDocument("filter"))
                .isEqualTo(BsonDocument.parse("{\"data.label\": {\"$in\": [\"cat\"]}}"));
        assertThat(json.get("datumsWanted").isNull()).isTrue();

        QueryPlan few = engine.explain(query, QueryOptions.datumsWanted(10));
        assertThat(few.levels().subList(1, 3)).allSatisfy(l -> assertThat(l.join()).isEqualTo(JoinMethod.LOOKUP));
        assertThat(few.toString()).contains("only 10 rows are wanted");
        QueryPlan forced = engine.explain(query, QueryOptions.builder().datumsWanted(10)
                .joinHint(JoinMethod.SCAN).build());
        assertThat(forced.levels().get(1).join()).isEqualTo(JoinMethod.SCAN);
        assertThat(forced.levels().get(1).description()).contains("forced");
        assertThat(EmbeddedServer.commandsOn(EmbeddedServer.freshCollection())).isEmpty();
    }
}
