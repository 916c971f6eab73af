package io.datalake.query;

import java.util.Objects;
import org.bson.BsonDocument;
import org.jspecify.annotations.Nullable;

/**
 * One validated level of a {@link Query}: the output column, the strategy, the referenced column (derived levels
 * only) and the MongoDB filter, which has exactly the meaning it has in {@code find}. Immutable.
 */
public final class QueryLevel {
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
     * @param filter the MongoDB filter without the reserved keys; copied
     */
    public QueryLevel(int index, String column, Strategy strategy, @Nullable String derivedFrom, BsonDocument filter) {
        this.index = index;
        this.column = Objects.requireNonNull(column, "column");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.derivedFrom = derivedFrom;
        this.filter = Objects.requireNonNull(filter, "filter").clone();
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
     * @return a copy of the filter; an empty document matches every datum
     */
    public BsonDocument filter() {
        return filter.clone();
    }

    /**
     * Returns the level in query JSON form: the reserved keys followed by the filter.
     *
     * @return a new document
     */
    public BsonDocument toDocument() {
        BsonDocument doc = new BsonDocument("column", new org.bson.BsonString(column));
        doc.append("strategy", new org.bson.BsonString(strategy.wireName()));
        if (derivedFrom != null) {
            doc.append("derived_from", new org.bson.BsonString(derivedFrom));
        }
        doc.putAll(filter.clone());
        return doc;
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
        return toDocument().toJson();
    }
}
