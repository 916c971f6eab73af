package io.datalake.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class ExtendedJsonTest {
    @Test
    void parsesRelaxedAndCanonicalExtendedJsonIntoJsonLikeValues() {
        Object value = ExtendedJson.parseJsonLike("{\"id\": {\"$oid\": \"65f0a1b2c3d4e5f601234567\"},"
                + " \"at\": {\"$date\": \"2024-01-01T00:00:00.123Z\"}, \"at2\": {\"$date\": 1704067200123},"
                + " \"n\": {\"$numberLong\": \"7\"}, \"i\": 3, \"big\": 5000000000, \"d\": 0.5,"
                + " \"dec\": {\"$numberDecimal\": \"12.50\"}, \"bytes\": {\"$binary\": {\"base64\": \"AAE=\","
                + " \"subType\": \"00\"}}, \"u\": {\"$uuid\": \"00112233-4455-6677-8899-aabbccddeeff\"},"
                + " \"list\": [true, null, \"s\"]}");
        Map<?, ?> map = (Map<?, ?>) value;
        assertThat(map.get("id")).isEqualTo(new ObjectId("65f0a1b2c3d4e5f601234567"));
        assertThat(map.get("at")).isEqualTo(Instant.parse("2024-01-01T00:00:00.123Z")).isEqualTo(map.get("at2"));
        assertThat(map.get("n")).isEqualTo(7L);
        assertThat(map.get("i")).isEqualTo(3);
        assertThat(map.get("big")).isEqualTo(5_000_000_000L);
        assertThat(map.get("d")).isEqualTo(0.5);
        assertThat(map.get("dec")).isEqualTo(new BigDecimal("12.50"));
        assertThat((byte[]) map.get("bytes")).containsExactly(0, 1);
        assertThat(map.get("u")).isEqualTo(UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"));
        assertThat(map.get("list")).isEqualTo(Arrays.asList(true, null, "s"));
        assertThat(ExtendedJson.parseJsonLike(" 42 ")).isEqualTo(42);
        assertThat(ExtendedJson.parseJsonLike("\"s\"")).isEqualTo("s");
        assertThat(ExtendedJson.parseJsonLike("null")).isNull();
    }

    @Test
    void refusesWhatWouldBeSilentlyChanged() {
        assertThatThrownBy(() -> ExtendedJson.parseJsonLike("[1e400]")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("Infinity");
        assertThatThrownBy(() -> ExtendedJson.parseJsonLike("-1E+400")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ExtendedJson.parseJsonLike("\"a\\udc00\""))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> ExtendedJson.parseJsonLike("{\"\\ud800\": 1}"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> ExtendedJson.parseJsonLike("99999999999999999999"))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ExtendedJson.parseJsonLike("{\"$timestamp\": {\"t\": 1, \"i\": 1}}"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("TIMESTAMP");
        assertThatThrownBy(() -> ExtendedJson.parseJsonLike("1 2")).isInstanceOf(InvalidArgumentException.class);
        // A surrogate pair is a character, not a lone surrogate.
        assertThat(ExtendedJson.parseJsonLike("\"\\ud83d\\ude00\"")).isEqualTo("\ud83d\ude00");
    }

    @Test
    void deepTextIsRefusedBeforeTheRecursiveParserSeesIt() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThatThrownBy(() -> ExtendedJson.parseJsonLike(deep)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("nested more than");
        // Brackets inside strings are text, not nesting.
        assertThat(ExtendedJson.parseJsonLike("\"" + "[{(".repeat(10_000) + "\"")).isInstanceOf(String.class);
    }

    @Test
    void nestingCheckIsIterativeNamesThePathAndCatchesSelfReference() {
        Map<String, Object> deep = new HashMap<>();
        Map<String, Object> inner = deep;
        for (int i = 0; i < 10_000; i++) {
            Map<String, Object> next = new HashMap<>();
            inner.put("a", next);
            inner = next;
        }
        assertThat(Values.nestingProblem(deep, "data", 2, Values.Keys.STORED))
                .startsWith("data.a.a.a.a").contains("...").contains("more than 100 levels");

        List<Object> list = new ArrayList<>();
        list.add(1);
        list.add(list);
        assertThat(Values.nestingProblem(Map.of("x", list), "metadata", 2, Values.Keys.STORED))
                .isEqualTo("metadata.x[1]: refers to itself (a map or list that contains itself cannot be stored)");

        // The same (acyclic) list twice is fine.
        List<Object> shared = List.of(1, 2);
        assertThat(Values.nestingProblem(List.of(shared, shared), "data", 2, Values.Keys.STORED)).isNull();
    }

    @Test
    void theLimitCountsLevelsAsMongoDbDoes() {
        // data is level 2 of the datum document: 99 nested maps reach level 100, 100 exceed it.
        assertThat(Values.nestingProblem(nested(99), "data", 2, Values.Keys.STORED)).isNull();
        assertThat(Values.nestingProblem(nested(100), "data", 2, Values.Keys.STORED)).contains("more than 100");
    }

    @Test
    void storedKeysFollowTheDocumentedRules() {
        assertThat(Values.keyProblem("a\0b", Values.Keys.STORED)).contains("NUL");
        assertThat(Values.keyProblem("$set", Values.Keys.STORED)).contains("starts with '$'");
        assertThat(Values.keyProblem("a.b", Values.Keys.STORED)).contains("'.'");
        assertThat(Values.keyProblem(7, Values.Keys.STORED)).contains("must be strings");
        assertThat(Values.keyProblem("a$b", Values.Keys.STORED)).isNull();
        assertThat(Values.keyProblem("", Values.Keys.STORED)).isNull();
        assertThat(Values.keyProblem("$and", Values.Keys.QUERY)).isNull();
        assertThat(Values.keyProblem("data.a", Values.Keys.QUERY)).isNull();
        assertThat(Values.keyProblem("a\0", Values.Keys.QUERY)).contains("NUL");
    }

    private static Map<String, Object> nested(int levels) {
        Map<String, Object> value = Map.of();
        for (int i = 1; i < levels; i++) {
            value = Map.of("a", value);
        }
        return value;
    }
}
