package io.datalake.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.datalake.Datum;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * JSON in and out of the command line. Input is plain JSON plus the two MongoDB Extended JSON forms people type:
 * {@code {"$oid": "<hex>"}} for an id and {@code {"$date": "<ISO-8601>"}} for an instant. Output writes ids as hex
 * strings, instants as ISO-8601 strings and byte arrays as {@code {"$bytes": <length>}} (their content goes to a
 * file with {@code get --payload-out}).
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    /**
     * Parses JSON text into a JSON-like value the lake accepts.
     *
     * @param text the JSON text
     * @param what what the text is, for the error message (e.g. {@code "--metadata"})
     * @return a map, list, string, number, boolean, ObjectId, Instant or null
     * @throws UsageException naming {@code what} and the position of the error if the text is not valid JSON
     */
    public static @Nullable Object parse(String text, String what) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UsageException("invalid JSON in " + what + ": " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr() : ""));
        }
        if (node == null || node.isMissingNode()) {
            throw new UsageException("invalid JSON in " + what + ": the text is empty");
        }
        return toValue(node, what);
    }

    /**
     * Parses JSON text that must be an object.
     *
     * @param text the JSON text
     * @param what what the text is, for the error message
     * @return the object as an insertion-ordered map
     * @throws UsageException if the text is not valid JSON or not an object
     */
    @SuppressWarnings("unchecked")
    public static Map<String, @Nullable Object> parseObject(String text, String what) {
        Object value = parse(text, what);
        if (!(value instanceof Map)) {
            throw new UsageException(what + " must be a JSON object, got: " + abbreviate(text));
        }
        return (Map<String, @Nullable Object>) value;
    }

    private static @Nullable Object toValue(JsonNode node, String what) {
        if (node.isObject()) {
            if (node.size() == 1 && node.has("$oid")) {
                String hex = node.get("$oid").asText();
                if (!ObjectId.isValid(hex)) {
                    throw new UsageException("invalid $oid in " + what + ": '" + hex + "'");
                }
                return new ObjectId(hex);
            }
            if (node.size() == 1 && node.has("$date")) {
                String date = node.get("$date").asText();
                try {
                    return Instant.parse(date);
                } catch (DateTimeParseException e) {
                    throw new UsageException("invalid $date in " + what + ": '" + date
                            + "' (expected ISO-8601 such as 2024-05-01T12:00:00Z)");
                }
            }
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                map.put(field.getKey(), toValue(field.getValue(), what));
            }
            return map;
        }
        if (node.isArray()) {
            List<@Nullable Object> list = new ArrayList<>(node.size());
            for (JsonNode item : node) {
                list.add(toValue(item, what));
            }
            return list;
        }
        if (node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            BigInteger value = node.bigIntegerValue();
            if (value.bitLength() < 32) {
                return value.intValue();
            }
            return value.bitLength() < 64 ? (Object) value.longValue() : new BigDecimal(value);
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }

    /**
     * Converts a value read from the lake to one Jackson writes as plain JSON.
     *
     * @param value a JSON-like value
     * @return the same structure with ids, instants and byte arrays in their output form
     */
    public static @Nullable Object toJsonable(@Nullable Object value) {
        if (value instanceof Map) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                map.put(String.valueOf(e.getKey()), toJsonable(e.getValue()));
            }
            return map;
        }
        if (value instanceof Collection) {
            List<@Nullable Object> list = new ArrayList<>();
            for (Object item : (Collection<?>) value) {
                list.add(toJsonable(item));
            }
            return list;
        }
        if (value instanceof ObjectId || value instanceof Instant) {
            // ObjectId.toString() is its hex form; Instant.toString() is ISO-8601.
            return value.toString();
        }
        if (value instanceof byte[]) {
            return Map.of("$bytes", ((byte[]) value).length);
        }
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        return String.valueOf(value);
    }

    /**
     * Returns a datum as an insertion-ordered map in the stored field order: id, added_at, derived_from,
     * registry_uri, registry_key, metadata, data.
     *
     * @param datum the datum
     * @return the map, ready for {@link #write}
     */
    public static Map<String, @Nullable Object> datum(Datum datum) {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        map.put("id", datum.id().toHexString());
        map.put("added_at", datum.addedAt().toString());
        map.put("derived_from", datum.derivedFrom() == null ? null : datum.derivedFrom().toHexString());
        if (datum.registryUri() != null) {
            map.put("registry_uri", datum.registryUri());
            map.put("registry_key", datum.registryKey());
        }
        map.put("metadata", toJsonable(datum.metadata()));
        map.put("data", toJsonable(datum.data()));
        return map;
    }

    /**
     * Writes a value as JSON.
     *
     * @param value a JSON-like value (converted with {@link #toJsonable} first)
     * @param pretty whether to indent
     * @return the JSON text, without a trailing newline
     */
    public static String write(@Nullable Object value, boolean pretty) {
        try {
            Object jsonable = toJsonable(value);
            return pretty
                    ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(jsonable)
                    : MAPPER.writeValueAsString(jsonable);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String abbreviate(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
}
