package io.datalake.dataset;

import io.datalake.InvalidArgumentException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * One row of a dataset version: its 0-based position in the manifest and a datum id per column.
 *
 * @param number the 0-based row number in manifest order
 * @param columns column name to datum id, in the version's column order; every column of the version is present;
 *     unmodifiable
 */
public record Row(long number, Map<String, ObjectId> columns) {
    /**
     * Creates a row, copying the columns.
     *
     * @throws InvalidArgumentException if the number is negative, there are no columns or an id is null
     */
    public Row {
        if (number < 0) {
            throw new InvalidArgumentException("row number must be >= 0, was " + number);
        }
        if (columns.isEmpty()) {
            throw new InvalidArgumentException("a row needs at least one column");
        }
        if (!(columns instanceof Columns)) {
            LinkedHashMap<String, ObjectId> copy = new LinkedHashMap<>(columns);
            if (copy.containsValue(null)) {
                throw new InvalidArgumentException("row " + number + " has a column without a datum id: " + copy);
            }
            columns = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * Creates a row from a version's column names and one id per column, without building a hash map per row:
     * rows of one version share the column list, which is what makes streaming a large version cheap.
     *
     * @param number the 0-based row number
     * @param columnNames the version's columns, in order; not copied, so pass an unmodifiable list
     * @param ids one datum id per column, in column order (copied)
     * @return the row
     * @throws InvalidArgumentException if the number is negative, there are no columns, the counts differ or an
     *     id is null
     */
    public static Row of(long number, List<String> columnNames, ObjectId... ids) {
        if (columnNames.size() != ids.length) {
            throw new InvalidArgumentException("row " + number + " has " + ids.length + " ids for the "
                    + columnNames.size() + " columns " + columnNames);
        }
        ObjectId[] copy = ids.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == null) {
                throw new InvalidArgumentException("row " + number + " has no datum id for column '"
                        + columnNames.get(i) + "'");
            }
        }
        return new Row(number, new Columns(columnNames, copy));
    }

    /**
     * Returns the datum id of a column.
     *
     * @param column the column name
     * @return the id
     * @throws InvalidArgumentException if the row has no such column
     */
    public ObjectId get(String column) {
        ObjectId id = columns.get(column);
        if (id == null) {
            throw new InvalidArgumentException("no column '" + column + "' in row " + number
                    + "; columns are " + columns.keySet());
        }
        return id;
    }

    /** An ordered, unmodifiable view over a shared column list and this row's ids; versions have few columns. */
    private static final class Columns extends AbstractMap<String, ObjectId> {
        private final List<String> names;
        private final ObjectId[] ids;

        Columns(List<String> names, ObjectId[] ids) {
            this.names = names;
            this.ids = ids;
        }

        @Override
        public @Nullable ObjectId get(@Nullable Object key) {
            int i = names.indexOf(key);
            return i < 0 ? null : ids[i];
        }

        @Override
        public boolean containsKey(@Nullable Object key) {
            return names.contains(key);
        }

        @Override
        public int size() {
            return ids.length;
        }

        @Override
        public Set<Entry<String, ObjectId>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, ObjectId>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < ids.length;
                        }

                        @Override
                        public Entry<String, ObjectId> next() {
                            if (next >= ids.length) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return new SimpleImmutableEntry<>(names.get(i), ids[i]);
                        }
                    };
                }

                @Override
                public int size() {
                    return ids.length;
                }
            };
        }
    }
}
