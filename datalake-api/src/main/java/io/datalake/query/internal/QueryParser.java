package io.datalake.query.internal;

import io.datalake.InvalidArgumentException;
import io.datalake.InvalidQueryException;
import io.datalake.internal.ExtendedJson;
import io.datalake.internal.Values;
import io.datalake.query.QueryLevel;
import io.datalake.query.Strategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.BsonDocument;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonSerializationException;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.codecs.configuration.CodecConfigurationException;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * Turns the three input forms of a query (JSON text, maps, builder documents) into structurally validated
 * {@link QueryLevel}s: columns, strategies, {@code derived_from} references, reserved keys, nesting. Every form goes
 * through {@link #levels(List)}, so they mean exactly the same thing. The MongoDB operators inside the filters are
 * the query engine's concern: it checks them when it plans the query, before any I/O.
 */
public final class QueryParser {
    /** Reserved key: the output name of a level. */
    public static final String COLUMN = "column";
    /** Reserved key: the level's strategy. */
    public static final String STRATEGY = "strategy";
    /** Reserved key on derived levels: the referenced column; on the base level an ordinary filter field. */
    public static final String DERIVED_FROM = "derived_from";

    private static final String STRATEGY_NAMES = Stream.of(Strategy.values())
            .map(Strategy::wireName).collect(Collectors.joining(", "));

    private QueryParser() {
    }

    /**
     * Parses query JSON: a list of level objects, or a single level object (a base-only query), in MongoDB
     * extended JSON (so {@code {"$oid": ...}} and {@code {"$date": ...}} values work).
     *
     * @param json the text
     * @return the validated levels
     * @throws InvalidQueryException if the text is not valid JSON of that shape or the query is invalid
     */
    public static List<QueryLevel> parseJson(String json) {
        if (json == null) {
            throw new InvalidQueryException("query JSON must not be null");
        }
        BsonValue parsed;
        try {
            // The list of levels is one text level above the level documents.
            parsed = ExtendedJson.parse(json, Values.MAX_DEPTH + 1 + ExtendedJson.WRAPPER_LEVELS);
        } catch (InvalidQueryException e) {
            throw e;
        } catch (InvalidArgumentException e) {
            throw new InvalidQueryException("malformed query JSON: " + String.valueOf(e.getMessage()).replaceFirst(
                    "^malformed JSON: ", ""), e);
        }
        if (parsed.isArray()) {
            return levelsFromValues(new ArrayList<>(parsed.asArray().getValues()));
        }
        if (parsed.isDocument()) {
            return levels(List.of(parsed.asDocument()));
        }
        throw new InvalidQueryException("malformed query JSON: expected a list of level objects, got "
                + abbreviate(json.strip()));
    }

    /**
     * Converts levels given as maps of JSON-like or BSON values (String, Number, Boolean, List, Map, ObjectId,
     * Date, Instant, Pattern, ...).
     *
     * @param maps one map per level
     * @return the validated levels
     * @throws InvalidQueryException if a value cannot be expressed in BSON or the query is invalid
     */
    public static List<QueryLevel> parseMaps(List<? extends Map<String, ?>> maps) {
        if (maps == null) {
            throw new InvalidQueryException("query must not be null");
        }
        List<BsonDocument> docs = new ArrayList<>(maps.size());
        for (int i = 0; i < maps.size(); i++) {
            Map<String, ?> map = maps.get(i);
            if (map == null) {
                throw new InvalidQueryException("level " + i + ": must be an object, got null");
            }
            // Checked before the codec walks it: the codec recurses once per level.
            String problem = Values.nestingProblem(map, "level " + i, 1, Values.Keys.QUERY);
            if (problem != null) {
                throw new InvalidQueryException(problem);
            }
            docs.add(toBsonDocument(i, new Document(copyOf(map))));
        }
        return levels(docs);
    }

    /**
     * Converts a driver filter (for example built with {@code com.mongodb.client.model.Filters}) to a document.
     *
     * @param level the level index, named in errors
     * @param filter the filter, or null for "match everything"
     * @return the filter as a document
     * @throws InvalidQueryException if the filter cannot be encoded or uses a reserved key
     */
    public static BsonDocument builderFilter(int level, @Nullable Bson filter) {
        BsonDocument doc = filter == null ? new BsonDocument() : toBsonDocument(level, filter);
        for (String reserved : List.of(COLUMN, STRATEGY, DERIVED_FROM)) {
            if (doc.containsKey(reserved) && !(level == 0 && reserved.equals(DERIVED_FROM))) {
                throw new InvalidQueryException("level " + level + ": the filter uses the reserved key " + reserved
                        + "; pass it as an argument of the builder instead");
            }
        }
        return doc;
    }

    private static BsonDocument toBsonDocument(int level, Bson bson) {
        try {
            // Some Bson implementations encode lazily (Document's wrapper): copying forces the encoding here, so
            // a bad value fails now, and later changes to the caller's object cannot alter the query.
            return bson.toBsonDocument().clone();
        } catch (CodecConfigurationException | IllegalArgumentException | BsonInvalidOperationException
                | BsonSerializationException e) {
            throw new InvalidQueryException("level " + level + ": a filter value cannot be stored in BSON: "
                    + e.getMessage(), e);
        } catch (StackOverflowError e) {
            // A caller's own Bson implementation can only be checked by encoding it; maps are checked before.
            throw new InvalidQueryException("level " + level + ": the filter is nested too deeply or refers to"
                    + " itself (the limit is " + Values.MAX_DEPTH + " levels)");
        }
    }

    private static Map<String, Object> copyOf(Map<String, ?> map) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, ?> e : map.entrySet()) {
            copy.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    private static List<QueryLevel> levelsFromValues(List<BsonValue> raw) {
        List<BsonDocument> docs = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            BsonValue value = raw.get(i);
            if (!value.isDocument()) {
                throw new InvalidQueryException("level " + i + ": must be an object, got "
                        + describe(value));
            }
            docs.add(value.asDocument());
        }
        return levels(docs);
    }

    /**
     * Validates raw level documents (reserved keys plus filter) and splits them into levels.
     *
     * @param raw one document per level
     * @return the levels
     * @throws InvalidQueryException naming the level index and the offending key or value
     */
    public static List<QueryLevel> levels(List<BsonDocument> raw) {
        if (raw.isEmpty()) {
            throw new InvalidQueryException("query has no levels: it needs at least a base level");
        }
        Map<String, Integer> columnLevel = new HashMap<>();
        Map<String, Strategy> columnStrategy = new HashMap<>();
        List<QueryLevel> levels = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            // Before anything walks the level recursively (clone, validation, encoding).
            String problem = Values.bsonNestingProblem(raw.get(i), "level " + i, 1);
            if (problem != null) {
                throw new InvalidQueryException(problem);
            }
        }
        for (int i = 0; i < raw.size(); i++) {
            BsonDocument filter = raw.get(i).clone();
            String column = column(i, filter.remove(COLUMN));
            Strategy strategy = strategy(i, filter.remove(STRATEGY));
            Integer previous = columnLevel.putIfAbsent(column, i);
            if (previous != null) {
                throw new InvalidQueryException("level " + i + ": duplicate column '" + column
                        + "' (already used by level " + previous + ")");
            }
            columnStrategy.put(column, strategy);
            String derivedFrom = null;
            if (i == 0) {
                if (strategy == Strategy.MISSING) {
                    throw new InvalidQueryException("level 0: strategy missing is not allowed on the base level");
                }
                BsonValue base = filter.get(DERIVED_FROM);
                if (base != null && base.isString()) {
                    throw new InvalidQueryException("level 0: derived_from '" + base.asString().getValue()
                            + "' names a column, but the base level has no earlier column to derive from");
                }
            } else {
                derivedFrom = derivedFrom(i, filter.remove(DERIVED_FROM), raw, columnLevel, columnStrategy);
            }
            levels.add(new QueryLevel(i, column, strategy, derivedFrom, filter));
        }
        return levels;
    }

    private static String column(int level, BsonValue value) {
        if (value == null) {
            throw new InvalidQueryException("level " + level + ": missing required key column");
        }
        if (!value.isString() || value.asString().getValue().isEmpty()) {
            throw new InvalidQueryException("level " + level + ": column must be a non-empty string, got "
                    + describe(value));
        }
        return value.asString().getValue();
    }

    private static Strategy strategy(int level, BsonValue value) {
        if (value == null) {
            return Strategy.DEFAULT;
        }
        if (!value.isString()) {
            throw new InvalidQueryException("level " + level + ": strategy must be a string, got "
                    + describe(value));
        }
        String name = value.asString().getValue();
        Optional<Strategy> strategy = Strategy.fromWireName(name);
        if (strategy.isEmpty()) {
            throw new InvalidQueryException("level " + level + ": unknown strategy '" + name
                    + "' (expected one of " + STRATEGY_NAMES + ")");
        }
        return strategy.get();
    }

    private static String derivedFrom(int level, BsonValue value, List<BsonDocument> raw,
            Map<String, Integer> columnLevel, Map<String, Strategy> columnStrategy) {
        if (value == null) {
            throw new InvalidQueryException("level " + level
                    + ": missing required key derived_from (the name of an earlier column)");
        }
        if (!value.isString()) {
            throw new InvalidQueryException("level " + level + ": derived_from must name an earlier column, got "
                    + describe(value));
        }
        String name = value.asString().getValue();
        Integer referenced = columnLevel.get(name);
        if (referenced == null) {
            for (int j = level + 1; j < raw.size(); j++) {
                BsonValue later = raw.get(j).get(COLUMN);
                if (later != null && later.isString() && later.asString().getValue().equals(name)) {
                    throw new InvalidQueryException("level " + level + ": derived_from '" + name
                            + "' names the column of the later level " + j + "; only earlier columns can be used");
                }
            }
            throw new InvalidQueryException("level " + level + ": derived_from '" + name + "' names no column");
        }
        if (referenced == level) {
            throw new InvalidQueryException("level " + level + ": derived_from '" + name
                    + "' names this level's own column");
        }
        if (columnStrategy.get(name) == Strategy.MISSING) {
            throw new InvalidQueryException("level " + level + ": derived_from '" + name + "' names the column of level "
                    + referenced + ", whose strategy is missing, so it holds no datum");
        }
        return name;
    }

    /** A value as short relaxed JSON for messages. */
    private static String describe(BsonValue value) {
        String json = value.isDocument() ? value.asDocument().toJson()
                : new BsonDocument("v", value).toJson().replaceFirst("^\\{\"v\": ", "").replaceFirst("}$", "");
        return json.length() > 80 ? json.substring(0, 77) + "..." : json;
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
