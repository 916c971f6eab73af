package io.datalake.query;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonObjectId;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The rows of a query, as the Python {@code query_data} returns them: either a list of rows (each mapping every
 * output column, in query order, to a datum id) or, transposed, a map from each output column to an
 * index-aligned list of ids. Both views are always available; {@link #isTransposed()} records which one was asked
 * for and {@link #toJson()} uses it. Immutable.
 */
public final class QueryResult {
    private final List<String> columns;
    private final List<Map<String, ObjectId>> rows;
    private final boolean transposed;

    /**
     * Creates a result.
     *
     * @param columns the output columns in query order
     * @param rows the rows; each must hold exactly {@code columns}, mapped to non-null ids (copied in column order)
     * @param transposed whether the caller asked for the transposed shape
     * @throws IllegalArgumentException if a row does not hold exactly the columns
     */
    public QueryResult(List<String> columns, List<Map<String, ObjectId>> rows, boolean transposed) {
        this.columns = List.copyOf(columns);
        List<Map<String, ObjectId>> copy = new ArrayList<>(rows.size());
        for (Map<String, ObjectId> row : rows) {
            if (row.size() != this.columns.size() || !row.keySet().containsAll(this.columns)) {
                throw new IllegalArgumentException("row " + row + " does not hold exactly the columns " + columns);
            }
            Map<String, ObjectId> ordered = new LinkedHashMap<>(this.columns.size() * 2);
            for (String column : this.columns) {
                ordered.put(column, Objects.requireNonNull(row.get(column), column));
            }
            copy.add(Collections.unmodifiableMap(ordered));
        }
        this.rows = Collections.unmodifiableList(copy);
        this.transposed = transposed;
    }

    /**
     * Returns the output columns, in query order.
     *
     * @return an unmodifiable list
     */
    public List<String> columns() {
        return columns;
    }

    /**
     * Returns the rows in result order.
     *
     * @return an unmodifiable list of unmodifiable rows, each mapping every output column to a datum id
     */
    public List<Map<String, ObjectId>> rows() {
        return rows;
    }

    /**
     * Returns the rows transposed: every output column, in query order, mapped to the list of its ids, aligned by
     * index. Every column is present, with an empty list when there are no rows.
     *
     * @return a new unmodifiable map of unmodifiable lists
     */
    public Map<String, List<ObjectId>> transposed() {
        Map<String, List<ObjectId>> byColumn = new LinkedHashMap<>();
        for (String column : columns) {
            List<ObjectId> ids = new ArrayList<>(rows.size());
            for (Map<String, ObjectId> row : rows) {
                ids.add(row.get(column));
            }
            byColumn.put(column, Collections.unmodifiableList(ids));
        }
        return Collections.unmodifiableMap(byColumn);
    }

    /**
     * Returns whether the transposed shape was asked for.
     *
     * @return the {@code transpose} argument of the query call
     */
    public boolean isTransposed() {
        return transposed;
    }

    /**
     * Returns the number of rows.
     *
     * @return the row count
     */
    public int size() {
        return rows.size();
    }

    /**
     * Returns whether there are no rows.
     *
     * @return true when the query matched nothing
     */
    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /**
     * Returns the result as relaxed extended JSON in the asked-for shape: {@code [{"image": {"$oid": ...}}, ...]}
     * or {@code {"image": [{"$oid": ...}, ...]}}.
     *
     * @return the JSON text
     */
    public String toJson() {
        if (transposed) {
            BsonDocument doc = new BsonDocument();
            transposed().forEach((column, ids) -> {
                BsonArray array = new BsonArray();
                ids.forEach(id -> array.add(new BsonObjectId(id)));
                doc.append(column, array);
            });
            return doc.toJson();
        }
        BsonArray array = new BsonArray();
        for (Map<String, ObjectId> row : rows) {
            BsonDocument doc = new BsonDocument();
            row.forEach((column, id) -> doc.append(column, new BsonObjectId(id)));
            array.add(doc);
        }
        String wrapped = new BsonDocument("rows", array).toJson();
        return wrapped.substring(wrapped.indexOf('['), wrapped.lastIndexOf(']') + 1);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QueryResult)) {
            return false;
        }
        QueryResult other = (QueryResult) o;
        return transposed == other.transposed && columns.equals(other.columns) && rows.equals(other.rows);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, rows, transposed);
    }

    @Override
    public String toString() {
        return "QueryResult{columns=" + columns + ", rows=" + rows.size() + ", transposed=" + transposed + "}";
    }
}
