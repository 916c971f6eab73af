package io.datalake.dataset;

import java.util.Map;
import org.bson.types.ObjectId;

/**
 * One row added or removed between two versions. A row present k times in one version and m times in the other
 * shows up |k - m| times.
 *
 * @param kind added (in the second version only) or removed (in the first only)
 * @param columns the row's column name to datum id
 */
public record DiffEntry(Kind kind, Map<String, ObjectId> columns) {
    /** Copies the columns. */
    public DiffEntry {
        columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }

    /** Whether a row was added or removed. */
    public enum Kind {
        /** In the second version, not the first. */
        ADDED,
        /** In the first version, not the second. */
        REMOVED
    }
}
