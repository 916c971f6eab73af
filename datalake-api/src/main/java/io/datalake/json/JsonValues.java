package io.datalake.json;

import io.datalake.InvalidArgumentException;
import io.datalake.internal.ExtendedJson;
import io.datalake.internal.Values;
import org.jspecify.annotations.Nullable;

/**
 * The library's JSON-like values (maps with string keys, lists, strings, {@code Integer}, {@code Long},
 * {@code Double}, {@code BigDecimal}, {@code Boolean}, null, {@code Instant}, {@code ObjectId}, {@code UUID},
 * {@code byte[]}): parsing them from MongoDB Extended JSON, checking that they can be stored unchanged, comparing
 * them. The lake applies the same checks when a datum is written; a tool (such as the command line) calls them first
 * to name the offending input before anything is written.
 */
public final class JsonValues {
    /**
     * The deepest nesting of documents and arrays a stored datum document may have (the document is level 1,
     * {@code data} and {@code metadata} are level 2): MongoDB's own limit of 100 levels, checked on the client.
     */
    public static final int MAX_DEPTH = Values.MAX_DEPTH;

    /** The nesting level of the {@code data} and {@code metadata} fields inside a stored datum document. */
    public static final int FIELD_DEPTH = 2;

    private JsonValues() {
    }

    /**
     * Parses one Extended JSON value (relaxed or canonical: {@code $oid}, {@code $date}, {@code $numberLong},
     * {@code $numberDecimal}, {@code $binary}, {@code $uuid}, ...) into JSON-like values, exactly what
     * {@code addDatum} stores.
     *
     * @param text the JSON text
     * @return the value: an insertion-ordered unmodifiable map or list, a scalar, or null for JSON {@code null}
     * @throws InvalidArgumentException if the text is not one valid Extended JSON value, nests more than
     *     {@link #MAX_DEPTH} levels, holds a number too large for a double or a lone UTF-16 surrogate, or holds a
     *     type with no JSON-like form (regular expression, timestamp, JavaScript, min/max key, other binary subtypes)
     */
    public static @Nullable Object parseExtendedJson(String text) {
        return parseExtendedJson(text, "value");
    }

    /**
     * Parses one Extended JSON value as {@link #parseExtendedJson(String)} does, naming the value {@code what} in
     * the paths of errors (for example {@code "--metadata"} gives {@code "--metadata.a: ..."}).
     *
     * @param text the JSON text
     * @param what the name of the value, the root of the paths in error messages
     * @return the value
     * @throws InvalidArgumentException as {@link #parseExtendedJson(String)} does
     */
    public static @Nullable Object parseExtendedJson(String text, String what) {
        return ExtendedJson.toJsonLike(ExtendedJson.parse(text, Values.MAX_DEPTH + ExtendedJson.WRAPPER_LEVELS),
                what);
    }

    /**
     * Checks that a value can be stored as {@code data} or {@code metadata} unchanged: nesting of at most
     * {@link #MAX_DEPTH} levels counted from {@code depth}, no self-reference, map keys that are strings without NUL,
     * not starting with {@code $} and without {@code .}, and no lone UTF-16 surrogate. Iterative, so any depth of
     * input is safe.
     *
     * @param value the value
     * @param path the name of the value in the message, for example {@code "data"}
     * @param depth the nesting level of the value itself ({@link #FIELD_DEPTH} for {@code data} and
     *     {@code metadata})
     * @return null if the value can be stored, else a message naming the (shortened) path and the problem
     */
    public static @Nullable String storableProblem(@Nullable Object value, String path, int depth) {
        return Values.nestingProblem(value, path, depth, Values.Keys.STORED);
    }

    /**
     * Deep equality of JSON-like values: byte arrays compare by content, maps and lists element by element.
     *
     * @param a one value
     * @param b the other value
     * @return true when both are deeply equal
     */
    public static boolean deepEquals(@Nullable Object a, @Nullable Object b) {
        return Values.deepEquals(a, b);
    }
}
