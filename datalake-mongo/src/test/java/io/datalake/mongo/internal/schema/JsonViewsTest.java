package io.datalake.mongo.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class JsonViewsTest {
    @Test
    void valuesWithoutAJsonTypeAppearAsTheirUsualStrings() {
        ObjectId id = new ObjectId();
        UUID uuid = UUID.randomUUID();
        Map<String, Object> data = new HashMap<>();
        data.put("id", id);
        data.put("at", Instant.parse("2024-05-01T12:00:00Z"));
        data.put("date", Date.from(Instant.parse("2024-05-01T12:00:00Z")));
        data.put("uuid", uuid);
        data.put("bytes", new Binary(new byte[] {1, 2}));
        data.put("dec", new Decimal128(new BigDecimal("1.50")));
        data.put("list", List.of(1, 2L, 3.5));
        data.put("none", null);

        var view = JsonViews.view(data, true, new Document("k", "v"));

        assertThat(view.get("data").get("id").asText()).isEqualTo(id.toHexString());
        assertThat(view.get("data").get("at").asText()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(view.get("data").get("date").asText()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(view.get("data").get("uuid").asText()).isEqualTo(uuid.toString());
        assertThat(view.get("data").get("bytes").asText()).isEqualTo("AQI=");
        assertThat(view.get("data").get("dec").isNumber()).isTrue();
        assertThat(view.get("data").get("list").get(1).isIntegralNumber()).isTrue();
        assertThat(view.get("data").get("none").isNull()).isTrue();
        assertThat(view.get("metadata").get("k").asText()).isEqualTo("v");
    }

    @Test
    void binaryDataAtTheTopIsNotInTheView() {
        for (Object binary : List.of(new byte[] {1}, new Binary(new byte[] {1}), new ByteArrayInputStream(new byte[0]))) {
            assertThat(JsonViews.dataInView(binary)).as(binary.getClass().getName()).isFalse();
        }
        assertThat(JsonViews.dataInView(null)).isTrue();
        assertThat(JsonViews.view(null, false, Map.of()).has("data")).isFalse();
        assertThat(JsonViews.view(null, true, Map.of()).get("data").isNull()).isTrue();
    }

    @Test
    void theSelectorReadsOnlyStringsThroughNestedObjects() {
        Map<String, Object> data = Map.of("type", "image", "nested", Map.of("kind", "x"), "n", 3);
        assertThat(JsonViews.select(List.of("data", "type"), data, true, Map.of())).isEqualTo("image");
        assertThat(JsonViews.select(List.of("data", "nested", "kind"), data, true, Map.of())).isEqualTo("x");
        assertThat(JsonViews.select(List.of("data", "n"), data, true, Map.of())).isNull();
        assertThat(JsonViews.select(List.of("data", "type"), data, false, Map.of())).isNull();
        assertThat(JsonViews.select(List.of("metadata", "kind"), data, true, Map.of("kind", "label")))
                .isEqualTo("label");
        assertThat(JsonViews.select(List.of("data", "type"), List.of("image"), true, Map.of())).isNull();
    }
}
