package io.datalake.mongo.internal;

import io.datalake.DatumValidationException;
import io.datalake.json.JsonValues;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.BsonBinarySubType;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Converts JSON-like Java values to the values the driver stores and back.
 *
 * <p>Writing validates the whole value before anything is sent, so a value with no BSON mapping fails with a
 * {@link DatumValidationException} naming its path and type instead of failing inside the driver half-way.
 * Reading turns BSON shapes into the API's value types: documents into unmodifiable insertion-ordered maps,
 * arrays into unmodifiable lists, dates into {@link Instant}, binaries into {@code byte[]}, decimals into
 * {@link BigDecimal}.
 */
public final class BsonValues {
    /** Nesting level of {@code data} and {@code metadata}: the datum document itself is level 1. */
    static final int FIELD_DEPTH = 2;

    private BsonValues() {
    }

    /**
     * Converts a value for storage.
     *
     * @param value a JSON-like value
     * @param path where the value sits in the datum, for error messages (e.g. {@code "data"})
     * @return the storable value
     * @throws DatumValidationException if some part of the value has no BSON mapping, a key MongoDB or this lake
     *     forbids, refers to itself, or nests more than {@link Values#MAX_DEPTH} levels deep in the datum
     */
    public static @Nullable Object toStorable(@Nullable Object value, String path) {
        check(value, path);
        return convert(value, path);
    }

    /**
     * Checks, without recursion and before anything is converted or sent, that a value held directly by the datum
     * document ({@code data}, {@code metadata}) can be stored: nesting at most {@link Values#MAX_DEPTH} levels in
     * the document, no self-reference, keys that are strings without NUL, not starting with {@code $} and without
     * {@code .}, and no lone UTF-16 surrogate.
     *
     * @param value the value
     * @param path {@code "data"} or {@code "metadata"}
     * @throws DatumValidationException naming the (shortened) path and the problem
     */
    public static void check(@Nullable Object value, String path) {
        String problem = JsonValues.storableProblem(value, path, FIELD_DEPTH);
        if (problem != null) {
            throw new DatumValidationException(problem);
        }
    }

    private static @Nullable Object convert(@Nullable Object value, String path) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Double || value instanceof ObjectId
                || value instanceof Decimal128 || value instanceof UUID) {
            return value;
        }
        if (value instanceof Map) {
            return convertMap((Map<?, ?>) value, path);
        }
        if (value instanceof Collection) {
            Collection<?> items = (Collection<?>) value;
            List<@Nullable Object> list = new ArrayList<>(items.size());
            int i = 0;
            for (Object item : items) {
                list.add(convert(item, path + "[" + i++ + "]"));
            }
            return list;
        }
        if (value instanceof byte[]) {
            return new Binary((byte[]) value);
        }
        if (value instanceof Instant instant) {
            return new Date(instant.toEpochMilli());
        }
        if (value instanceof Date date) {
            return new Date(date.getTime());
        }
        if (value instanceof Short || value instanceof Byte) {
            return ((Number) value).intValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof BigDecimal decimal) {
            try {
                return new Decimal128(decimal);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new DatumValidationException(path + ": BigDecimal " + value
                        + " does not fit a BSON Decimal128 (34 digits, exponent -6143..6144)", e);
            }
        }
        if (value instanceof Object[] array) {
            return convert(java.util.Arrays.asList(array), path);
        }
        throw new DatumValidationException(path + ": cannot store a value of type " + value.getClass().getName()
                + "; inline values must be JSON-like (Map, List, String, number, Boolean, null, Instant, Date,"
                + " ObjectId, UUID, byte[]); store other objects in a registry");
    }

    /**
     * Converts a map for storage as a BSON document.
     *
     * @param map a map with string keys
     * @param path where the map sits in the datum
     * @return the document
     * @throws DatumValidationException if a key is not a string or a value has no BSON mapping
     */
    public static Document toDocument(Map<?, ?> map, String path) {
        check(map, path);
        return convertMap(map, path);
    }

    private static Document convertMap(Map<?, ?> map, String path) {
        Document doc = new Document();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new DatumValidationException(path + ": map keys must be strings, got "
                        + (e.getKey() == null ? "null" : e.getKey().getClass().getName() + " " + e.getKey()));
            }
            String key = (String) e.getKey();
            doc.append(key, convert(e.getValue(), path + "." + key));
        }
        return doc;
    }

    /**
     * Converts a stored value to its API form.
     *
     * @param value a value as the driver decoded it
     * @return the API value
     */
    public static @Nullable Object fromStored(@Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            return fromStoredMap(map);
        }
        if (value instanceof List<?> items) {
            List<@Nullable Object> list = new ArrayList<>(items.size());
            for (Object item : items) {
                list.add(fromStored(item));
            }
            return Collections.unmodifiableList(list);
        }
        if (value instanceof Date date) {
            return Instant.ofEpochMilli(date.getTime());
        }
        if (value instanceof Binary binary) {
            return binary.getType() == BsonBinarySubType.BINARY.getValue() ? binary.getData() : binary;
        }
        if (value instanceof Decimal128 decimal) {
            return decimal.isNaN() || decimal.isInfinite() ? decimal : decimal.bigDecimalValue();
        }
        return value;
    }

    /**
     * Converts a stored value to its API form, refusing what has no JSON-like form (a document written by another
     * client may hold BSON timestamps, JavaScript, regular expressions, min/max keys, ...). BSON symbols are the
     * deprecated form of strings and read as strings.
     *
     * @param value a value as the driver decoded it; its depth is bounded by the decoder
     * @param path where the value sits in the datum, for the message
     * @return the API value
     * @throws IllegalArgumentException naming the path and the type when a value has no JSON-like form
     */
    static @Nullable Object fromStoredChecked(@Nullable Object value, String path) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                return Map.of();
            }
            Map<String, @Nullable Object> result = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                result.put(key, fromStoredChecked(e.getValue(), path + "." + key));
            }
            return Collections.unmodifiableMap(result);
        }
        if (value instanceof List<?> items) {
            List<@Nullable Object> list = new ArrayList<>(items.size());
            for (Object item : items) {
                list.add(fromStoredChecked(item, path + "[" + list.size() + "]"));
            }
            return Collections.unmodifiableList(list);
        }
        if (value instanceof org.bson.types.Symbol symbol) {
            return symbol.getSymbol();
        }
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Double || value instanceof ObjectId
                || value instanceof UUID || value instanceof Date || value instanceof Binary
                || value instanceof Decimal128) {
            return fromStored(value);
        }
        throw new IllegalArgumentException(path + " holds a " + value.getClass().getSimpleName()
                + ", which has no JSON-like form");
    }

    /**
     * Converts a stored document to an unmodifiable insertion-ordered map.
     *
     * @param map a decoded document, or null
     * @return the map, empty for null
     */
    public static Map<String, @Nullable Object> fromStoredMap(@Nullable Map<?, ?> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        Map<String, @Nullable Object> result = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
        for (Map.Entry<?, ?> e : map.entrySet()) {
            result.put(String.valueOf(e.getKey()), fromStored(e.getValue()));
        }
        return Collections.unmodifiableMap(result);
    }
}
