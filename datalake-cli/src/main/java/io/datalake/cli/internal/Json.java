package io.datalake.cli.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.json.JsonValues;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * JSON in and out of the command line.
 *
 * <p>Input is MongoDB Extended JSON read by the library's one reader ({@link JsonValues#parseExtendedJson}, the
 * driver's own parser underneath), relaxed and canonical forms alike ({@code $oid}, {@code $date} as a string or a
 * number, {@code $numberLong}, {@code $numberDecimal}, {@code $binary}, {@code $uuid}, ...), so {@code add},
 * {@code query} and the Java API accept exactly the same values. Before
 * the driver sees the text, one streaming pass with Jackson rejects what the driver would silently change or
 * choke on: trailing text, duplicate keys, numbers beyond a double or a 64-bit integer ({@code 1e400}), lone
 * UTF-16 surrogates, NUL characters in keys and nesting deeper than {@value #MAX_DEPTH} levels.
 *
 * <p>Output writes ids as hex strings, instants as ISO-8601 strings and byte arrays as
 * {@code {"$bytes": <length>}} (their content goes to a file with {@code get --payload-out}).
 */
public final class Json {
    /**
     * Deepest nesting of arrays and objects the command line reads. A guard for the parsers, far above the
     * 100 levels MongoDB stores (the lake reports that limit itself, with the path), far below a stack overflow.
     */
    public static final int MAX_DEPTH = 1000;

    private static final JsonFactory CHECKER = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH + 1)
                    // Large values are legitimate (the lake offloads them to a registry); MongoDB bounds the rest.
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxDocumentLength(-1)
                    .build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final ObjectMapper SORTED = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private Json() {
    }

    /**
     * Parses Extended JSON text into a JSON-like value the lake accepts.
     *
     * @param text the JSON text
     * @param what what the text is, for the error message (e.g. {@code "--metadata"})
     * @return a map, list, string, Integer, Long, Double, BigDecimal, boolean, ObjectId, Instant, UUID, byte[] or
     *     null
     * @throws UsageException naming {@code what} and the position of the error if the text is not valid JSON or
     *     holds a value the lake cannot store unchanged
     */
    public static @Nullable Object parse(String text, String what) {
        check(text, what);
        try {
            // The library's one Extended JSON reader, so add, query and the Java API accept the same values.
            return JsonValues.parseExtendedJson(text, what);
        } catch (InvalidArgumentException e) {
            throw new UsageException("invalid Extended JSON in " + what + ": "
                    + String.valueOf(e.getMessage()).replaceFirst("^malformed JSON: ", ""));
        }
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

    /**
     * Checks JSON text without building it: one JSON value and nothing after it, no duplicate keys, no number
     * a double or a 64-bit integer cannot hold, no lone surrogate, no NUL in a key, at most {@value #MAX_DEPTH}
     * levels deep. Iterative, so any depth of input is safe.
     *
     * @param text the JSON text
     * @param what what the text is, for the error message
     * @throws UsageException naming {@code what}, the problem and its line and column
     */
    public static void check(String text, String what) {
        try (JsonParser parser = CHECKER.createParser(text)) {
            int depth = 0;
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new UsageException("invalid JSON in " + what + ": the text is empty");
            }
            while (token != null) {
                switch (token) {
                    case START_OBJECT:
                    case START_ARRAY:
                        if (++depth > MAX_DEPTH) {
                            throw invalid(what, parser, "nested deeper than " + MAX_DEPTH
                                    + " levels (MongoDB stores at most 100)");
                        }
                        break;
                    case END_OBJECT:
                    case END_ARRAY:
                        depth--;
                        break;
                    case FIELD_NAME:
                        String key = parser.currentName();
                        if (key.indexOf('\0') >= 0) {
                            throw invalid(what, parser, "key " + quote(key)
                                    + " contains a NUL character, which MongoDB does not allow in keys");
                        }
                        checkSurrogates(key, "key", what, parser);
                        break;
                    case VALUE_STRING:
                        checkSurrogates(parser.getText(), "string", what, parser);
                        break;
                    case VALUE_NUMBER_INT:
                        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                            throw invalid(what, parser, "integer " + abbreviate(parser.getText())
                                    + " does not fit 64 bits; write it as {\"$numberDecimal\": \""
                                    + abbreviate(parser.getText()) + "\"}");
                        }
                        break;
                    case VALUE_NUMBER_FLOAT:
                        if (Double.isInfinite(parser.getDoubleValue())) {
                            throw invalid(what, parser, "number " + abbreviate(parser.getText())
                                    + " is beyond the range of a double; write it as {\"$numberDecimal\": \""
                                    + abbreviate(parser.getText()) + "\"} if it fits a decimal");
                        }
                        break;
                    default:
                        break;
                }
                if (depth == 0) {
                    break;
                }
                token = parser.nextToken();
            }
            if (parser.nextToken() != null) {
                throw invalid(what, parser, "unexpected text after the JSON value");
            }
        } catch (StreamConstraintsException e) {
            throw new UsageException("invalid JSON in " + what + ": " + firstSentence(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new UsageException("invalid JSON in " + what + ": " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr() : ""));
        } catch (IOException e) {
            throw new UsageException("cannot read the JSON in " + what + ": " + e.getMessage());
        }
    }

    private static void checkSurrogates(String text, String kind, String what, JsonParser parser) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid(what, parser, kind + " " + quote(text) + " holds a lone UTF-16 surrogate \\u"
                        + String.format("%04x", (int) c) + " at index " + i
                        + ", which is not Unicode text and cannot be stored unchanged");
            }
        }
    }

    private static UsageException invalid(String what, JsonParser parser, String problem) {
        return new UsageException("invalid JSON in " + what + ": " + problem + " at line "
                + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr());
    }

    private static String firstSentence(String message) {
        int cut = message.indexOf(" (");
        return cut > 0 ? message.substring(0, cut) : message;
    }

    private static String quote(String s) {
        return "'" + abbreviate(s.replace("\0", "\\0")) + "'";
    }

    /**
     * Converts a value read from the lake to one Jackson writes as plain JSON.
     *
     * @param value a JSON-like value
     * @return the same structure with ids, instants and byte arrays in their output form
     */
    public static @Nullable Object toJsonable(@Nullable Object value) {
        if (value instanceof Map<?, ?> source) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : source.entrySet()) {
                map.put(String.valueOf(e.getKey()), toJsonable(e.getValue()));
            }
            return map;
        }
        if (value instanceof Collection<?> items) {
            List<@Nullable Object> list = new ArrayList<>();
            for (Object item : items) {
                list.add(toJsonable(item));
            }
            return list;
        }
        if (value instanceof Decimal128 decimal) {
            try {
                return decimal.isNaN() || decimal.isInfinite() ? decimal.toString() : decimal.bigDecimalValue();
            } catch (ArithmeticException negativeZero) {
                return decimal.toString();
            }
        }
        if (value instanceof ObjectId || value instanceof Instant || value instanceof UUID) {
            // ObjectId.toString() is its hex form; Instant.toString() is ISO-8601.
            return value.toString();
        }
        if (value instanceof byte[] bytes) {
            return Map.of("$bytes", bytes.length);
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

    /**
     * Writes a value as JSON with object keys sorted, so two equal values give equal text whatever their key order
     * and number classes.
     *
     * @param value a JSON-like value
     * @return the canonical JSON text
     */
    public static String canonical(@Nullable Object value) {
        try {
            return SORTED.writeValueAsString(normalizeNumbers(toJsonable(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static @Nullable Object normalizeNumbers(@Nullable Object value) {
        if (value instanceof Map<?, ?> source) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            source.forEach((k, v) -> map.put(String.valueOf(k), normalizeNumbers(v)));
            return map;
        }
        if (value instanceof List<?> items) {
            List<@Nullable Object> list = new ArrayList<>();
            items.forEach(v -> list.add(normalizeNumbers(v)));
            return list;
        }
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        return value;
    }

    static String abbreviate(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
}
