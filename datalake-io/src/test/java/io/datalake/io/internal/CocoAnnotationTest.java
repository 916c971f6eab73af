package io.datalake.io.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datum;
import io.datalake.io.UnexportableDatumException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** What a COCO export accepts as an annotation datum, and how it names what it refuses. */
class CocoAnnotationTest {
    private static Datum datum(Object data) {
        return Datum.builder().id(new ObjectId()).addedAt(Instant.now()).data(data).build();
    }

    private static Map<String, Object> box(Object bbox, Object... more) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("type", "bbox");
        data.put("label", "cat");
        data.put("bbox", bbox);
        for (int i = 0; i < more.length; i += 2) {
            data.put((String) more[i], more[i + 1]);
        }
        return data;
    }

    @Test
    void aBoxBecomesCocoFieldsWithItsAreaIscrowdAndSegmentation() {
        CocoAnnotation a = CocoAnnotation.parse(datum(box(List.of(1, 2L, 3.5, new BigDecimal("4")),
                "iscrowd", true, "segmentation", List.of(List.of(1, 2, 3, 4, 5, 6)), "supercategory", "animal")));

        assertThat(a.kind()).isEqualTo(CocoAnnotation.Kind.BBOX);
        assertThat(a.label()).isEqualTo("cat");
        assertThat(a.supercategory()).isEqualTo("animal");
        assertThat(a.fields()).isEqualTo(new Document("bbox", List.of(1L, 2L, 3.5, 4.0)).append("area", 14.0)
                .append("iscrowd", 1).append("segmentation", List.of(List.of(1L, 2L, 3L, 4L, 5L, 6L))));
        assertThat(CocoAnnotation.parse(datum(box(List.of(0, 0, 0, 4), "score", 0.5))).fields())
                .as("a zero-width box is kept, like the importer keeps it; a score is a prediction's")
                .isEqualTo(new Document("bbox", List.of(0L, 0L, 0L, 4L)).append("area", 0L).append("iscrowd", 0)
                        .append("score", 0.5));
        assertThat(CocoAnnotation.parse(datum(box(List.of(0, 0, 3, 4)))).fields().get("area"))
                .as("integer sides give an exact integer area").isEqualTo(12L);
        assertThat(CocoAnnotation.parse(datum(box(List.of(0, 0, 3, 4), "area", 7))).fields().get("area"))
                .as("the datum's own area").isEqualTo(7L);
        assertThat(CocoAnnotation.parse(datum(box(List.of(0, 0, 3, 4), "segmentation",
                Map.of("size", List.of(4, 3), "counts", "abc")))).fields().get("segmentation"))
                .isEqualTo(new Document("size", List.of(4L, 3L)).append("counts", "abc"));
    }

    @Test
    void aClassificationHasOnlyItsLabel() {
        CocoAnnotation a = CocoAnnotation.parse(datum(Map.of("type", "classification", "label", "indoor",
                "bbox", "ignored")));
        assertThat(a.kind()).isEqualTo(CocoAnnotation.Kind.CLASSIFICATION);
        assertThat(a.label()).isEqualTo("indoor");
        assertThat(a.fields()).isEmpty();
    }

    @Test
    void dataThatIsNotAnAnnotationIsNotOne() {
        assertThat(CocoAnnotation.parse(datum("a string"))).isNull();
        assertThat(CocoAnnotation.parse(datum(null))).isNull();
        assertThat(CocoAnnotation.parse(datum(Map.of("label", "cat", "bbox", List.of(1, 2, 3, 4))))).isNull();
        assertThat(CocoAnnotation.parse(datum(Map.of("type", "BBOX", "label", "cat")))).isNull();
        assertThat(CocoAnnotation.parse(datum(Map.of("type", "polygon", "label", "cat")))).isNull();
    }

    static Stream<Arguments> malformed() {
        List<Object> withNull = new ArrayList<>(Arrays.asList(1, 2, null, 4));
        return Stream.of(
                Arguments.of(box(List.of(1, 2, -3, 4)), "data.bbox[2]", "-3"),
                Arguments.of(box(List.of(-1, 2, 3, 4)), "data.bbox[0]", "-1"),
                Arguments.of(box(List.of(1, 2, 3, 4), "score", "high"), "data.score", "high"),
                Arguments.of(box(List.of(1, Double.NaN, 3, 4)), "data.bbox[1]", "NaN"),
                Arguments.of(box(List.of(1, 2, 3, Double.POSITIVE_INFINITY)), "data.bbox[3]", "Infinity"),
                Arguments.of(box(List.of(1, "2", 3, 4)), "data.bbox[1]", "2 (String)"),
                Arguments.of(box(withNull), "data.bbox[2]", "nothing"),
                Arguments.of(box(List.of(1, 2, 3)), "data.bbox", "[1, 2, 3]"),
                Arguments.of(box(Map.of("x", 1)), "data.bbox", "{x=1}"),
                Arguments.of(box(null), "data.bbox", "nothing"),
                Arguments.of(box(List.of(1, 2, 3, 4), "label", " "), "data.label", "non-blank"),
                Arguments.of(box(List.of(1, 2, 3, 4), "label", 7), "data.label", "7 (Integer)"),
                Arguments.of(Map.of("type", "classification"), "data.label", "nothing"),
                Arguments.of(box(List.of(1, 2, 3, 4), "supercategory", 1), "data.supercategory", "1"),
                Arguments.of(box(List.of(1, 2, 3, 4), "area", -1), "data.area", "-1"),
                Arguments.of(box(List.of(1, 2, 3, 4), "iscrowd", 2), "data.iscrowd", "2"),
                Arguments.of(box(List.of(1, 2, 3, 4), "segmentation", List.of()), "data.segmentation", "[]"),
                Arguments.of(box(List.of(1, 2, 3, 4), "segmentation", List.of(List.of(1, 2, 3, 4))),
                        "data.segmentation[0]", "[1, 2, 3, 4]"),
                Arguments.of(box(List.of(1, 2, 3, 4), "segmentation", List.of(List.of(1, 2, 3, 4, 5, "x"))),
                        "data.segmentation[0][5]", "x"),
                Arguments.of(box(List.of(1, 2, 3, 4), "segmentation", Map.of("size", List.of(4), "counts", "a")),
                        "data.segmentation.size", "[4]"),
                Arguments.of(box(List.of(1, 2, 3, 4), "segmentation", Map.of("size", List.of(4, 3), "counts",
                        List.of(1, -2))), "data.segmentation.counts[1]", "-2"),
                Arguments.of(box(List.of(1, 2, 3, 4), "segmentation", "x"), "data.segmentation", "x"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void aMalformedAnnotationIsRefusedNamingTheDatumFieldAndValue(Map<String, Object> data, String field,
            String value) {
        Datum d = datum(data);
        assertThatThrownBy(() -> CocoAnnotation.parse(d))
                .isInstanceOf(UnexportableDatumException.class)
                .hasMessageContaining(d.id().toHexString())
                .hasMessageContaining(field)
                .hasMessageContaining(value)
                .satisfies(e -> assertThat(((UnexportableDatumException) e).field()).isEqualTo(field));
    }
}
