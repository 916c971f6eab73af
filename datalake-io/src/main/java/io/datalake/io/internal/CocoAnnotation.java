package io.datalake.io.internal;

import io.datalake.Datum;
import io.datalake.io.UnexportableDatumException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.jspecify.annotations.Nullable;

/**
 * An annotation datum read for a COCO export, in the convention the importer writes:
 * {@code {"type": "bbox", "label": L, "bbox": [x, y, width, height]}} (absolute pixels, x/y of the top-left corner,
 * origin at the image's top-left corner) with optional {@code area}, {@code iscrowd}, {@code segmentation},
 * {@code score} and {@code supercategory}, or {@code {"type": "classification", "label": L}} with an optional
 * {@code supercategory}.
 *
 * <p>Stored data is untrusted: {@link #parse} returns null for a datum that is not an annotation (its data is not
 * a map with one of those types), and refuses one that claims to be an annotation but is malformed, naming the datum
 * and the field.
 *
 * @param kind the type
 * @param label the label (the category's name)
 * @param supercategory the category's supercategory, or null
 * @param fields for a box, the COCO fields after {@code category_id} ({@code bbox}, {@code area}, {@code iscrowd},
 *     optionally {@code score} and {@code segmentation}); empty for a classification
 */
record CocoAnnotation(Kind kind, String label, @Nullable String supercategory, Document fields) {
    /** The two annotation types. */
    enum Kind {
        BBOX, CLASSIFICATION
    }

    /**
     * Reads an annotation datum.
     *
     * @return the annotation, or null when the datum is not an annotation
     * @throws UnexportableDatumException naming the datum and field if it is a bbox or classification datum with a
     *     missing or malformed field
     */
    static @Nullable CocoAnnotation parse(Datum datum) {
        if (!(datum.data() instanceof Map<?, ?> data)) {
            return null;
        }
        Object type = data.get("type");
        Kind kind;
        if ("bbox".equals(type)) {
            kind = Kind.BBOX;
        } else if ("classification".equals(type)) {
            kind = Kind.CLASSIFICATION;
        } else {
            return null;
        }
        Object label = data.get("label");
        if (!(label instanceof String l) || l.isBlank()) {
            throw bad(datum, "data.label", "a " + type + " annotation needs a non-blank string label, got "
                    + describe(label));
        }
        Object superValue = data.get("supercategory");
        if (superValue != null && !(superValue instanceof String)) {
            throw bad(datum, "data.supercategory", "the supercategory must be a string, got " + describe(superValue));
        }
        String supercategory = (String) superValue;
        if (kind == Kind.CLASSIFICATION) {
            return new CocoAnnotation(kind, l, supercategory, new Document());
        }
        List<Number> box = bbox(datum, data.get("bbox"));
        Number area = data.get("area") == null ? area(box) : number(datum, "data.area", data.get("area"), true);
        Document fields = new Document("bbox", box).append("area", area).append("iscrowd", iscrowd(datum,
                data.get("iscrowd")));
        if (data.get("score") != null) {
            // A model's prediction: COCO's results format carries its confidence.
            fields.append("score", number(datum, "data.score", data.get("score"), false));
        }
        Object segmentation = data.get("segmentation");
        if (segmentation != null) {
            fields.append("segmentation", segmentation(datum, segmentation));
        }
        return new CocoAnnotation(kind, l, supercategory, fields);
    }

    private static List<Number> bbox(Datum datum, @Nullable Object value) {
        if (!(value instanceof List<?> list) || list.size() != 4) {
            throw bad(datum, "data.bbox", "a bbox annotation needs data.bbox = [x, y, width, height] (4 numbers), got "
                    + describe(value));
        }
        List<Number> box = new ArrayList<>(4);
        for (int i = 0; i < 4; i++) {
            // A zero width or height is kept: some datasets have such boxes, and the importer accepts them.
            box.add(number(datum, "data.bbox[" + i + "]", list.get(i), true));
        }
        return box;
    }

    /** The box's area: exact for integer sides. */
    private static Number area(List<Number> box) {
        Number w = box.get(2);
        Number h = box.get(3);
        if (w instanceof Long a && h instanceof Long b) {
            try {
                return Math.multiplyExact(a, b);
            } catch (ArithmeticException e) {
                // Falls through to a double product.
            }
        }
        return w.doubleValue() * h.doubleValue();
    }

    private static int iscrowd(Datum datum, @Nullable Object value) {
        if (value == null || Boolean.FALSE.equals(value)) {
            return 0;
        }
        if (Boolean.TRUE.equals(value)) {
            return 1;
        }
        if ((value instanceof Integer || value instanceof Long) && (((Number) value).longValue() == 0
                || ((Number) value).longValue() == 1)) {
            return ((Number) value).intValue();
        }
        throw bad(datum, "data.iscrowd", "iscrowd must be 0, 1 or a boolean, got " + describe(value));
    }

    /** Polygons (a list of flat [x1, y1, x2, y2, ...] lists) or RLE ({@code {"size": [h, w], "counts": ...}}). */
    private static Object segmentation(Datum datum, Object value) {
        if (value instanceof List<?> polygons) {
            if (polygons.isEmpty()) {
                throw bad(datum, "data.segmentation", "a polygon segmentation needs at least one polygon, got []");
            }
            List<List<Number>> out = new ArrayList<>(polygons.size());
            for (int p = 0; p < polygons.size(); p++) {
                String field = "data.segmentation[" + p + "]";
                if (!(polygons.get(p) instanceof List<?> points) || points.size() < 6 || points.size() % 2 != 0) {
                    throw bad(datum, field, "a polygon is a list of at least 3 x, y pairs, got "
                            + describe(polygons.get(p)));
                }
                List<Number> polygon = new ArrayList<>(points.size());
                for (int i = 0; i < points.size(); i++) {
                    polygon.add(number(datum, field + "[" + i + "]", points.get(i), false));
                }
                out.add(polygon);
            }
            return out;
        }
        if (value instanceof Map<?, ?> rle) {
            Object size = rle.get("size");
            if (!(size instanceof List<?> hw) || hw.size() != 2 || !positiveInt(hw.get(0)) || !positiveInt(hw.get(1))) {
                throw bad(datum, "data.segmentation.size", "an RLE segmentation needs size = [height, width] (positive"
                        + " integers), got " + describe(size));
            }
            Object counts = rle.get("counts");
            Object countsOut;
            if (counts instanceof String s && !s.isEmpty()) {
                countsOut = s;
            } else if (counts instanceof List<?> runs && !runs.isEmpty()) {
                List<Long> list = new ArrayList<>(runs.size());
                for (int i = 0; i < runs.size(); i++) {
                    Object run = runs.get(i);
                    if (!(run instanceof Integer || run instanceof Long) || ((Number) run).longValue() < 0) {
                        throw bad(datum, "data.segmentation.counts[" + i + "]", "RLE counts are non-negative integers,"
                                + " got " + describe(run));
                    }
                    list.add(((Number) run).longValue());
                }
                countsOut = list;
            } else {
                throw bad(datum, "data.segmentation.counts", "an RLE segmentation needs counts (a compressed string or"
                        + " a list of run lengths), got " + describe(counts));
            }
            return new Document("size", List.of(((Number) hw.get(0)).longValue(), ((Number) hw.get(1)).longValue()))
                    .append("counts", countsOut);
        }
        throw bad(datum, "data.segmentation", "a segmentation is a list of polygons or an RLE object, got "
                + describe(value));
    }

    private static boolean positiveInt(@Nullable Object value) {
        return (value instanceof Integer || value instanceof Long) && ((Number) value).longValue() > 0
                && ((Number) value).longValue() <= Integer.MAX_VALUE;
    }

    /**
     * A JSON number: integers as Long, the rest as a finite Double (BigDecimal would become {"$numberDecimal"}).
     */
    private static Number number(Datum datum, String field, @Nullable Object value, boolean nonNegative) {
        Number n;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            n = ((Number) value).longValue();
        } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw bad(datum, field, "expected a finite number, got " + value);
            }
            n = d;
        } else {
            throw bad(datum, field, "expected a number, got " + describe(value));
        }
        if (nonNegative && n.doubleValue() < 0) {
            throw bad(datum, field, "expected a number >= 0, got " + value);
        }
        return n;
    }

    private static String describe(@Nullable Object value) {
        if (value == null) {
            return "nothing";
        }
        String text = String.valueOf(value);
        if (text.length() > 80) {
            text = text.substring(0, 77) + "...";
        }
        return text + " (" + value.getClass().getSimpleName() + ")";
    }

    private static UnexportableDatumException bad(Datum datum, String field, String message) {
        return new UnexportableDatumException(datum.id(), field, "datum " + datum.id() + ": " + field + ": "
                + message);
    }
}
