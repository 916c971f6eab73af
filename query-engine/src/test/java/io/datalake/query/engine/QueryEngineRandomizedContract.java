package io.datalake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryLevel;
import io.datalake.query.QueryOptions;
import io.datalake.query.Strategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * Differential tests: random lakes (several derivation levels, ties in {@code added_at}, children that fail
 * filters) and random queries, run by the engine with every join method and small batches, checked against
 * {@link ReferenceEvaluator}. Runs on the embedded server in every build ({@link EmbeddedQueryEngineRandomizedTest})
 * and on a real MongoDB where Docker exists ({@link MongoContainerQueryEngineRandomizedIT}).
 */
abstract class QueryEngineRandomizedContract {
    private static final String[] KINDS = {"image", "label", "box", "mask"};
    private static final String[] TAGS = {"a", "b", "c"};
    private static final long T0 = 1_700_000_000_000L;
    private static final String[] FILTERS = {
        "{}",
        "{\"data.kind\": \"%K\"}",
        "{\"data.kind\": {\"$in\": [\"%K\", \"%K\"]}}",
        "{\"data.score\": {\"$gte\": %N}}",
        "{\"data.tags\": \"%T\"}",
        "{\"data.tags\": {\"$elemMatch\": {\"$eq\": \"%T\"}}}",
        "{\"$or\": [{\"data.kind\": \"%K\"}, {\"data.score\": {\"$lt\": %N}}]}",
        "{\"data.nested.flag\": true}",
        "{\"data.nested.flag\": {\"$exists\": false}}",
        "{\"data.kind\": {\"$regex\": \"^%R\"}}",
        "{\"added_at\": {\"$gte\": {\"$date\": %D}}}",
        "{\"data.kind\": \"%K\", \"data.score\": {\"$lte\": %N}}",
    };

    /**
     * Returns a new, empty datum collection on the server under test.
     *
     * @return a collection no other test uses
     */
    protected abstract MongoCollection<Document> freshCollection();

    private TestLake newLake() {
        return new TestLake(freshCollection());
    }

    @Test
    void engineAgreesWithTheReferenceOnRandomLakesAndQueries() {
        Random random = new Random(20240917L);
        int queries = 0;
        for (int lakeNo = 0; lakeNo < 12; lakeNo++) {
            TestLake lake = randomLake(random);
            QueryEngine engine = new QueryEngine(lake.collection);
            for (int q = 0; q < 20; q++) {
                Query query = randomQuery(random);
                ReferenceEvaluator reference = new ReferenceEvaluator(lake, query);
                Integer wanted = random.nextInt(3) == 0 ? null : 1 + random.nextInt(12);
                for (JoinMethod hint : new JoinMethod[] {null, JoinMethod.LOOKUP, JoinMethod.SCAN}) {
                    QueryOptions options = QueryOptions.builder().datumsWanted(wanted).joinHint(hint)
                            .batchSize(1 + random.nextInt(7)).seed(random.nextLong()).build();
                    List<Map<String, ObjectId>> rows = engine.rows(query, options).collectList().block();
                    reference.check(rows, wanted, "lake " + lakeNo + ", " + query + ", " + options);
                    queries++;
                }
            }
        }
        assertThat(queries).isEqualTo(12 * 20 * 3);
    }

    @Test
    void lookupPlansThatNeedManyBatchesSwitchToScansWithoutChangingResults() {
        Random random = new Random(7L);
        TestLake lake = randomLake(random);
        // Few rows wanted plans lookups; tiny batches with many dropped rows force the switch to scans.
        QueryEngine engine = new QueryEngine(lake.collection, new EngineTuning(2, 1000, 2, 1));
        for (int q = 0; q < 30; q++) {
            Query query = randomQuery(random);
            int wanted = 1 + random.nextInt(8);
            List<Map<String, ObjectId>> rows = engine.rows(query, QueryOptions.builder().datumsWanted(wanted)
                    .seed(1L).build()).collectList().block();
            new ReferenceEvaluator(lake, query).check(rows, wanted, query.toString());
        }
    }

    @Test
    void randomPicksCoverEveryCandidateOverManyRuns() {
        TestLake lake = newLake()
                .add("img", null, T0, new Document("kind", "image"))
                .add("l1", "img", T0 + 1, new Document("kind", "label"))
                .add("l2", "img", T0 + 1, new Document("kind", "label"))
                .add("l3", "img", T0 + 2, new Document("kind", "label"))
                .add("other", "img", T0 + 3, new Document("kind", "box"))
                .insert();
        Query query = Query.fromJson("[{\"column\": \"image\", \"data.kind\": \"image\"},"
                + "{\"column\": \"label\", \"derived_from\": \"image\", \"data.kind\": \"label\","
                + " \"strategy\": \"random\"}]");
        QueryEngine engine = new QueryEngine(lake.collection);
        Set<ObjectId> picked = new HashSet<>();
        Map<ObjectId, Integer> counts = new HashMap<>();
        for (int run = 0; run < 90; run++) {
            for (JoinMethod hint : JoinMethod.values()) {
                Map<String, ObjectId> row = engine.rows(query, QueryOptions.builder().seed((long) run)
                        .joinHint(hint).build()).single().block();
                picked.add(row.get("label"));
                counts.merge(row.get("label"), 1, Integer::sum);
            }
        }
        assertThat(picked).containsExactlyInAnyOrder(lake.id("l1"), lake.id("l2"), lake.id("l3"));
        // 180 uniform picks among 3: each count far from 0 and from 180 (a loose bound, not a speed claim).
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(30, 90));
    }

    @Test
    void randomBaseOrderReturnsEveryCompleteRowAsAUniformSubsetOverManyRuns() {
        TestLake lake = newLake();
        for (int i = 0; i < 6; i++) {
            lake.add("img" + i, null, T0, new Document("kind", "image"));
            if (i % 3 != 0) {
                lake.add("label" + i, "img" + i, T0, new Document("kind", "label"));
            }
        }
        lake.insert();
        Query query = Query.fromJson("[{\"column\": \"image\", \"data.kind\": \"image\", \"strategy\": \"random\"},"
                + "{\"column\": \"label\", \"derived_from\": \"image\"}]");
        QueryEngine engine = new QueryEngine(lake.collection);
        Map<ObjectId, Integer> firsts = new HashMap<>();
        for (long seed = 0; seed < 200; seed++) {
            List<Map<String, ObjectId>> rows = engine.rows(query, QueryOptions.builder().datumsWanted(2)
                    .seed(seed).build()).collectList().block();
            assertThat(rows).hasSize(2);
            new ReferenceEvaluator(lake, query).check(rows, 2, "seed " + seed);
            firsts.merge(rows.get(0).get("image"), 1, Integer::sum);
        }
        // Only the four images with a label can complete a row; each comes first in roughly a quarter of runs.
        assertThat(firsts.keySet()).containsExactlyInAnyOrder(lake.id("img1"), lake.id("img2"), lake.id("img4"),
                lake.id("img5"));
        assertThat(firsts.values()).allSatisfy(n -> assertThat(n).isBetween(20, 90));
    }

    private TestLake randomLake(Random random) {
        TestLake lake = newLake();
        List<String> frontier = new ArrayList<>();
        int roots = 3 + random.nextInt(25);
        int n = 0;
        for (int i = 0; i < roots; i++) {
            String name = "d" + n++;
            lake.add(name, null, T0 + random.nextInt(6), randomData(random, 0));
            frontier.add(name);
        }
        for (int depth = 1; depth <= 4; depth++) {
            List<String> next = new ArrayList<>();
            for (String parent : frontier) {
                int kids = random.nextInt(4);
                for (int k = 0; k < kids; k++) {
                    String name = "d" + n++;
                    lake.add(name, parent, T0 + random.nextInt(6), randomData(random, depth));
                    next.add(name);
                }
            }
            frontier = next;
        }
        return lake.insert();
    }

    private static Document randomData(Random random, int depth) {
        String kind = random.nextInt(4) == 0 ? KINDS[random.nextInt(KINDS.length)] : KINDS[Math.min(depth, 3)];
        Document data = new Document("kind", kind).append("score", random.nextInt(10));
        List<String> tags = new ArrayList<>();
        for (String tag : TAGS) {
            if (random.nextBoolean()) {
                tags.add(tag);
            }
        }
        data.append("tags", tags);
        if (random.nextBoolean()) {
            data.append("nested", new Document("flag", random.nextBoolean()));
        }
        return data;
    }

    private static Query randomQuery(Random random) {
        int levels = 1 + random.nextInt(4);
        List<Map<String, Object>> query = new ArrayList<>();
        List<String> referable = new ArrayList<>();
        for (int i = 0; i < levels; i++) {
            Document level = Document.parse(randomFilter(random));
            String column = "c" + i;
            level.append("column", column);
            Strategy strategy;
            if (i == 0) {
                strategy = new Strategy[] {Strategy.LATEST, Strategy.EARLIEST, Strategy.RANDOM,
                    Strategy.QUICKEST}[random.nextInt(4)];
            } else {
                strategy = Strategy.values()[random.nextInt(Strategy.values().length)];
                level.append("derived_from", referable.get(random.nextInt(referable.size())));
            }
            if (i > 0 || random.nextBoolean()) {
                level.append("strategy", strategy.wireName());
            }
            if (strategy != Strategy.MISSING) {
                referable.add(column);
            }
            query.add(level);
        }
        Query parsed = Query.fromMaps(query);
        for (QueryLevel level : parsed.levels()) {
            assertThat(level.column()).isEqualTo("c" + level.index());
        }
        return parsed;
    }

    private static String randomFilter(Random random) {
        String filter = FILTERS[random.nextInt(FILTERS.length)];
        while (filter.contains("%K")) {
            filter = filter.replaceFirst("%K", KINDS[random.nextInt(KINDS.length)]);
        }
        return filter.replace("%N", String.valueOf(random.nextInt(10)))
                .replace("%T", TAGS[random.nextInt(TAGS.length)])
                .replace("%R", KINDS[random.nextInt(KINDS.length)].substring(0, 2))
                .replace("%D", String.valueOf(T0 + random.nextInt(6)));
    }
}
