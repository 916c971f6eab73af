package io.datalake.query;

import io.datalake.InvalidQueryException;
import io.datalake.query.internal.QueryParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.conversions.Bson;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.jspecify.annotations.Nullable;

/**
 * A validated multi-level query: level 0 (the base) yields one row per matching datum, and each later level picks,
 * for each row, one child (by {@code derived_from}) of the datum picked in an earlier column. Each level is a
 * MongoDB filter plus the reserved keys {@code column}, {@code strategy} and, on derived levels,
 * {@code derived_from}; see {@link Strategy} for the strategies.
 *
 * <p>The same query can be written three ways, all producing equal {@code Query} objects:
 * <pre>{@code
 * Query.fromJson("""
 *     [{"column": "image", "metadata.project": "cv"},
 *      {"column": "label", "derived_from": "image", "data.type": "classification", "strategy": "latest"}]""");
 *
 * Query.fromMaps(List.of(
 *     Map.of("column", "image", "metadata.project", "cv"),
 *     Map.of("column", "label", "derived_from", "image", "data.type", "classification", "strategy", "latest")));
 *
 * Query.builder()
 *     .base("image", Filters.eq("metadata.project", "cv"))
 *     .derived("label", "image", Filters.eq("data.type", "classification"), Strategy.LATEST)
 *     .build();
 * }</pre>
 *
 * <p>Every factory validates the query's structure before returning (levels, columns, strategies, {@code derived_from}
 * references, reserved keys, nesting, values BSON can hold), so a {@code Query} instance is always well formed. What
 * the filters ask of MongoDB (known operators in their positions, no server-side JavaScript, no certainly invalid or
 * catastrophic regular expression) is checked by the query engine when the query is planned, before any I/O: running
 * or explaining a query fails with {@link InvalidQueryException} for those, and nothing reaches the server.
 * Immutable and thread-safe.
 */
public final class Query {
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private final List<QueryLevel> levels;

    private Query(List<QueryLevel> levels) {
        this.levels = Collections.unmodifiableList(new ArrayList<>(levels));
    }

    /**
     * Parses a query written in JSON, exactly as for the Mindtrace Python datalake: a list of level objects, or a
     * single level object for a base-only query. The text is read by the MongoDB driver's extended JSON parser, so
     * values may use its relaxed and canonical forms: {@code {"$oid": "..."}},
     * {@code {"$date": "2024-01-01T00:00:00Z"}} or {@code {"$date": 1704067200000}}, {@code {"$numberLong": "5"}},
     * {@code {"$numberDecimal": "1.5"}}, {@code {"$binary": {"base64": "...", "subType": "00"}}},
     * {@code {"$uuid": "..."}}.
     *
     * <p>Refused before anything else walks the text: nesting deeper than MongoDB's 100 levels (checked without
     * recursion, so a 10,000-level text is an ordinary error), text after the value, a number literal too large for
     * a double ({@code 1e400}, which would silently become Infinity), a lone UTF-16 surrogate in a string or key,
     * and a NUL character in a key.
     *
     * @param json the query text
     * @return the validated query
     * @throws InvalidQueryException if the JSON is malformed or the query is invalid; the message names the level
     *     index and the offending key or value
     */
    public static Query fromJson(String json) {
        return new Query(QueryParser.parseJson(json));
    }

    /**
     * Builds a query from one map per level, holding JSON-like or BSON values (String, Number, Boolean, List, Map,
     * ObjectId, Date, Instant, Pattern, ...).
     *
     * @param levels the levels, base first
     * @return the validated query
     * @throws InvalidQueryException if the query is invalid, a value cannot be expressed in BSON, a level nests
     *     more than 100 levels or refers to itself, or a key holds NUL; the message names the path
     */
    public static Query fromMaps(List<? extends Map<String, ?>> levels) {
        return new Query(QueryParser.parseMaps(levels));
    }

    /**
     * Starts a fluent query whose filters are the driver's {@link Bson} filters (for example
     * {@code com.mongodb.client.model.Filters}).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the levels, base first.
     *
     * @return an unmodifiable list with at least one level
     */
    public List<QueryLevel> levels() {
        return levels;
    }

    /**
     * Returns the base level.
     *
     * @return level 0
     */
    public QueryLevel base() {
        return levels.get(0);
    }

    /**
     * Returns the columns every result row holds, in query order: every level's column except those of
     * {@link Strategy#MISSING} levels.
     *
     * @return an unmodifiable list of column names
     */
    public List<String> outputColumns() {
        List<String> columns = new ArrayList<>(levels.size());
        for (QueryLevel level : levels) {
            if (level.isOutput()) {
                columns.add(level.column());
            }
        }
        return Collections.unmodifiableList(columns);
    }

    /**
     * Returns the level that outputs the given column.
     *
     * @param column a column name
     * @return the level's index, or -1 if no level has that column
     */
    public int levelOf(String column) {
        for (QueryLevel level : levels) {
            if (level.column().equals(column)) {
                return level.index();
            }
        }
        return -1;
    }

    /**
     * Returns the query as JSON in the syntax {@link #fromJson(String)} accepts (relaxed extended JSON), so it can
     * be stored, shown or sent to a Python client.
     *
     * @return the JSON text of the list of levels
     */
    public String toJson() {
        BsonArray array = new BsonArray();
        for (QueryLevel level : levels) {
            array.add(level.toBsonDocument());
        }
        String body = new BsonDocument("q", array).toJson(JSON);
        // The writer only serializes documents; strip the wrapper to get the bare list.
        return body.substring(body.indexOf('['), body.lastIndexOf(']') + 1);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return this == o || (o instanceof Query && levels.equals(((Query) o).levels));
    }

    @Override
    public int hashCode() {
        return levels.hashCode();
    }

    @Override
    public String toString() {
        return "Query" + toJson();
    }

    /**
     * Fluent builder of a {@link Query}: call one of the {@code base} methods first, then add derived levels in
     * order. Filters may be null to match every datum; they must not use the reserved keys (pass those as
     * arguments). A filter that cannot be encoded or uses a reserved key fails with {@link InvalidQueryException}
     * when it is added; everything else is validated in {@link #build()}.
     */
    public static final class Builder {
        private final List<BsonDocument> raw = new ArrayList<>();
        private final List<Boolean> addedAsBase = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds the base level, ordered newest first.
         *
         * @param column the output column name
         * @param filter the base datums' filter, or null for all datums
         * @return this builder
         */
        public Builder base(String column, @Nullable Bson filter) {
            return base(column, filter, Strategy.DEFAULT);
        }

        /**
         * Adds the base level with an explicit order.
         *
         * @param column the output column name
         * @param filter the base datums' filter, or null for all datums
         * @param order {@link Strategy#LATEST}, {@link Strategy#EARLIEST}, {@link Strategy#RANDOM} or
         *     {@link Strategy#QUICKEST}
         * @return this builder
         */
        public Builder base(String column, @Nullable Bson filter, Strategy order) {
            return add(column, null, filter, order);
        }

        /**
         * Adds a derived level that picks the latest matching child.
         *
         * @param column the output column name
         * @param derivedFrom an earlier column whose picked datum is the parent
         * @param filter the children's filter, or null for all children
         * @return this builder
         */
        public Builder derived(String column, String derivedFrom, @Nullable Bson filter) {
            return derived(column, derivedFrom, filter, Strategy.DEFAULT);
        }

        /**
         * Adds a derived level.
         *
         * @param column the output column name
         * @param derivedFrom an earlier column whose picked datum is the parent
         * @param filter the children's filter, or null for all children
         * @param strategy how to pick among the matching children
         * @return this builder
         */
        public Builder derived(String column, String derivedFrom, @Nullable Bson filter, Strategy strategy) {
            if (derivedFrom == null) {
                throw new InvalidQueryException("level " + raw.size() + ": derivedFrom must name an earlier column,"
                        + " got null");
            }
            return add(column, derivedFrom, filter, strategy);
        }

        /**
         * Adds a {@link Strategy#MISSING} level: rows are kept only when the parent has no matching child. The
         * column is not output and cannot be referenced.
         *
         * @param column a name for the level (used in errors and plans)
         * @param derivedFrom an earlier column whose picked datum is the parent
         * @param filter the children's filter, or null for any child
         * @return this builder
         */
        public Builder missing(String column, String derivedFrom, @Nullable Bson filter) {
            return derived(column, derivedFrom, filter, Strategy.MISSING);
        }

        private Builder add(String column, @Nullable String derivedFrom, @Nullable Bson filter, Strategy strategy) {
            int index = raw.size();
            BsonDocument level = new BsonDocument();
            if (column == null || strategy == null) {
                throw new InvalidQueryException("level " + index + ": " + (column == null ? "column" : "strategy")
                        + " must not be null");
            }
            level.append(QueryParser.COLUMN, new BsonString(column));
            level.append(QueryParser.STRATEGY, new BsonString(strategy.wireName()));
            if (derivedFrom != null) {
                level.append(QueryParser.DERIVED_FROM, new BsonString(derivedFrom));
            }
            level.putAll(QueryParser.builderFilter(index, filter));
            raw.add(level);
            addedAsBase.add(derivedFrom == null);
            return this;
        }

        /**
         * Validates and builds the query.
         *
         * @return the query
         * @throws InvalidQueryException if the query is invalid (no base level, a base level that is not first,
         *     an unknown column, ...), naming the level index and the offending key or value
         */
        public Query build() {
            for (int i = 0; i < raw.size(); i++) {
                if (i == 0 && !addedAsBase.get(i)) {
                    throw new InvalidQueryException("level 0: the first level must be added with base(...)");
                }
                if (i > 0 && addedAsBase.get(i)) {
                    throw new InvalidQueryException("level " + i + ": base('" + raw.get(i).getString(
                            QueryParser.COLUMN).getValue() + "', ...) must be the first level; use derived(...)");
                }
            }
            return new Query(QueryParser.levels(raw));
        }
    }
}
