package io.datalake.processor;

import io.datalake.InvalidArgumentException;
import io.datalake.query.Query;
import io.datalake.query.QueryLevel;
import io.datalake.query.Strategy;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Processor} works on. Two kinds:
 * <ul>
 *   <li>{@link #missing(Query)}: a query whose last level has the {@code missing} strategy, e.g. images without a
 *       v2 classification. The input datum of a row is the one in the column the missing level derives from; the
 *       row's other columns are handed to the function too.
 *   <li>{@link #matching(Bson)}: every datum matching a filter (the filter language of a query level); the row
 *       holds that datum alone, in column {@link #INPUT_COLUMN}.
 * </ul>
 * Either way, an input already processed by this processor version (or dead-lettered) is skipped, so the
 * query's {@code missing} level is an optimisation, not what guarantees one result per input.
 */
public final class ProcessorInput {
    /** The column of the input datum in the rows of a {@link #matching(Bson)} input. */
    public static final String INPUT_COLUMN = "input";

    private final @Nullable Query query;
    private final BsonDocument filter;
    private final String inputColumn;

    private ProcessorInput(@Nullable Query query, BsonDocument filter, String inputColumn) {
        this.query = query;
        this.filter = filter;
        this.inputColumn = inputColumn;
    }

    /**
     * Inputs from a query whose last level is {@code missing}.
     *
     * @param query the query; its last level must have the {@link Strategy#MISSING} strategy and derive from an
     *     earlier level, whose column becomes the input column
     * @return the input
     * @throws InvalidArgumentException if the query is null or its last level is not a derived {@code missing}
     *     level
     */
    public static ProcessorInput missing(Query query) {
        if (query == null) {
            throw new InvalidArgumentException("processor input query must not be null");
        }
        QueryLevel last = query.levels().get(query.levels().size() - 1);
        String from = last.derivedFrom();
        if (last.strategy() != Strategy.MISSING || from == null) {
            throw new InvalidArgumentException("a processor's input query must end with a derived level whose"
                    + " strategy is missing; its last level is " + last.toJson());
        }
        return new ProcessorInput(query, query.levels().get(query.levelOf(from)).filter().toBsonDocument(), from);
    }

    /**
     * Inputs from a filter: every datum that matches it.
     *
     * @param filter a MongoDB filter in the language of a query level (checked when the processor starts)
     * @return the input
     * @throws InvalidArgumentException if the filter is null
     */
    public static ProcessorInput matching(Bson filter) {
        if (filter == null) {
            throw new InvalidArgumentException("processor input filter must not be null");
        }
        return new ProcessorInput(null, filter.toBsonDocument(), INPUT_COLUMN);
    }

    /**
     * Inputs from a filter given as JSON, e.g. {@code {"data.type": "image"}}.
     *
     * @param jsonFilter the filter as (Extended) JSON
     * @return the input
     * @throws InvalidArgumentException if the JSON is null or not a JSON object
     */
    public static ProcessorInput matching(String jsonFilter) {
        if (jsonFilter == null) {
            throw new InvalidArgumentException("processor input filter must not be null");
        }
        try {
            return matching(BsonDocument.parse(jsonFilter));
        } catch (RuntimeException e) {
            throw new InvalidArgumentException("processor input filter is not a JSON object: " + jsonFilter, e);
        }
    }

    /**
     * Returns the query of a {@link #missing(Query)} input.
     *
     * @return the query, or null for a {@link #matching(Bson)} input
     */
    public @Nullable Query query() {
        return query;
    }

    /**
     * Returns the filter the input datums match: the filter of the input level of a query, or the filter of a
     * {@link #matching(Bson)} input. The continuous mode follows the change feed with this filter.
     *
     * @return a copy of the filter (a BSON document)
     */
    public Bson filter() {
        return filter.clone();
    }

    /**
     * Returns the column that holds the input datum in each row.
     *
     * @return the input column
     */
    public String inputColumn() {
        return inputColumn;
    }

    /**
     * Describes the input as stored with the processor: the query's JSON, or the filter's JSON.
     *
     * @return the description
     */
    public String toJson() {
        return query != null ? query.toJson() : filter.toJson();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ProcessorInput other && Objects.equals(query, other.query) && filter.equals(other.filter)
                && inputColumn.equals(other.inputColumn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(query, filter, inputColumn);
    }

    @Override
    public String toString() {
        return (query != null ? "missing " : "matching ") + toJson();
    }
}
