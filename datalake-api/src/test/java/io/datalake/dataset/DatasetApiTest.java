package io.datalake.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.InvalidArgumentException;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Version references parse as the CLI and users write them, and user checks never pass by accident. */
class DatasetApiTest {
    @Test
    void referencesParseLatestNumbersAndTags() {
        assertThat(VersionRef.parse("street-scenes")).isEqualTo(new VersionRef("street-scenes", "latest"));
        assertThat(VersionRef.parse("street-scenes@latest").isLatest()).isTrue();
        VersionRef seven = VersionRef.parse("street-scenes@7");
        assertThat(seven.isNumber()).isTrue();
        assertThat(seven).isEqualTo(VersionRef.of("street-scenes", 7));
        assertThat(VersionRef.parse("a.b_c-1@prod").selector()).isEqualTo("prod");
        assertThat(VersionRef.parse(seven.toString())).isEqualTo(seven);
    }

    @Test
    void badNamesAndReferencesAreRefusedNamingTheValue() {
        for (String bad : List.of("", "Street", "-x", "a b", "a@", "a@b@c", "a@Prod", "@7", "x".repeat(129))) {
            assertThatThrownBy(() -> VersionRef.parse(bad)).as(bad)
                    .isInstanceOf(InvalidDatasetNameException.class).isInstanceOf(InvalidArgumentException.class);
        }
        assertThatThrownBy(() -> VersionRef.requireTag("latest")).hasMessageContaining("'latest'");
        assertThatThrownBy(() -> VersionRef.requireTag("12")).hasMessageContaining("'12'");
        assertThatThrownBy(() -> VersionRef.of("a", 0)).isInstanceOf(InvalidArgumentException.class);
        assertThat(VersionRef.parse("a@07").isNumber()).as("a leading zero is a tag, not a number").isFalse();
    }

    @Test
    void aRowCheckCountsFailuresAndAThrowingCheckFails() {
        Flux<Row> rows = Flux.range(0, 5).map(i -> new Row(i, Map.of("image", new ObjectId())));
        CheckResult odd = DatasetCheck.everyRow("even", r -> Mono.just(r.number() % 2 == 0))
                .run(rows, AuditOptions.defaults()).block();
        assertThat(odd.passed()).isFalse();
        assertThat(odd.failures()).isEqualTo(2);
        assertThat(odd.exampleRows()).containsExactly(1L, 3L);
        CheckResult threw = DatasetCheck.everyRow("boom", r -> {
            throw new IllegalStateException("boom");
        }).run(rows, AuditOptions.defaults()).block();
        assertThat(threw.passed()).isFalse();
        assertThat(threw.message()).contains("boom");
        CheckResult whole = DatasetCheck.allRows("count", f -> f.count().map(n -> n == 5))
                .run(rows, AuditOptions.defaults()).block();
        assertThat(whole.passed()).isTrue();
        assertThat(whole.rowsChecked()).isEqualTo(5);
        CheckResult empty = DatasetCheck.allRows("empty", f -> Mono.empty()).run(rows, AuditOptions.defaults())
                .block();
        assertThat(empty.passed()).as("an empty answer is not a pass").isFalse();
    }

    @Test
    void aRowOverSharedColumnsBehavesLikeAMapRow() {
        ObjectId image = new ObjectId();
        ObjectId label = new ObjectId();
        ObjectId[] ids = {image, label};
        Row shared = Row.of(3, List.of("image", "label"), ids);
        ids[0] = new ObjectId();
        assertThat(shared.get("image")).as("the ids are copied").isEqualTo(image);
        Map<String, ObjectId> ordered = new java.util.LinkedHashMap<>();
        ordered.put("image", image);
        ordered.put("label", label);
        assertThat(shared).isEqualTo(new Row(3, ordered)).hasSameHashCodeAs(new Row(3, ordered));
        assertThat(shared.columns().keySet()).containsExactly("image", "label");
        assertThat(shared.columns()).containsEntry("label", label).doesNotContainKey("box");
        assertThatThrownBy(() -> shared.get("box")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("'box'");
        assertThatThrownBy(() -> shared.columns().put("box", label)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> Row.of(0, List.of("image", "label"), image))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("1 ids");
        assertThatThrownBy(() -> Row.of(0, List.of("image"), new ObjectId[] {null}))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'image'");
    }
}
