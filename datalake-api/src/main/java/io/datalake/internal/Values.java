package io.datalake.internal;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/** Helpers over JSON-like values. Internal. */
public final class Values {
    /**
     * The deepest nesting of documents and arrays accepted anywhere: in a stored datum document (the document itself
     * is level 1, {@code data} and {@code metadata} are level 2), and in a query filter (the filter document is
     * level 1). MongoDB documents this same limit of 100 levels for BSON documents; checking it on the client, and
     * iteratively, means a deeply nested or self-referencing value gets a typed error instead of a
     * {@code StackOverflowError} in an encoder.
     */
    public static final int MAX_DEPTH = 100;

    /** How keys are checked by {@link #nestingProblem}. */
    public enum Keys {
        /**
         * Keys of stored values ({@code data}, {@code metadata}): strings without NUL (BSON cannot encode it), not
         * starting with {@code $} (reserved for operators and extended JSON) and without {@code .} (a dotted query
         * path could never reach the field).
         */
        STORED,
        /** Keys of a query filter: strings without NUL; {@code $} operators and dotted paths are the syntax. */
        QUERY
    }

    private static final String LONE_SURROGATE = "holds a lone UTF-16 surrogate, which has no UTF-8 form and would be"
            + " stored changed";
    private static final int ABBREVIATE_AT = 120;
    private static final int PATH_HEAD = 60;
    private static final int PATH_TAIL = 40;

    private Values() {
    }

    /**
     * Deep equality over JSON-like values where byte arrays compare by content and maps and lists element-wise.
     *
     * @param a one value
     * @param b the other value
     * @return true when both are deeply equal
     */
    public static boolean deepEquals(@Nullable Object a, @Nullable Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof byte[] && b instanceof byte[]) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        if (a instanceof Map && b instanceof Map) {
            Map<?, ?> ma = (Map<?, ?>) a;
            Map<?, ?> mb = (Map<?, ?>) b;
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !deepEquals(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List && b instanceof List) {
            List<?> la = (List<?>) a;
            List<?> lb = (List<?>) b;
            if (la.size() != lb.size()) {
                return false;
            }
            Iterator<?> ia = la.iterator();
            Iterator<?> ib = lb.iterator();
            while (ia.hasNext()) {
                if (!deepEquals(ia.next(), ib.next())) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    /**
     * Checks, without recursion, that a JSON-like value nests at most {@link #MAX_DEPTH} levels, refers to itself
     * nowhere and has only allowed keys. Only maps, collections and object arrays are walked; everything else is a
     * leaf (the converters judge leaves).
     *
     * @param value the value
     * @param path where the value sits, e.g. {@code "data"}; used in the message
     * @param depth the nesting level of {@code value} itself if it is a map or list (2 for {@code data})
     * @param keys which keys are allowed
     * @return null when the value is fine, else a message naming the (shortened) path and the problem
     */
    public static @Nullable String nestingProblem(@Nullable Object value, String path, int depth, Keys keys) {
        if (value instanceof String && ExtendedJson.hasLoneSurrogate((String) value)) {
            return path + ": " + LONE_SURROGATE;
        }
        if (value == null || !isContainer(value)) {
            return null;
        }
        // One frame per open container: the iterator over its children and the path segment that led to it.
        Deque<Frame> stack = new ArrayDeque<>();
        Set<Object> open = Collections.newSetFromMap(new IdentityHashMap<>());
        Frame root = Frame.of(value, path);
        stack.push(root);
        open.add(value);
        if (depth > MAX_DEPTH) {
            return pathOf(stack) + ": nested more than " + MAX_DEPTH + " levels deep (MongoDB's limit)";
        }
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            if (!frame.children.hasNext()) {
                stack.pop();
                open.remove(frame.container);
                continue;
            }
            Object child;
            String segment;
            if (frame.container instanceof Map) {
                Map.Entry<?, ?> entry = (Map.Entry<?, ?>) frame.children.next();
                String problem = keyProblem(entry.getKey(), keys);
                if (problem != null) {
                    return pathOf(stack) + ": " + problem;
                }
                child = entry.getValue();
                segment = "." + entry.getKey();
            } else {
                child = frame.children.next();
                segment = "[" + frame.index++ + "]";
            }
            if (child instanceof String && ExtendedJson.hasLoneSurrogate((String) child)) {
                stack.push(Frame.of(List.of(), segment));
                return pathOf(stack) + ": " + LONE_SURROGATE;
            }
            if (!isContainer(child)) {
                continue;
            }
            if (!open.add(child)) {
                stack.push(Frame.of(child, segment));
                return pathOf(stack) + ": refers to itself (a map or list that contains itself cannot be stored)";
            }
            stack.push(Frame.of(child, segment));
            if (depth + stack.size() - 1 > MAX_DEPTH) {
                return pathOf(stack) + ": nested more than " + MAX_DEPTH + " levels deep (MongoDB's limit)";
            }
        }
        return null;
    }

    /**
     * Checks, without recursion, that a BSON value nests at most {@link #MAX_DEPTH} levels and has no key holding
     * NUL (which BSON cannot encode).
     *
     * @param value the value, e.g. a parsed query level
     * @param path where the value sits; used in the message
     * @param depth the nesting level of {@code value} itself if it is a document or array
     * @return null when the value is fine, else a message naming the (shortened) path and the problem
     */
    public static @Nullable String bsonNestingProblem(BsonValue value, String path, int depth) {
        if (value.isString() && ExtendedJson.hasLoneSurrogate(value.asString().getValue())) {
            return path + ": " + LONE_SURROGATE;
        }
        if (!value.isDocument() && !value.isArray()) {
            return null;
        }
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(Frame.ofBson(value, path));
        if (depth > MAX_DEPTH) {
            return pathOf(stack) + ": nested more than " + MAX_DEPTH + " levels deep (MongoDB's limit)";
        }
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            if (!frame.children.hasNext()) {
                stack.pop();
                continue;
            }
            BsonValue child;
            String segment;
            if (frame.container instanceof Map) {
                @SuppressWarnings("unchecked")
                Map.Entry<String, BsonValue> entry = (Map.Entry<String, BsonValue>) frame.children.next();
                String problem = keyProblem(entry.getKey(), Keys.QUERY);
                if (problem != null) {
                    return pathOf(stack) + ": " + problem;
                }
                child = entry.getValue();
                segment = "." + entry.getKey();
            } else {
                child = (BsonValue) frame.children.next();
                segment = "[" + frame.index++ + "]";
            }
            if (child.isString() && ExtendedJson.hasLoneSurrogate(child.asString().getValue())) {
                stack.push(Frame.ofBson(new org.bson.BsonArray(), segment));
                return pathOf(stack) + ": " + LONE_SURROGATE;
            }
            if (child.isDocument() || child.isArray()) {
                stack.push(Frame.ofBson(child, segment));
                if (depth + stack.size() - 1 > MAX_DEPTH) {
                    return pathOf(stack) + ": nested more than " + MAX_DEPTH + " levels deep (MongoDB's limit)";
                }
            }
        }
        return null;
    }

    /**
     * Returns what is wrong with a map key, or null if it may be used.
     *
     * @param key the key
     * @param keys which keys are allowed
     * @return the problem, naming the key, or null
     */
    public static @Nullable String keyProblem(@Nullable Object key, Keys keys) {
        if (!(key instanceof String)) {
            return "map keys must be strings, got " + (key == null ? "null" : key.getClass().getName() + " " + key);
        }
        String k = (String) key;
        if (ExtendedJson.hasLoneSurrogate(k)) {
            return "key " + quote(k) + " " + LONE_SURROGATE;
        }
        if (k.indexOf('\0') >= 0) {
            return "key " + quote(k) + " contains the NUL character, which MongoDB cannot store in a field name";
        }
        if (keys == Keys.STORED && k.startsWith("$")) {
            return "key " + quote(k) + " starts with '$', which this lake reserves for query operators and"
                    + " extended JSON";
        }
        if (keys == Keys.STORED && k.indexOf('.') >= 0) {
            return "key " + quote(k) + " contains '.', so no query path could reach it (paths use '.' between"
                    + " keys)";
        }
        return null;
    }

    private static String quote(String key) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < key.length() && out.length() < ABBREVIATE_AT; i++) {
            char c = key.charAt(i);
            out.append(c < 0x20 || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append('"').toString();
    }

    private static boolean isContainer(@Nullable Object value) {
        return value instanceof Map || value instanceof Collection || value instanceof Object[];
    }

    /** The path of the innermost frame, shortened in the middle when long (deep nesting repeats itself). */
    private static String pathOf(Deque<Frame> stack) {
        StringBuilder path = new StringBuilder();
        Iterator<Frame> outerFirst = stack.descendingIterator();
        while (outerFirst.hasNext()) {
            path.append(outerFirst.next().segment);
        }
        if (path.length() <= PATH_HEAD + PATH_TAIL + 3) {
            return path.toString();
        }
        return path.substring(0, PATH_HEAD) + "..." + path.substring(path.length() - PATH_TAIL);
    }

    /** An open container of the walk. */
    private static final class Frame {
        final Object container;
        final Iterator<?> children;
        final String segment;
        int index;

        private Frame(Object container, Iterator<?> children, String segment) {
            this.container = container;
            this.children = children;
            this.segment = segment;
        }

        static Frame of(Object container, String segment) {
            Iterator<?> children = container instanceof Map ? ((Map<?, ?>) container).entrySet().iterator()
                    : container instanceof Collection ? ((Collection<?>) container).iterator()
                    : Arrays.asList((Object[]) container).iterator();
            return new Frame(container, children, segment);
        }

        static Frame ofBson(BsonValue value, String segment) {
            return value.isDocument()
                    ? new Frame(value.asDocument(), value.asDocument().entrySet().iterator(), segment)
                    : new Frame(value.asArray(), value.asArray().iterator(), segment);
        }
    }

    /**
     * Returns a short printable form of a value for {@code toString} and error messages.
     *
     * @param value any value
     * @return at most about 120 characters
     */
    public static String abbreviate(@Nullable Object value) {
        String s = value instanceof byte[] ? "byte[" + ((byte[]) value).length + "]" : String.valueOf(value);
        return s.length() <= ABBREVIATE_AT ? s : s.substring(0, ABBREVIATE_AT) + "...";
    }
}
