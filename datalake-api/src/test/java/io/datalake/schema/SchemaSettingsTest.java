package io.datalake.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.DatalakeSettings;
import io.datalake.InvalidArgumentException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaSettingsTest {
    @Test
    void defaultsEnforceOnDataTypeWithAFewSecondsOfCache() {
        SchemaSettings s = DatalakeSettings.builder().build().schemas();
        assertThat(s.kindSelector()).isEqualTo("data.type");
        assertThat(s.kindSelectorPath()).containsExactly("data", "type");
        assertThat(s.mode()).isEqualTo(ValidationMode.ENFORCE);
        assertThat(s.cacheTtl()).isEqualTo(SchemaSettings.DEFAULT_CACHE_TTL).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.listener()).isNull();
    }

    @Test
    void aKindsOwnModeOverridesTheLakesAndSurvivesToBuilder() {
        SchemaSettings s = SchemaSettings.builder().mode(ValidationMode.WARN).mode("legacy", ValidationMode.OFF)
                .kindSelector("metadata.kind.name").build();
        SchemaSettings copy = DatalakeSettings.builder().schemas(s).build().toBuilder().build().schemas();
        assertThat(copy.mode("legacy")).isEqualTo(ValidationMode.OFF);
        assertThat(copy.mode("image")).isEqualTo(ValidationMode.WARN);
        assertThat(copy.kindSelectorPath()).isEqualTo(List.of("metadata", "kind", "name"));
    }

    @Test
    void badValuesAreRefusedNamingThem() {
        for (String bad : List.of("type", "data", "data.", "data..type", "payload.type", "metadata.$kind", "")) {
            assertThatThrownBy(() -> SchemaSettings.builder().kindSelector(bad)).as(bad)
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(() -> SchemaSettings.builder().cacheTtl(Duration.ofSeconds(-1)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> SchemaSettings.builder().cacheTtl(Duration.ofHours(2)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> SchemaSettings.builder().mode(" ", ValidationMode.OFF))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> DatalakeSettings.builder().schemas(null))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void kindsAreNonBlankBoundedAndWithoutControlCharacters() {
        assertThat(Schema.kindProblem("image")).isNull();
        assertThat(Schema.kindProblem("a/b:c@d")).isNull();
        assertThat(Schema.kindProblem("")).isNotNull();
        assertThat(Schema.kindProblem("a\nb")).isNotNull();
        assertThat(Schema.kindProblem("x".repeat(Schema.MAX_KIND_LENGTH + 1))).isNotNull();
    }
}
