package io.datalake.mongo.internal.schema;

import io.datalake.Datum;
import java.util.List;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * How the schema check reads stored datums; implemented by the lake, which owns the decoding of untrusted
 * documents and the registry reads.
 */
public interface StoredDatumSource {
    /**
     * Reads one page of datums in {@code _id} order.
     *
     * @param filter which datums
     * @param after the last id of the previous page, or null for the first page
     * @param limit the page size
     * @return the page's readable datums (payloads not loaded; documents that are not datums skipped with a
     *     warning) and the last id read, null when the page was empty
     */
    Mono<Page> page(Bson filter, @Nullable ObjectId after, int limit);

    /**
     * Loads a datum's registry payload as its data.
     *
     * @param datum a stored datum with a registry payload
     * @return the datum with its payload as data
     */
    Mono<Datum> withPayload(Datum datum);

    /**
     * One page of stored datums.
     *
     * @param datums the readable datums of the page, in {@code _id} order
     * @param read how many documents the page read (readable or not)
     * @param last the last {@code _id} read, or null when nothing was read
     */
    record Page(List<Datum> datums, int read, @Nullable ObjectId last) {
        /** Copies the list. */
        public Page {
            datums = List.copyOf(datums);
        }
    }
}
