package io.datalake.mongo.internal.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bson.types.Binary;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The JSON document a schema sees for a datum: {@code {"data": <data>, "metadata": {...}}}. Values that JSON has no
 * type for appear as strings: an {@code ObjectId} as its 24 hex digits, a date ({@code Instant}, {@code Date}) as
 * ISO-8601 UTC ({@code 2024-05-01T12:00:00Z}), a {@code UUID} in its canonical form, bytes nested in a value as
 * base64; {@code Decimal128}/{@code BigDecimal} are numbers. Binary data at the top ({@code byte[]}, streams,
 * files: a payload that is not JSON) is not part of the view: {@code data} is then absent, so a schema can
 * constrain the metadata of such datums. Both the write path (the values the caller passed, converted for
 * storage) and the check of stored datums (the values read back) build the view here, so they agree.
 */
public final class JsonViews {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper POJOS = new ObjectMapper();

    private JsonViews() {
    }

    /**
     * Tells whether a datum's data is part of its view: everything but top-level binary data.
     *
     * @param data the data as passed or as stored
     * @return false for bytes, byte buffers, streams and files
     */
    public static boolean dataInView(@Nullable Object data) {
        return !(data instanceof byte[] || data instanceof Binary || data instanceof ByteBuffer
                || data instanceof InputStream || data instanceof Path || data instanceof File);
    }

    /**
     * Reads the value at a path of the view without building it.
     *
     * @param path the kind selector's segments, e.g. {@code [metadata, kind]}
     * @param data the data (ignored unless in the view)
     * @param hasData whether the data is part of the view
     * @param metadata the metadata
     * @return the string found there, or null when the path is missing or not a string
     */
    public static @Nullable String select(List<String> path, @Nullable Object data, boolean hasData,
            Map<String, ? extends @Nullable Object> metadata) {
        Object at;
        if (path.get(0).equals("data")) {
            if (!hasData) {
                return null;
            }
            at = data;
        } else {
            at = metadata;
        }
        for (int i = 1; i < path.size(); i++) {
            if (!(at instanceof Map<?, ?> map)) {
                return null;
            }
            at = map.get(path.get(i));
        }
        return at instanceof String s ? s : null;
    }

    /**
     * Builds the view of a datum.
     *
     * @param data the data
     * @param hasData whether the data is part of the view
     * @param metadata the metadata
     * @return {@code {"data": ..., "metadata": ...}}, without {@code data} when it is not part of the view
     */
    public static ObjectNode view(@Nullable Object data, boolean hasData,
            Map<String, ? extends @Nullable Object> metadata) {
        ObjectNode view = NODES.objectNode();
        if (hasData) {
            view.set("data", node(data));
        }
        view.set("metadata", node(metadata));
        return view;
    }

    /** One value as JSON; iterative depth is bounded by the lake's nesting limit on stored values. */
    static JsonNode node(@Nullable Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return NODES.numberNode(((Number) value).intValue());
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Double || value instanceof Float) {
            return NODES.numberNode(((Number) value).doubleValue());
        }
        if (value instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (value instanceof BigInteger i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Decimal128 d) {
            return d.isNaN() || d.isInfinite() ? NODES.textNode(d.toString()) : NODES.numberNode(d.bigDecimalValue());
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((k, v) -> object.set(String.valueOf(k), node(v)));
            return object;
        }
        if (value instanceof Collection<?> items) {
            ArrayNode array = NODES.arrayNode(items.size());
            for (Object item : items) {
                array.add(node(item));
            }
            return array;
        }
        if (value instanceof Object[] items) {
            return node(Arrays.asList(items));
        }
        if (value instanceof ObjectId id) {
            return NODES.textNode(id.toHexString());
        }
        if (value instanceof Instant instant) {
            return NODES.textNode(instant.toString());
        }
        if (value instanceof Date date) {
            return NODES.textNode(date.toInstant().toString());
        }
        if (value instanceof UUID uuid) {
            return NODES.textNode(uuid.toString());
        }
        if (value instanceof byte[] bytes) {
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (value instanceof Binary binary) {
            return NODES.textNode(Base64.getEncoder().encodeToString(binary.getData()));
        }
        // A registry payload may be any object; it is stored as the JSON Jackson writes for it.
        return POJOS.valueToTree(value);
    }
}
