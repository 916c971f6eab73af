package io.datalake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidQueryException;
import io.datalake.internal.Values;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** Query input that used to escape as StackOverflowError or BsonSerializationException gets a typed error. */
class QueryInputLimitsTest {
    private static final int DEEP = 10_000;

    private static String nestedJson(int levels, String open, String close, String inner) {
        StringBuilder text = new StringBuilder("[{\"column\": \"x\", \"data.a\": ");
        for (int i = 0; i < levels; i++) {
            text.append(open);
        }
        text.append(inner);
        for (int i = 0; i < levels; i++) {
            text.append(close);
        }
        return text.append("}]").toString();
    }

    @Test
    void tenThousandLevelsOfJsonTextAreRefusedWithoutParsingRecursively() {
        assertThatThrownBy(() -> Query.fromJson(nestedJson(DEEP, "{\"a\": ", "}", "1")))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("nested more than");
        assertThatThrownBy(() -> Query.fromJson(nestedJson(DEEP, "[", "]", "1")))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("nested more than");
    }

    @Test
    void aTenThousandDeepAndIsAnInvalidQuery() {
        Bson filter = new Document("data.x", 1);
        for (int i = 0; i < DEEP; i++) {
            filter = new Document("$and", List.of(filter, new Document("data.y", i)));
        }
        Bson deep = filter;
        assertThatThrownBy(() -> Query.builder().base("x", deep).build())
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("level 0");

        Map<String, Object> map = Map.of("data.x", 1);
        for (int i = 0; i < DEEP; i++) {
            map = Map.of("$and", List.of(map));
        }
        Map<String, Object> level = new HashMap<>(map);
        level.put("column", "x");
        assertThatThrownBy(() -> Query.fromMaps(List.of(level)))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("level 0.$and[0].$and[0]")
                .hasMessageContaining("nested more than " + Values.MAX_DEPTH + " levels");
    }

    @Test
    void nestingUpToTheLimitIsAccepted() {
        // The level document is level 1; 99 more levels of {"$and": [...]} pairs would exceed it, 49 pairs do not.
        StringBuilder text = new StringBuilder("{\"column\": \"x\", \"$and\": [");
        for (int i = 0; i < 48; i++) {
            text.append("{\"$and\": [");
        }
        text.append("{\"data.a\": 1}");
        for (int i = 0; i < 48; i++) {
            text.append("]}");
        }
        text.append("]}");
        assertThat(Query.fromJson(text.toString()).levels()).hasSize(1);
    }

    @Test
    void aSelfReferencingMapIsRefusedNamingThePath() {
        Map<String, Object> filter = new HashMap<>();
        filter.put("column", "x");
        Map<String, Object> loop = new HashMap<>();
        loop.put("$eq", loop);
        filter.put("data.a", loop);
        assertThatThrownBy(() -> Query.fromMaps(List.of(filter)))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("level 0.data.a.$eq")
                .hasMessageContaining("refers to itself");
    }

    @Test
    void aNulInAFilterKeyIsAnInvalidQueryNotASerializationError() {
        assertThatThrownBy(() -> Query.fromJson("{\"column\": \"x\", \"data.a\\u0000b\": 1}"))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> Query.fromMaps(List.of(Map.of("column", "x", "data", Map.of("a\0", 1)))))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("level 0.data");
        assertThatThrownBy(() -> Query.builder().base("x", new Document("a\0b", 1)).build())
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    void numbersThatOverflowAndLoneSurrogatesAreRefusedNotChanged() {
        assertThatThrownBy(() -> Query.fromJson("{\"column\": \"x\", \"data.a\": 1e400}"))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("1e400")
                .hasMessageContaining("Infinity");
        assertThatThrownBy(() -> Query.fromJson("{\"column\": \"x\", \"data.a\": \"\\ud800\"}"))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("surrogate");
        assertThatThrownBy(() -> Query.fromMaps(List.of(Map.of("column", "x", "data.a", "\ud800x"))))
                .isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("surrogate");
    }

    @Test
    void trailingTextAndUnbalancedBracketsAreMalformed() {
        for (String text : List.of("{\"column\": \"x\"} x", "[{\"column\": \"x\"}] ]", "[{\"column\": \"x\"}",
                "", "   ", "{\"column\": \"x\", \"data.a\": \"unterminated}")) {
            assertThatThrownBy(() -> Query.fromJson(text)).as(text).isInstanceOf(InvalidQueryException.class)
                    .hasMessageContaining("malformed query JSON");
        }
    }

    @Test
    void extendedJsonInEveryFormTheDriverKnows() {
        ObjectId id = new ObjectId("65f0a1b2c3d4e5f601234567");
        String json = "{\"column\": \"x\", \"a\": {\"$oid\": \"65f0a1b2c3d4e5f601234567\"},"
                + " \"b\": {\"$date\": \"2024-01-01T00:00:00Z\"}, \"c\": {\"$date\": 1704067200000},"
                + " \"d\": {\"$date\": {\"$numberLong\": \"1704067200000\"}}, \"e\": {\"$numberLong\": \"5\"},"
                + " \"f\": {\"$numberDecimal\": \"1.5\"},"
                + " \"g\": {\"$binary\": {\"base64\": \"AAE=\", \"subType\": \"00\"}},"
                + " \"h\": {\"$uuid\": \"00112233-4455-6677-8899-aabbccddeeff\"}}";
        BsonDocument filter = Query.fromJson(json).base().filter().toBsonDocument();
        assertThat(filter.getObjectId("a").getValue()).isEqualTo(id);
        assertThat(filter.getDateTime("b")).isEqualTo(filter.getDateTime("c")).isEqualTo(filter.getDateTime("d"));
        assertThat(filter.get("e")).isEqualTo(new BsonInt64(5));
        assertThat(filter.getDecimal128("f").getValue().bigDecimalValue()).isEqualByComparingTo("1.5");
        assertThat(filter.getBinary("g").getData()).containsExactly(0, 1);
        assertThat(filter.getBinary("h").asUuid()).hasToString("00112233-4455-6677-8899-aabbccddeeff");
    }

    @Test
    void nullBuilderArgumentsAreInvalidQueriesNotNullPointers() {
        assertThatThrownBy(() -> Query.builder().base(null, null)).isInstanceOf(InvalidQueryException.class)
                .hasMessageContaining("column must not be null");
        assertThatThrownBy(() -> Query.builder().base("x", null, null)).isInstanceOf(InvalidQueryException.class);
        assertThatThrownBy(() -> Query.builder().base("x", null).derived("y", null, null))
                .isInstanceOf(InvalidQueryException.class).hasMessageContaining("level 1");
    }

    @Test
    void manyLevelsAreNotNesting() {
        List<Map<String, Object>> levels = new ArrayList<>();
        levels.add(Map.of("column", "c0"));
        for (int i = 1; i < 150; i++) {
            levels.add(Map.of("column", "c" + i, "derived_from", "c" + (i - 1)));
        }
        assertThat(Query.fromMaps(levels).levels()).hasSize(150);
    }
}
