package io.datalake.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.bson.types.Decimal128;
import org.junit.jupiter.api.Test;

/** The public JSON-value helpers the command line and the store share (unit tests, no server). */
class JsonValuesTest {
    @Test
    void parsesExtendedJsonAndNamesTheValueInErrors() {
        assertThat(JsonValues.parseExtendedJson("{\"n\": {\"$numberLong\": \"7\"}, \"d\": {\"$numberDecimal\":"
                + " \"1.50\"}}")).isEqualTo(Map.of("n", 7L, "d", new BigDecimal("1.50")));
        assertThatThrownBy(() -> JsonValues.parseExtendedJson("{\"a\": {\"$regularExpression\": {\"pattern\": \"x\","
                + " \"options\": \"\"}}}", "--metadata"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("--metadata.a").hasMessageContaining("REGULAR_EXPRESSION");
        assertThatThrownBy(() -> JsonValues.parseExtendedJson("[1e400]")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("1e400");
    }

    @Test
    void negativeZeroDecimalIsKeptInsteadOfFailing() {
        assertThat(JsonValues.parseExtendedJson("{\"$numberDecimal\": \"-0\"}"))
                .isEqualTo(Decimal128.NEGATIVE_ZERO);
    }

    @Test
    void storableProblemNamesKeysAndDepthTheLakeRefuses() {
        assertThat(JsonValues.storableProblem(Map.of("ok", List.of(1, "two")), "data", JsonValues.FIELD_DEPTH))
                .isNull();
        assertThat(JsonValues.storableProblem(Map.of("$set", 1), "data", JsonValues.FIELD_DEPTH))
                .contains("starts with '$'");
        Object deep = 1;
        for (int i = 0; i < JsonValues.MAX_DEPTH; i++) {
            deep = List.of(deep);
        }
        assertThat(JsonValues.storableProblem(deep, "data", JsonValues.FIELD_DEPTH))
                .contains("more than " + JsonValues.MAX_DEPTH);
    }

    @Test
    void deepEqualsComparesBytesByContent() {
        assertThat(JsonValues.deepEquals(Map.of("b", new byte[] {1, 2}), Map.of("b", new byte[] {1, 2}))).isTrue();
        assertThat(JsonValues.deepEquals(List.of(new byte[] {1}), List.of(new byte[] {2}))).isFalse();
    }
}
