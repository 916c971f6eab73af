package io.datalake.query;

import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.conversions.Bson;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.jspecify.annotations.Nullable;

/**
 * One validated level of a {@link Query}: the output column, the strategy, the referenced column (derived levels
 * only) and the MongoDB filter, which has exactly the meaning it has in {@code find}. Immutable.
 */
public final class QueryLevel {
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private final int index;
    private final String column;
    private final Strategy strategy;
    private final @Nullable String derivedFrom;
    private final BsonDocument filter;

    /**
     * Creates a level. Used by the query parser; build queries with {@link Query#builder()},
     * {@link Query#fromJson(String)} or {@link Query#fromMaps(java.util.List)} so they are validated.
     *
     * @param index the level's position, 0 for the base
     * @param column the output name of the datum picked at this level
     * @param strategy how the datum is picked
     * @param derivedFrom the column this level's datums are derived from; null on the base level
     * @param filter the MongoDB filter without the reserved keys, rendered with the default codec registry and
     *     copied
     * @throws org.bson.codecs.configuration.CodecConfigurationException if the filter holds a value the default
     *     codec registry cannot encode
     */
    public QueryLevel(int index, String column, Strategy strategy, @Nullable String derivedFrom, Bson filter) {
        this.index = index;
        this.column = Objects.requireNonNull(column, "column");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.derivedFrom = derivedFrom;
        this.filter = Objects.requireNonNull(filter, "filter").toBsonDocument().clone();
    }

    /**
     * Returns the level's position in the query.
     *
     * @return 0 for the base level, then 1, 2, ...
     */
    public int index() {
        return index;
    }

    /**
     * Returns whether this is the base level.
     *
     * @return true for level 0
     */
    public boolean isBase() {
        return index == 0;
    }

    /**
     * Returns the output name of the datum picked at this level.
     *
     * @return the column name
     */
    public String column() {
        return column;
    }

    /**
     * Returns how this level picks (or, on the base level, orders) its datums.
     *
     * @return the strategy
     */
    public Strategy strategy() {
        return strategy;
    }

    /**
     * Returns whether this level's column appears in the output rows.
     *
     * @return false for a {@link Strategy#MISSING} level
     */
    public boolean isOutput() {
        return strategy != Strategy.MISSING;
    }

    /**
     * Returns the earlier column whose picked datum this level's datums must be derived from.
     *
     * @return the column name, or null on the base level
     */
    public @Nullable String derivedFrom() {
        return derivedFrom;
    }

    /**
     * Returns the level's MongoDB filter, without the reserved keys {@code column}, {@code strategy} and (on derived
     * levels) {@code derived_from}.
     *
     * @return a copy of the filter, usable wherever the driver takes a filter; an empty filter matches every datum
     */
    public Bson filter() {
        return filter.clone();
    }

    /**
     * Returns the level's filter as relaxed extended JSON, for display and logs.
     *
     * @return the JSON text of {@link #filter()}, {@code {}} for an empty filter
     */
    public String filterJson() {
        return filter.toJson(JSON);
    }

    /**
     * Returns the level as relaxed extended JSON in the query syntax {@link Query#fromJson(String)} accepts: the
     * reserved keys followed by the filter.
     *
     * @return the JSON text of one level object
     */
    public String toJson() {
        return toBsonDocument().toJson(JSON);
    }

    /** The level in query form, for the other types of this package. */
    BsonDocument toBsonDocument() {
        BsonDocument doc = new BsonDocument("column", new BsonString(column));
        doc.append("strategy", new BsonString(strategy.wireName()));
        if (derivedFrom != null) {
            doc.append("derived_from", new BsonString(derivedFrom));
        }
        doc.putAll(filter.clone());
        return doc;
    }

    /** The filter without copying, for the other types of this package; callers must not modify it. */
    BsonDocument bsonFilter() {
        return filter;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QueryLevel)) {
            return false;
        }
        QueryLevel other = (QueryLevel) o;
        return index == other.index
                && column.equals(other.column)
                && strategy == other.strategy
                && Objects.equals(derivedFrom, other.derivedFrom)
                && filter.equals(other.filter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, column, strategy, derivedFrom, filter);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
