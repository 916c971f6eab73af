package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.LakeStats;
import io.datalake.NewDatum;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Code;
import org.bson.types.Decimal128;
import org.bson.types.MaxKey;
import org.bson.types.MinKey;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Generated malformed values, keys, filters, query texts and raw documents (inserted through the driver, as another
 * client would) go through the public API; the only failures that may come out are {@link DatalakeException}s, and
 * the operations over the whole lake keep answering however many foreign documents the lake holds. Seeded, so a
 * failure reproduces: the message names the seed and the case.
 */
class EmbeddedUntrustedInputRandomizedTest {
    private static final long SEED = Long.getLong("datalake.fuzz.seed", 20_261_124L);
    private static final int CASES = 300;
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String BASE_QUERY = "[{\"column\": \"image\", \"data.type\": \"image\"},"
            + " {\"column\": \"label\", \"derived_from\": \"image\", \"data.type\": \"label\","
            + " \"strategy\": \"latest\"}]";

    private final DatalakeSettings settings = TestLakes.freshSettings().batchSize(3).build();
    private final Datalake lake = Datalakes.create(settings);
    private final MongoClient client = MongoClients.create(TestLakes.connectionString());
    private final MongoCollection<Document> raw =
            client.getDatabase(settings.database()).getCollection(settings.collection());
    private final Random random = new Random(SEED);
    private final List<ObjectId> ids = new ArrayList<>();
    private String context = "";

    @AfterEach
    void close() {
        lake.close();
        client.close();
    }

    @Test
    void onlyDatalakeExceptionsComeOutAndWholeLakeOperationsKeepAnswering() {
        Datum image = lake.addDatum(Map.of("type", "image"), null).block(LIMIT);
        Datum label = lake.addDatum(Map.of("type", "label"), null, null, image.id()).block(LIMIT);
        ids.add(image.id());
        ids.add(label.id());
        int[] kinds = new int[3];
        for (int i = 0; i < CASES; i++) {
            int kind = random.nextInt(3);
            kinds[kind]++;
            context = "seed " + SEED + ", case " + i + ", kind " + kind;
            switch (kind) {
                case 0:
                    addValues();
                    break;
                case 1:
                    runQuery();
                    break;
                default:
                    insertForeignDocument();
                    break;
            }
        }
        assertThat(Arrays.stream(kinds).min().getAsInt()).as("every kind of case ran").isGreaterThan(50);
        // However many foreign documents there are now, the datums of this lake are still answered for.
        context = "final check, seed " + SEED;
        assertThat(answer("query", () -> lake.queryData(BASE_QUERY, null, false).block(LIMIT)).rows())
                .contains(Map.of("image", image.id(), "label", label.id()));
        assertThat(answer("descendants", () -> lake.getIndirectlyDerivedData(image.id()).collectList()
                .block(LIMIT))).startsWith(image.id()).contains(label.id());
    }

    /** A generated value, usually malformed somewhere, as data or metadata of an add. */
    private void addValues() {
        Object data = value(0);
        Object metadata = random.nextBoolean() ? value(0) : null;
        Map<String, Object> metadataMap = metadata instanceof Map ? castMap(metadata) : null;
        Datum added = typedOnly("addDatum", () -> random.nextBoolean()
                ? lake.addDatum(data, metadataMap).block(LIMIT)
                : lake.addData(reactor.core.publisher.Flux.just(NewDatum.of(1, null), NewDatum.of(data, metadataMap)))
                        .blockLast(LIMIT));
        if (added != null) {
            ids.add(added.id());
            typedOnly("getDatum", () -> lake.getDatum(added.id()).block(LIMIT));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    private Object value(int depth) {
        int pick = random.nextInt(depth > 3 ? 14 : 20);
        switch (pick) {
            case 0:
                return deep(90 + random.nextInt(40), random.nextBoolean());
            case 1: {
                Map<Object, Object> loop = new HashMap<>();
                loop.put("k", random.nextBoolean() ? loop : List.of(loop));
                return loop;
            }
            case 2: {
                List<Object> loop = new ArrayList<>();
                loop.add(loop);
                return Map.of("l", loop);
            }
            case 3:
                return mapWithKey(key());
            case 4:
                return new Object();
            case 5:
                return random.nextBoolean() ? new BigDecimal("1e9999") : new BigDecimal("1.5");
            case 6:
                return random.nextBoolean() ? "\ud800" + random.nextInt() : "ok";
            case 7:
                return new Object[] {1, random.nextBoolean() ? new Object() : "x"};
            case 8:
                return Pattern.compile("a");
            case 9:
                return Arrays.asList(1, null, Double.NaN, Instant.now(), new Date(), UUID.randomUUID(),
                        new byte[] {1}, new ObjectId(), Long.MAX_VALUE, 2.5f, (short) 3);
            case 10:
                return random.nextInt();
            case 11:
                return null;
            case 12:
                return new StringBuilder("sb");
            case 13:
                return Map.of("type", random.nextBoolean() ? "image" : "label");
            default: {
                Map<Object, Object> map = new LinkedHashMap<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    map.put(random.nextInt(8) == 0 ? key() : "k" + i, value(depth + 1));
                }
                return random.nextInt(4) == 0 ? new ArrayList<>(map.values()) : map;
            }
        }
    }

    private Object key() {
        String[] keys = {"a\0b", "$set", "a.b", "", "\udc00", "normal", "$", ".", "é"};
        int pick = random.nextInt(keys.length + 2);
        return pick == keys.length ? (Object) 42 : pick == keys.length + 1 ? null : keys[pick];
    }

    private static Map<Object, Object> mapWithKey(Object key) {
        Map<Object, Object> map = new HashMap<>();
        map.put(key, 1);
        return map;
    }

    private static Object deep(int levels, boolean lists) {
        Object value = 1;
        for (int i = 0; i < levels; i++) {
            value = lists ? List.of(value) : Map.of("a", value);
        }
        return value;
    }

    /** A query: a mutated JSON text or generated maps, parsed, explained and run. */
    private void runQuery() {
        Query query = typedOnly("parse", () -> random.nextBoolean()
                ? Query.fromJson(mutate(BASE_QUERY))
                : Query.fromMaps(List.of(filterMap())));
        if (query != null) {
            typedOnly("explain", () -> lake.explain(query));
            typedOnly("queryRows", () -> lake.queryRows(query, QueryOptions.defaults()).collectList().block(LIMIT));
            typedOnly("queryData", () -> lake.queryData(query, 5, random.nextBoolean()).block(LIMIT));
        }
    }

    private String mutate(String text) {
        StringBuilder out = new StringBuilder(text);
        int mutations = 1 + random.nextInt(3);
        String[] inserts = {"{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "1e400", "$and",
                "{\"$and\": [", "{\"$oid\": \"zz\"}", "{\"$date\": -1}", "{\"$numberDecimal\": \"x\"}", "\u0000",
                "{\"$where\": \"1\"}", "{\"$in\": 3}", "{\"$size\": \"a\"}", "{\"$mod\": [0, 1]}", "ObjectId(",
                "[".repeat(200), "{\"a\":".repeat(150), "99999999999999999999", "{\"$expr\": {\"$foo\": 1}}",
                "{\"$uuid\": \"nope\"}", "{\"$binary\": {\"base64\": \"!!\", \"subType\": \"00\"}}"};
        for (int i = 0; i < mutations; i++) {
            int at = random.nextInt(out.length() + 1);
            switch (random.nextInt(3)) {
                case 0:
                    out.insert(at, inserts[random.nextInt(inserts.length)]);
                    break;
                case 1:
                    if (at < out.length()) {
                        out.deleteCharAt(at);
                    }
                    break;
                default:
                    out.insert(at, (char) random.nextInt(0x10000));
                    break;
            }
        }
        return out.toString();
    }

    private Map<String, Object> filterMap() {
        Map<String, Object> level = new LinkedHashMap<>();
        level.put("column", random.nextInt(10) == 0 ? (Object) 5 : "c");
        Object[] operands = {1, "x", List.of(), List.of(1), Map.of("$gt", 1), Map.of("$in", 5),
                Map.of("$elemMatch", List.of()), Map.of("$not", "x"), Map.of("$size", "a"), Map.of("$type", "nope"),
                Map.of("$regex", 5), Map.of("$exists", Map.of()), deep(150, false), Map.of("$mod", List.of(0, 1)),
                Map.of("$foo", 1), Map.of("a\0", 1), new Object(), "\ud800"};
        String[] fields = {"data.type", "$and", "$or", "$expr", "$where", "metadata.x", "a\0b", "$comment", "_id",
                "$text", "$nor"};
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            String field = fields[random.nextInt(fields.length)];
            Object operand = operands[random.nextInt(operands.length)];
            level.put(field, field.startsWith("$and") || field.startsWith("$or") ? List.of(Map.of("k", operand))
                    : operand);
        }
        return level;
    }

    /** A document as another client could write it. */
    private void insertForeignDocument() {
        Object[] idChoices = {new ObjectId(), "s" + random.nextInt(), random.nextInt(), new Document("x", 1),
                UUID.randomUUID(), new Binary((byte) 0, new byte[] {1})};
        Object id = idChoices[random.nextInt(idChoices.length)];
        Document doc = new Document("_id", id);
        ObjectId someId = ids.get(random.nextInt(ids.size()));
        Object[] parents = {someId, "p", 1, List.of(someId), null, new Document("$oid", someId.toHexString())};
        Object[] dates = {new Date(), "2024-01-01", 5L, null, new BsonTimestamp(1, 1)};
        Object[] odd = {new BsonTimestamp(1, 2), new Code("x"), new MinKey(), new MaxKey(), Pattern.compile("a"),
                Decimal128.NaN, new Binary((byte) 0x80, new byte[] {1}), deep(110, false),
                Map.of("type", "image"), Map.of("type", 5), List.of(1, new Code("y")), "text", null};
        Object[] metadata = {new Document(), "string", List.of(1), 5, null, new Document("type", "label"),
                new Document("nested", new Code("z"))};
        if (random.nextInt(5) > 0) {
            doc.append("derived_from", parents[random.nextInt(parents.length)]);
        }
        if (random.nextInt(5) > 0) {
            doc.append("added_at", dates[random.nextInt(dates.length)]);
        }
        if (random.nextInt(5) > 0) {
            doc.append("data", odd[random.nextInt(odd.length)]);
        }
        if (random.nextInt(5) > 0) {
            doc.append("metadata", metadata[random.nextInt(metadata.length)]);
        }
        if (random.nextInt(4) == 0) {
            Object[] uris = {42, "nope://bucket", null, List.of("x")};
            doc.append("registry_uri", uris[random.nextInt(uris.length)]);
            doc.append("registry_key", random.nextBoolean() ? "ab/cd/ef" : 7);
            doc.append("payload", random.nextBoolean() ? "x" : new Document("content_type", 5));
        }
        try {
            raw.insertOne(doc);
        } catch (RuntimeException refusedByTheServer) {
            return;
        }
        if (id instanceof ObjectId) {
            ObjectId oid = (ObjectId) id;
            typedOnly("getDatum", () -> lake.getDatum(oid, random.nextBoolean()).block(LIMIT));
            typedOnly("getData", () -> lake.getData(List.of(ids.get(0), oid)).collectList().block(LIMIT));
            typedOnly("getPayload", () -> lake.getPayload(oid).collectList().block(LIMIT));
            typedOnly("getAncestors", () -> lake.getAncestors(oid).collectList().block(LIMIT));
            typedOnly("getLineage", () -> lake.getLineage(oid, LineageDirection.BOTH, 3, 50).block(LIMIT));
            ids.add(oid);
        }
        // The operations over the whole lake must answer, not merely fail cleanly.
        LakeStats stats = answer("getStats", () -> lake.getStats().block(LIMIT));
        assertThat(stats.datums()).as(context).isPositive();
        answer("query", () -> lake.queryData(BASE_QUERY, null, false).block(LIMIT));
        answer("random query", () -> lake.queryRows(Query.fromJson("{\"column\": \"c\", \"strategy\": \"random\"}"),
                QueryOptions.builder().seed(1L).build()).collectList().block(LIMIT));
        ObjectId root = ids.get(0);
        answer("children", () -> lake.getDirectlyDerivedData(root).collectList().block(LIMIT));
        answer("descendants", () -> lake.getIndirectlyDerivedData(root).collectList().block(LIMIT));
        Lineage lineage = answer("lineage", () -> lake.getLineage(root, LineageDirection.BOTH, 5, 100).block(LIMIT));
        assertThat(lineage.nodes()).as(context).isNotEmpty();
    }

    private <T> T typedOnly(String operation, Callable<T> call) {
        try {
            return call.call();
        } catch (DatalakeException expected) {
            return null;
        } catch (Throwable e) {
            return fail(context + ": " + operation + " threw " + e.getClass().getName() + " instead of a"
                    + " DatalakeException: " + e.getMessage(), e);
        }
    }

    private <T> T answer(String operation, Callable<T> call) {
        try {
            return call.call();
        } catch (Throwable e) {
            return fail(context + ": " + operation + " must answer for the rest of the lake but threw " + e, e);
        }
    }
}
