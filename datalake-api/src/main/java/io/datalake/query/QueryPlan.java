package io.datalake.query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.jspecify.annotations.Nullable;

/**
 * What running a query will do: per level, the filter sent to MongoDB, the strategy, and for derived levels the
 * chosen {@link JoinMethod} and why. Returned by {@code Datalake.explain}; computed without I/O. Immutable.
 */
public final class QueryPlan {
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder()
            .outputMode(JsonMode.RELAXED).indent(true).build();

    private final Query query;
    private final List<Level> levels;
    private final @Nullable Integer datumsWanted;
    private final int batchSize;

    /**
     * Creates a plan; used by query engines.
     *
     * @param query the planned query
     * @param levels one entry per query level, in order
     * @param datumsWanted the number of rows wanted, or null for all
     * @param batchSize the number of rows resolved together
     */
    public QueryPlan(Query query, List<Level> levels, @Nullable Integer datumsWanted, int batchSize) {
        this.query = Objects.requireNonNull(query, "query");
        this.levels = Collections.unmodifiableList(new ArrayList<>(levels));
        this.datumsWanted = datumsWanted;
        this.batchSize = batchSize;
    }

    /**
     * Returns the planned query.
     *
     * @return the query
     */
    public Query query() {
        return query;
    }

    /**
     * Returns the plan of every level, base first.
     *
     * @return an unmodifiable list
     */
    public List<Level> levels() {
        return levels;
    }

    /**
     * Returns the number of rows wanted.
     *
     * @return the number, or null for all rows
     */
    public @Nullable Integer datumsWanted() {
        return datumsWanted;
    }

    /**
     * Returns how many rows are resolved together.
     *
     * @return the batch size
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns the plan as indented relaxed extended JSON, for tools that print, store or compare plans: an object
     * with {@code datumsWanted} (null for all rows), {@code batchSize}, {@code outputColumns} and {@code levels},
     * each level an object with {@code index}, {@code column}, {@code strategy}, {@code derived_from},
     * {@code filter}, {@code join} and {@code description}.
     *
     * @return the JSON text
     */
    public String toJson() {
        BsonArray columns = new BsonArray();
        query.outputColumns().forEach(c -> columns.add(new BsonString(c)));
        BsonArray levelDocs = new BsonArray();
        levels.forEach(l -> levelDocs.add(l.toBsonDocument()));
        return new BsonDocument("datumsWanted", datumsWanted == null ? BsonNull.VALUE : new BsonInt32(datumsWanted))
                .append("batchSize", new BsonInt32(batchSize))
                .append("outputColumns", columns)
                .append("levels", levelDocs)
                .toJson(JSON);
    }

    /** Returns a human-readable, one-line-per-level description. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("query plan: ")
                .append(datumsWanted == null ? "all rows" : "first " + datumsWanted + " rows")
                .append(", batches of ").append(batchSize).append(", output columns ")
                .append(query.outputColumns());
        for (Level level : levels) {
            text.append('\n').append(level);
        }
        return text.toString();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QueryPlan)) {
            return false;
        }
        QueryPlan other = (QueryPlan) o;
        return query.equals(other.query) && levels.equals(other.levels)
                && Objects.equals(datumsWanted, other.datumsWanted) && batchSize == other.batchSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(query, levels, datumsWanted, batchSize);
    }

    /** The plan of one level. Immutable. */
    public static final class Level {
        private final QueryLevel level;
        private final @Nullable JoinMethod join;
        private final String description;

        /**
         * Creates a level plan; used by query engines.
         *
         * @param level the query level
         * @param join how the level is joined to its parents; null for the base level
         * @param description how the level is read and why, for people
         */
        public Level(QueryLevel level, @Nullable JoinMethod join, String description) {
            this.level = Objects.requireNonNull(level, "level");
            this.join = join;
            this.description = Objects.requireNonNull(description, "description");
        }

        /**
         * Returns the query level.
         *
         * @return the level, with its column, strategy, derived_from and filter
         */
        public QueryLevel level() {
            return level;
        }

        /**
         * Returns how this level is joined to its parents.
         *
         * @return the join method, or null for the base level
         */
        public @Nullable JoinMethod join() {
            return join;
        }

        /**
         * Returns how the level is read and why that join was chosen.
         *
         * @return a sentence for people
         */
        public String description() {
            return description;
        }

        /** This level's plan in the form {@link QueryPlan#toJson()} describes. */
        BsonDocument toBsonDocument() {
            return new BsonDocument("index", new BsonInt32(level.index()))
                    .append("column", new BsonString(level.column()))
                    .append("strategy", new BsonString(level.strategy().wireName()))
                    .append("derived_from", level.derivedFrom() == null ? BsonNull.VALUE
                            : new BsonString(level.derivedFrom()))
                    .append("filter", level.bsonFilter().clone())
                    .append("join", join == null ? BsonNull.VALUE : new BsonString(join.name()))
                    .append("description", new BsonString(description));
        }

        @Override
        public boolean equals(@Nullable Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Level)) {
                return false;
            }
            Level other = (Level) o;
            return level.equals(other.level) && join == other.join && description.equals(other.description);
        }

        @Override
        public int hashCode() {
            return Objects.hash(level, join, description);
        }

        @Override
        public String toString() {
            return "level " + level.index() + " '" + level.column() + "' " + level.strategy().wireName()
                    + (level.derivedFrom() == null ? " (base)" : " of children of '" + level.derivedFrom() + "'")
                    + (join == null ? "" : " [" + join + "]")
                    + ": filter " + level.filterJson() + "; " + description;
        }
    }
}
