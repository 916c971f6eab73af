package io.datalake;

import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.QueryResult;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Blocking view of a {@link Datalake}: the same operations, each waiting for its result. Errors are thrown as the
 * same {@link DatalakeException} subtypes the reactive methods signal. Do not call from a non-blocking thread
 * (such as a Reactor {@code parallel} worker).
 */
public interface BlockingDatalake extends AutoCloseable {

    /**
     * Adds an inline root datum.
     *
     * @param data JSON-like data, or null
     * @param metadata JSON-like metadata, or null
     * @return the stored datum
     * @throws DatumValidationException if a value cannot be stored
     */
    Datum addDatum(@Nullable Object data, @Nullable Map<String, ? extends @Nullable Object> metadata);

    /**
     * Adds a datum, optionally in a registry and derived from a parent.
     *
     * @param data the data, or null
     * @param metadata JSON-like metadata, or null
     * @param registryUri the registry, or null for inline data
     * @param derivedFrom the parent's id, or null
     * @return the stored datum
     * @throws DatumNotFoundException if the parent does not exist
     * @throws DatumValidationException if a value cannot be stored
     */
    Datum addDatum(
            @Nullable Object data,
            @Nullable Map<String, ? extends @Nullable Object> metadata,
            @Nullable String registryUri,
            @Nullable ObjectId derivedFrom);

    /**
     * Adds one datum.
     *
     * @param datum the datum to add
     * @return the stored datum
     * @throws DatalakeException as {@link Datalake#addDatum(NewDatum)} signals
     */
    Datum addDatum(NewDatum datum);

    /**
     * Adds many datums in batches. A batch that fails is undone before the exception is thrown, except datums that
     * others derive from by now (see {@link Datalake#addData} and {@link UndoIncompleteException}).
     *
     * @param data the datums to add
     * @return the stored datums in input order
     * @throws DatalakeException as {@link Datalake#addData} signals
     */
    List<Datum> addData(List<NewDatum> data);

    /**
     * Reads one datum.
     *
     * @param id the id
     * @return the datum
     * @throws DatumNotFoundException if it does not exist
     */
    Datum getDatum(ObjectId id);

    /**
     * Reads many datums.
     *
     * @param ids the ids, duplicates allowed
     * @return the datums in the order of {@code ids}
     * @throws DatumNotFoundException naming every missing id
     */
    List<Datum> getData(List<ObjectId> ids);

    /**
     * Reads one datum, with or without its registry payload.
     *
     * @param id the id
     * @param loadPayload false to leave a registry datum's data null and skip all registry I/O
     * @return the datum
     * @throws DatumNotFoundException if it does not exist
     * @throws RegistryException if the payload is missing or corrupt
     */
    Datum getDatum(ObjectId id, boolean loadPayload);

    /**
     * Reads many datums, with or without their registry payloads.
     *
     * @param ids the ids, duplicates allowed
     * @param loadPayloads false to leave registry datums' data null and skip all registry I/O
     * @return the datums in the order of {@code ids}
     * @throws DatumNotFoundException naming every missing id
     * @throws RegistryException if a payload is missing or corrupt
     */
    List<Datum> getData(List<ObjectId> ids, boolean loadPayloads);

    /**
     * Opens a registry datum's payload as a stream, for payloads too large to hold in memory. Reads block until
     * bytes arrive; a payload that does not match its recorded hash or size makes a read throw
     * {@link RegistryException} instead of reporting the end of the stream (the bytes that complete the payload are
     * never returned). The bytes already returned are unverified until a read returns -1: act on them (replace a
     * file, commit a result) only after that, and discard them when a read throws. Close the stream to stop the
     * download.
     *
     * @param id the datum's id
     * @return the payload's bytes
     * @throws DatumNotFoundException if there is no such datum (on the first read)
     * @throws InvalidArgumentException if the datum's data is inline (on the first read)
     */
    InputStream openPayload(ObjectId id);

    /**
     * Lists the ids of a datum's direct children.
     *
     * @param id the parent's id
     * @return the children's ids, oldest first
     * @throws DatumNotFoundException if the parent does not exist
     */
    List<ObjectId> getDirectlyDerivedData(ObjectId id);

    /**
     * Lists a datum and all its descendants breadth-first, root first.
     *
     * @param id the root's id
     * @return the ids
     * @throws DatumNotFoundException if the root does not exist
     */
    List<ObjectId> getIndirectlyDerivedData(ObjectId id);

    /**
     * Lists a datum's ancestors, nearest first.
     *
     * @param id the datum's id
     * @return the ancestors' ids up to the root; empty for a root
     * @throws DatumNotFoundException if the datum does not exist
     */
    List<ObjectId> getAncestors(ObjectId id);

    /**
     * Walks the lineage around a datum with the default node limit.
     *
     * @param id the starting datum's id
     * @param direction which way to walk
     * @param maxDepth how many levels to walk in each direction, 0 or more
     * @return the lineage
     * @throws DatumNotFoundException if the datum does not exist
     * @throws InvalidArgumentException if a limit is out of range
     */
    default Lineage getLineage(ObjectId id, LineageDirection direction, int maxDepth) {
        return getLineage(id, direction, maxDepth, Lineage.DEFAULT_MAX_NODES);
    }

    /**
     * Walks the lineage around a datum; see {@link Datalake#getLineage(ObjectId, LineageDirection, int, int)}.
     *
     * @param id the starting datum's id
     * @param direction which way to walk
     * @param maxDepth how many levels to walk in each direction, 0 or more
     * @param maxNodes the most nodes to collect, 1 or more
     * @return the lineage
     * @throws DatumNotFoundException if the datum does not exist
     * @throws InvalidArgumentException if a limit is out of range
     */
    Lineage getLineage(ObjectId id, LineageDirection direction, int maxDepth, int maxNodes);

    /**
     * Computes figures about the whole lake; see {@link Datalake#getStats()}.
     *
     * @return the statistics
     */
    LakeStats getStats();

    /**
     * Runs a query and returns its rows, like the Python {@code query_data(query, datums_wanted, transpose)}.
     *
     * @param query the validated query
     * @param datumsWanted the number of complete rows wanted, or null for all
     * @param transpose whether the caller wants the column-to-list shape
     * @return the result
     * @throws InvalidQueryException before any I/O if {@code datumsWanted} is not positive
     */
    QueryResult queryData(Query query, @Nullable Integer datumsWanted, boolean transpose);

    /**
     * Runs a query given as JSON in the syntax of the Mindtrace Python datalake.
     *
     * @param jsonQuery the query text
     * @param datumsWanted the number of complete rows wanted, or null for all
     * @param transpose whether the caller wants the column-to-list shape
     * @return the result
     * @throws InvalidQueryException before any I/O if the JSON is malformed or the query invalid
     */
    QueryResult queryData(String jsonQuery, @Nullable Integer datumsWanted, boolean transpose);

    /**
     * Runs a query given as one map per level.
     *
     * @param query the levels, base first
     * @param datumsWanted the number of complete rows wanted, or null for all
     * @param transpose whether the caller wants the column-to-list shape
     * @return the result
     * @throws InvalidQueryException before any I/O if the query is invalid
     */
    QueryResult queryData(List<? extends Map<String, ?>> query, @Nullable Integer datumsWanted, boolean transpose);

    /**
     * Runs a query with explicit options (for example a seed).
     *
     * @param query the validated query
     * @param options rows wanted, seed, batch size, join hint
     * @return the result, in the row shape
     * @throws DatalakeException as {@link Datalake#queryRows} signals
     */
    QueryResult queryData(Query query, QueryOptions options);

    /**
     * Streams the rows of a query as they are resolved. Close the stream (try-with-resources) to stop early: that
     * cancels the query and closes its cursors.
     *
     * @param query the validated query
     * @param options rows wanted, seed, batch size, join hint
     * @return a lazy stream of rows
     */
    Stream<Map<String, ObjectId>> queryRows(Query query, QueryOptions options);

    /**
     * Returns the plan a query would run with, without I/O.
     *
     * @param query the validated query
     * @param options the options it would run with
     * @return the plan
     */
    QueryPlan explain(Query query, QueryOptions options);

    /**
     * Returns the reactive lake behind this view.
     *
     * @return the reactive lake
     */
    Datalake reactive();

    /** Closes the lake behind this view. */
    @Override
    void close();
}
