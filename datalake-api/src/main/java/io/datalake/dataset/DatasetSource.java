package io.datalake.dataset;

import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import org.reactivestreams.Publisher;

/**
 * Where the rows of a new draft come from. Rows are streamed from the source into the draft with bounded memory.
 */
public sealed interface DatasetSource
        permits DatasetSource.FromQuery, DatasetSource.FromIds, DatasetSource.FromVersion {

    /**
     * The rows of a query, as {@link io.datalake.Datalake#queryRows} returns them; the columns are the query's
     * level names. The query JSON and the options (seed, datumsWanted) are recorded in the version.
     *
     * @param query the query
     * @param options its options; a seed makes a sampled query reproducible
     */
    record FromQuery(Query query, QueryOptions options) implements DatasetSource {
    }

    /**
     * An explicit list of datum ids: a one-column table.
     *
     * @param column the column name
     * @param ids the ids in manifest order; may be very long, it is consumed with backpressure
     */
    record FromIds(String column, Publisher<ObjectId> ids) implements DatasetSource {
    }

    /**
     * A published version plus and minus some rows: the base is streamed in order, rows equal to one in
     * {@code removed} are dropped, {@code added} rows are appended. The new version records the base as its
     * {@code derivedFrom}, pinned by number (never "latest at read time").
     *
     * @param base the published version to start from; {@code NAME@latest} is resolved once, when the draft starts
     * @param added rows appended after the base rows; each has exactly the base's columns
     * @param removed rows to leave out (every occurrence); each has exactly the base's columns
     */
    record FromVersion(VersionRef base, Publisher<Map<String, ObjectId>> added,
            Publisher<Map<String, ObjectId>> removed) implements DatasetSource {
    }

    /**
     * A query source.
     *
     * @param query the query
     * @param options its options
     * @return the source
     */
    static DatasetSource query(Query query, QueryOptions options) {
        return new FromQuery(query, options);
    }

    /**
     * A one-column source of explicit ids.
     *
     * @param column the column name
     * @param ids the ids, in manifest order
     * @return the source
     */
    static DatasetSource ids(String column, Publisher<ObjectId> ids) {
        return new FromIds(column, ids);
    }

    /**
     * A one-column source of explicit ids held in memory.
     *
     * @param column the column name
     * @param ids the ids, in manifest order
     * @return the source
     */
    static DatasetSource ids(String column, List<ObjectId> ids) {
        return new FromIds(column, reactor.core.publisher.Flux.fromIterable(List.copyOf(ids)));
    }

    /**
     * A source derived from a published version.
     *
     * @param base the version to start from
     * @param added rows to append
     * @param removed rows to leave out
     * @return the source
     */
    static DatasetSource fromVersion(VersionRef base, Publisher<Map<String, ObjectId>> added,
            Publisher<Map<String, ObjectId>> removed) {
        return new FromVersion(base, added, removed);
    }
}
