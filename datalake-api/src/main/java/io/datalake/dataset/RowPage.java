package io.datalake.dataset;

import io.datalake.Datum;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * One keyset page of a version's rows.
 *
 * @param rows the rows, in manifest order
 * @param datums with {@code expand}: the datums the page's rows reference (without payloads), by id; else empty
 * @param nextCursor the opaque cursor of the next page; null after the last page
 */
public record RowPage(List<Row> rows, Map<ObjectId, Datum> datums, @Nullable String nextCursor) {
    /** Copies the collections. */
    public RowPage {
        rows = List.copyOf(rows);
        datums = Map.copyOf(datums);
    }
}
