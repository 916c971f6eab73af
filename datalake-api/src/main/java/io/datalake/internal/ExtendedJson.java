package io.datalake.internal;

import io.datalake.InvalidArgumentException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.DecoderContext;
import org.bson.json.JsonParseException;
import org.bson.json.JsonReader;
import org.bson.types.Decimal128;
import org.jspecify.annotations.Nullable;

/**
 * Parses JSON text from users with the MongoDB driver's own extended JSON parser ({@link JsonReader}), relaxed and
 * canonical forms alike ({@code $oid}, {@code $date} as a string or a number, {@code $numberLong},
 * {@code $numberInt}, {@code $numberDouble}, {@code $numberDecimal}, {@code $binary}, {@code $uuid}, ...), so every
 * entry point of the library and the command line accepts the same values.
 *
 * <p>Before the parser runs, the text is scanned once, iteratively, for its nesting depth (the driver's decoder
 * recurses once per level, so a 10,000-level text would overflow the stack) and for number literals that would
 * silently become infinite ({@code 1e400}). After parsing, strings and keys holding a lone UTF-16 surrogate (which
 * has no UTF-8 form and would be stored changed) are rejected. Internal.
 */
public final class ExtendedJson {
    /**
     * Extra text levels allowed above a value's own nesting limit: extended JSON wrappers such as
     * {@code {"$date": {"$numberLong": "0"}}} are two levels of text that parse into one scalar.
     */
    public static final int WRAPPER_LEVELS = 2;

    private static final BsonValueCodec CODEC = new BsonValueCodec();
    private static final int SHOW = 40;

    private ExtendedJson() {
    }

    /**
     * Parses one JSON value (object, array or scalar) into BSON.
     *
     * @param text the JSON text
     * @param maxTextDepth the deepest nesting of {@code {}}, {@code []} and {@code ()} the text may have
     * @return the value
     * @throws InvalidArgumentException if the text is not one valid extended JSON value, nests too deeply, holds a
     *     number too large for a double or a lone surrogate; the message says where
     */
    public static BsonValue parse(String text, int maxTextDepth) {
        if (text == null) {
            throw new InvalidArgumentException("JSON text must not be null");
        }
        scan(text, maxTextDepth);
        BsonValue value;
        try {
            JsonReader reader = new JsonReader(text);
            reader.readBsonType();
            value = CODEC.decode(reader, DecoderContext.builder().build());
            BsonType after = reader.readBsonType();
            if (after != BsonType.END_OF_DOCUMENT) {
                throw new InvalidArgumentException("malformed JSON: unexpected text after the value");
            }
        } catch (JsonParseException | BsonInvalidOperationException | IllegalArgumentException e) {
            if (e instanceof InvalidArgumentException ours) {
                throw ours;
            }
            throw new InvalidArgumentException("malformed JSON: " + e.getMessage(), e);
        }
        String surrogate = loneSurrogate(value);
        if (surrogate != null) {
            throw new InvalidArgumentException("malformed JSON: " + surrogate);
        }
        return value;
    }

    /**
     * Parses one JSON value into the library's JSON-like values: maps (insertion-ordered), lists, strings,
     * {@code Integer}, {@code Long}, {@code Double}, {@code BigDecimal}, {@code Boolean}, null, {@code Instant}
     * ({@code $date}), {@code ObjectId} ({@code $oid}), {@code UUID} ({@code $uuid} or binary subtype 4) and
     * {@code byte[]} (binary subtype 0), exactly what {@code addDatum} stores.
     *
     * @param text the JSON text
     * @return the value, possibly null (JSON {@code null})
     * @throws InvalidArgumentException if the text is malformed (see {@link #parse}), nests more than
     *     {@link Values#MAX_DEPTH} levels, or holds an extended JSON type with no JSON-like form (regular
     *     expression, timestamp, JavaScript, min/max key, other binary subtypes)
     */
    public static @Nullable Object parseJsonLike(String text) {
        return toJsonLike(parse(text, Values.MAX_DEPTH + WRAPPER_LEVELS), "value");
    }

    /**
     * Converts a parsed value to the library's JSON-like values (see {@link #parseJsonLike}).
     *
     * @param value a BSON value of bounded depth (as {@link #parse} returns)
     * @param path where the value sits, for the message
     * @return the JSON-like value
     * @throws InvalidArgumentException if some part has no JSON-like form
     */
    public static @Nullable Object toJsonLike(BsonValue value, String path) {
        return switch (value.getBsonType()) {
            case DOCUMENT -> {
                Map<String, @Nullable Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, BsonValue> e : value.asDocument().entrySet()) {
                    map.put(e.getKey(), toJsonLike(e.getValue(), path + "." + e.getKey()));
                }
                yield Collections.unmodifiableMap(map);
            }
            case ARRAY -> {
                List<@Nullable Object> list = new ArrayList<>();
                for (BsonValue element : value.asArray()) {
                    list.add(toJsonLike(element, path + "[" + list.size() + "]"));
                }
                yield Collections.unmodifiableList(list);
            }
            case STRING -> value.asString().getValue();
            case INT32 -> value.asInt32().getValue();
            case INT64 -> value.asInt64().getValue();
            case DOUBLE -> value.asDouble().getValue();
            case DECIMAL128 -> decimal(value.asDecimal128().getValue());
            case BOOLEAN -> value.asBoolean().getValue();
            case NULL -> null;
            case DATE_TIME -> Instant.ofEpochMilli(value.asDateTime().getValue());
            case OBJECT_ID -> value.asObjectId().getValue();
            case BINARY -> binary(value.asBinary(), path);
            default -> throw new InvalidArgumentException(path + ": extended JSON type " + value.getBsonType()
                    + " has no JSON-like value (supported: objects, arrays, strings, numbers, booleans, null,"
                    + " $oid, $date, $numberLong, $numberDecimal, $binary, $uuid)");
        };
    }

    /** A decimal as a BigDecimal, except the values BigDecimal cannot hold (NaN, infinities, -0), kept as written. */
    private static Object decimal(Decimal128 decimal) {
        if (decimal.isNaN() || decimal.isInfinite()) {
            return decimal;
        }
        try {
            return decimal.bigDecimalValue();
        } catch (ArithmeticException negativeZero) {
            return decimal;
        }
    }

    private static Object binary(BsonBinary binary, String path) {
        if (binary.getType() == BsonBinarySubType.UUID_STANDARD.getValue()) {
            return binary.asUuid();
        }
        if (binary.getType() == BsonBinarySubType.BINARY.getValue()) {
            return binary.getData();
        }
        throw new InvalidArgumentException(path + ": binary subtype " + binary.getType()
                + " has no JSON-like value (use subtype 00 for bytes or $uuid)");
    }

    /** One pass over the text: nesting depth, balanced brackets, and number literals that overflow a double. */
    private static void scan(String text, int maxTextDepth) {
        int depth = 0;
        boolean sawValue = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                i = skipString(text, i, c);
                sawValue = true;
                continue;
            }
            if (c == '{' || c == '[' || c == '(') {
                if (++depth > maxTextDepth) {
                    throw new InvalidArgumentException("malformed JSON: nested more than " + maxTextDepth
                            + " levels deep at character " + i + " (the limit is MongoDB's " + Values.MAX_DEPTH
                            + " levels)");
                }
                sawValue = true;
            } else if (c == '}' || c == ']' || c == ')') {
                if (--depth < 0) {
                    throw new InvalidArgumentException("malformed JSON: unbalanced '" + c + "' at character " + i);
                }
            } else if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
                int end = i;
                while (end < n && "+-.0123456789eE".indexOf(text.charAt(end)) >= 0) {
                    end++;
                }
                checkNumber(text.substring(i, end), i);
                i = end;
                sawValue = true;
                continue;
            } else if (!Character.isWhitespace(c)) {
                sawValue = true;
            }
            i++;
        }
        if (depth != 0) {
            throw new InvalidArgumentException("malformed JSON: " + depth + " unclosed '{', '[' or '('");
        }
        if (!sawValue) {
            throw new InvalidArgumentException("malformed JSON: the text is empty");
        }
    }

    private static int skipString(String text, int start, char quote) {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new InvalidArgumentException("malformed JSON: unterminated string starting at character " + start);
    }

    private static void checkNumber(String token, int at) {
        if (token.indexOf('e') < 0 && token.indexOf('E') < 0 && token.indexOf('.') < 0) {
            return; // integers too large for a long are refused by the parser itself
        }
        double parsed;
        try {
            parsed = Double.parseDouble(token);
        } catch (NumberFormatException e) {
            return; // the parser reports it with its own message
        }
        if (Double.isInfinite(parsed)) {
            throw new InvalidArgumentException("malformed JSON: the number " + show(token) + " at character " + at
                    + " is too large for a double and would become Infinity; use {\"$numberDecimal\": \""
                    + show(token) + "\"} for a decimal");
        }
    }

    /** Finds a string or key holding a lone UTF-16 surrogate; the value's depth is bounded by the scan. */
    private static @Nullable String loneSurrogate(BsonValue root) {
        Deque<BsonValue> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            BsonValue value = pending.pop();
            if (value.isString() && hasLoneSurrogate(value.asString().getValue())) {
                return "the string " + show(value.asString().getValue())
                        + " holds a lone UTF-16 surrogate, which has no UTF-8 form";
            } else if (value.isDocument()) {
                for (Map.Entry<String, BsonValue> e : value.asDocument().entrySet()) {
                    if (hasLoneSurrogate(e.getKey())) {
                        return "the key " + show(e.getKey()) + " holds a lone UTF-16 surrogate, which has no UTF-8"
                                + " form";
                    }
                    pending.push(e.getValue());
                }
            } else if (value.isArray()) {
                value.asArray().forEach(pending::push);
            }
        }
        return null;
    }

    /**
     * Returns whether a string holds a surrogate that is not part of a pair.
     *
     * @param s the string
     * @return true if some high surrogate is not followed by a low one, or a low one is not preceded by a high one
     */
    public static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String show(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < SHOW; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append(s.length() > SHOW ? "...\"" : "\"").toString();
    }
}
