package io.datalake.dataset;

import java.util.Map;
import org.bson.types.ObjectId;

/**
 * One row of a dataset version: its 0-based position in the manifest and a datum id per column.
 *
 * @param number the 0-based row number in manifest order
 * @param columns column name to datum id, in the version's column order; every column of the version is present
 */
public record Row(long number, Map<String, ObjectId> columns) {
    /**
     * Creates a row, copying the columns.
     *
     * @throws io.datalake.InvalidArgumentException if the number is negative or there are no columns
     */
    public Row {
        if (number < 0) {
            throw new io.datalake.InvalidArgumentException("row number must be >= 0, was " + number);
        }
        if (columns.isEmpty()) {
            throw new io.datalake.InvalidArgumentException("a row needs at least one column");
        }
        columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }

    /**
     * Returns the datum id of a column.
     *
     * @param column the column name
     * @return the id
     * @throws io.datalake.InvalidArgumentException if the row has no such column
     */
    public ObjectId get(String column) {
        ObjectId id = columns.get(column);
        if (id == null) {
            throw new io.datalake.InvalidArgumentException("no column '" + column + "' in row " + number
                    + "; columns are " + columns.keySet());
        }
        return id;
    }
}
