package io.datalake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class DatumTest {
    private final ObjectId id = new ObjectId();
    private final Instant at = Instant.parse("2024-01-01T00:00:00.001Z");

    @Test
    void equalityComparesByteArraysByContent() {
        Datum a = Datum.builder().id(id).addedAt(at).data(Map.of("b", new byte[] {1, 2})).build();
        Datum b = Datum.builder().id(id).addedAt(at).data(Map.of("b", new byte[] {1, 2})).build();
        Datum c = Datum.builder().id(id).addedAt(at).data(Map.of("b", new byte[] {1, 3})).build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void metadataIsNeverNullAndCannotBeChangedThroughTheBuilderInput() {
        Map<String, Object> source = new HashMap<>(Map.of("k", "v"));
        Datum datum = Datum.builder().id(id).addedAt(at).metadata(source).build();
        source.put("k", "changed");

        assertThat(datum.metadata()).containsEntry("k", "v");
        assertThat(Datum.builder().id(id).addedAt(at).metadata(null).build().metadata()).isEmpty();
        assertThatThrownBy(() -> datum.metadata().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void idAndAddedAtAreRequired() {
        assertThatThrownBy(() -> Datum.builder().addedAt(at).build()).hasMessageContaining("id");
        assertThatThrownBy(() -> Datum.builder().id(id).build()).hasMessageContaining("addedAt");
    }

    @Test
    void toStringAbbreviatesLargeData() {
        Datum datum = Datum.builder().id(id).addedAt(at).data(List.of("x".repeat(10_000))).build();

        assertThat(datum.toString()).hasSizeLessThan(600).contains(id.toHexString());
    }
}
