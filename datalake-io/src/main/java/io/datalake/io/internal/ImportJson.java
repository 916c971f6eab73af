package io.datalake.io.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.datalake.io.ImportFormatException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** JSON helpers of the imports: untrusted values converted to storable Java values, and canonical hashes. */
final class ImportJson {
    /**
     * Nesting accepted inside one value taken from an annotation file (a segmentation, an extra field), well
     * below MongoDB's 100 levels once it sits in a datum's {@code data}.
     */
    static final int MAX_VALUE_DEPTH = 32;

    /** Reads annotation files: a key given twice in one object is an error, not "last one wins". */
    static final ObjectMapper READER = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** Writes canonical JSON: map keys sorted, so equal values give equal text and equal hashes. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private ImportJson() {
    }

    /**
     * Converts a JSON value from an annotation file into a value a datum can store, checking what the lake would
     * refuse later (keys starting with {@code $} or holding {@code .} or NUL, lone surrogates, deep nesting) so
     * that the import fails before anything is written.
     *
     * @param node the value
     * @param file the annotation file (for the error)
     * @param field the value's field path (for the error)
     * @param line the entry's line, or -1
     * @param column the entry's column, or -1
     * @return a String, Long, Double, Boolean, List, Map or null
     * @throws ImportFormatException naming the field if the value cannot be stored
     */
    static @Nullable Object toJava(JsonNode node, Path file, String field, long line, long column) {
        return toJava(node, file, field, line, column, 0);
    }

    private static @Nullable Object toJava(JsonNode node, Path file, String field, long line, long column,
            int depth) {
        if (depth > MAX_VALUE_DEPTH) {
            throw new ImportFormatException(file, field, line, column, "nested deeper than " + MAX_VALUE_DEPTH
                    + " levels", null);
        }
        if (node.isObject()) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String path = field + "." + key;
                checkKey(key, file, path, line, column);
                map.put(key, toJava(e.getValue(), file, path, line, column, depth + 1));
            }
            return map;
        }
        if (node.isArray()) {
            List<@Nullable Object> list = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                list.add(toJava(node.get(i), file, field + "[" + i + "]", line, column, depth + 1));
            }
            return list;
        }
        if (node.isTextual()) {
            String text = node.textValue();
            if (hasLoneSurrogate(text)) {
                throw new ImportFormatException(file, field, line, column, "string holds a lone UTF-16 surrogate",
                        null);
            }
            return text;
        }
        if (node.isNumber()) {
            return number(node);
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNull() || node.isMissingNode()) {
            return null;
        }
        throw new ImportFormatException(file, field, line, column, "unsupported JSON value " + node.getNodeType(),
                null);
    }

    /**
     * Returns a JSON number as a Long when it is an integer that fits, else as a Double.
     *
     * @param node a number node
     * @return the number
     */
    static Number number(JsonNode node) {
        if (node.isIntegralNumber()) {
            BigInteger big = node.bigIntegerValue();
            if (big.bitLength() < 64) {
                return big.longValue();
            }
        }
        return node.doubleValue();
    }

    private static void checkKey(String key, Path file, String field, long line, long column) {
        if (key.startsWith("$") || key.indexOf('.') >= 0 || key.indexOf('\0') >= 0 || hasLoneSurrogate(key)) {
            throw new ImportFormatException(file, field, line, column, "key \"" + key.replace("\0", "\\u0000")
                    + "\" cannot be stored (a key must not start with $ or hold '.', NUL or a lone surrogate)", null);
        }
    }

    /**
     * Whether a string holds a UTF-16 surrogate without its pair (which JSON escapes can produce).
     *
     * @param s the string
     * @return true if it does
     */
    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return true;
            }
            if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes a value as canonical JSON (map keys sorted).
     *
     * @param value Java maps, lists, strings, numbers, booleans, null
     * @return the JSON text
     */
    static String canonical(@Nullable Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("import values are plain JSON values", e);
        }
    }

    /**
     * Returns the SHA-256 of a text's UTF-8 bytes.
     *
     * @param text the text
     * @return the lowercase hex digest
     */
    static String sha256(String text) {
        return HexFormat.of().formatHex(Digests.sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

}
