package io.datalake;

import io.datalake.dataset.Datasets;
import io.datalake.delete.DeleteOptions;
import io.datalake.delete.DeletePlan;
import io.datalake.feed.FeedEvent;
import io.datalake.feed.FeedToken;
import io.datalake.feed.WatchOptions;
import io.datalake.fsck.FsckFinding;
import io.datalake.fsck.FsckOptions;
import io.datalake.fsck.FsckReport;
import io.datalake.gc.GcOptions;
import io.datalake.gc.GcReport;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.processor.Processors;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.QueryResult;
import io.datalake.schema.Schemas;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A lake of immutable {@link Datum}s linked by {@code derivedFrom}. Reactive first: every method returns a cold
 * {@link Mono} or {@link Flux}; nothing happens until it is subscribed, and each subscription does the work again.
 * Errors are signalled as {@link DatalakeException} subtypes. For callers that do not use Reactor,
 * {@link #blocking()} offers the same methods returning plain values.
 *
 * <p>Thread-safe. Close the lake to release its connections and, for an embedded lake, its server.
 */
public interface Datalake extends AutoCloseable {

    /**
     * Adds an inline root datum.
     *
     * @param data JSON-like data, or null
     * @param metadata JSON-like metadata, or null for none
     * @return the stored datum with its id and {@code addedAt}; fails with {@link DatumValidationException} if a
     *     value cannot be stored (nothing is written)
     */
    default Mono<Datum> addDatum(@Nullable Object data, @Nullable Map<String, ? extends @Nullable Object> metadata) {
        return addDatum(NewDatum.of(data, metadata));
    }

    /**
     * Adds a datum, optionally stored in a registry and derived from a parent.
     *
     * @param data the data, or null
     * @param metadata JSON-like metadata, or null for none
     * @param registryUri the registry to store the data in, or null for inline data
     * @param derivedFrom the id of an existing parent, or null
     * @return the stored datum; fails with {@link DatumNotFoundException} if the parent does not exist and with
     *     {@link DatumValidationException} if a value cannot be stored (in both cases nothing is written)
     */
    default Mono<Datum> addDatum(
            @Nullable Object data,
            @Nullable Map<String, ? extends @Nullable Object> metadata,
            @Nullable String registryUri,
            @Nullable ObjectId derivedFrom) {
        return addDatum(NewDatum.builder()
                .data(data)
                .metadata(metadata)
                .registryUri(registryUri)
                .derivedFrom(derivedFrom)
                .build());
    }

    /**
     * Adds one datum.
     *
     * <p>If the datum's parent is deleted while the datum is being written (a concurrent {@code addData} undoing a
     * failed batch), the datum is removed again and the call fails with {@link DatumNotFoundException}: no datum is
     * left pointing at a parent that is gone. Cancelling the returned Mono while the insert is in flight does not
     * stop the insert: the datum may be stored, or not; look it up by its {@linkplain NewDatum#id() chosen id}.
     *
     * @param datum the datum to add
     * @return the stored datum; fails as {@link #addDatum(Object, Map, String, ObjectId)} does, with
     *     {@link DatumValidationException} naming the index and key if the id or a user's own unique index clashes,
     *     and with its subtype {@link io.datalake.schema.SchemaViolationException} (before any payload upload or
     *     write) if the datum violates the latest schema of its kind in
     *     {@link io.datalake.schema.ValidationMode#ENFORCE} mode
     */
    Mono<Datum> addDatum(NewDatum datum);

    /**
     * Adds many datums with batched {@code insertMany}, requesting from {@code data} only as fast as batches are
     * written. A datum's parent may be an existing datum or one that comes earlier in {@code data}.
     *
     * <p>Each batch is validated as a whole before it is written: a bad datum or an unknown parent fails the call
     * and nothing of its batch is written; earlier batches stay written (they are complete, valid datums).
     *
     * <p>A batch the server refuses part-way (a user's unique index, a lost connection, a timeout) is undone before
     * the error is signalled, with two exceptions that the error reports: a datum of the batch that another writer
     * has meanwhile derived a datum from is kept, so that no one's datum loses its parent (listed by an
     * {@link UndoIncompleteException} among the error's {@linkplain Throwable#getSuppressed() suppressed}
     * exceptions); and when the outcome of the insert is unknown, a document under a caller-chosen id that is not
     * exactly the one this call sent belongs to another writer and is left alone.
     *
     * <p>Cancelling (a {@code timeout}, {@code dispose}, {@code take}) stops reading {@code data} at once, but the
     * batch whose insert is in flight runs to its end: if the insert fails it is undone as above, if it succeeds it
     * stays stored although its datums were never emitted. So after a cancel, every batch is stored wholly or not
     * at all, and datums not emitted may exist. To find out which: give each datum an id
     * ({@link NewDatum.Builder#id}) and, once the in-flight batch has settled (each server call of it is bounded
     * by the operation timeout; {@link #close()} waits for it), call {@code getData(ids, false)}; its
     * {@link DatumNotFoundException#ids()} are the datums not stored, safe to add again.
     *
     * <p>Each batch is validated against the schemas of its datums' kinds ({@link #schemas()}) before any of its
     * payloads is uploaded or any of its datums inserted; in {@link io.datalake.schema.ValidationMode#ENFORCE}
     * mode one violating datum fails the call with {@link io.datalake.schema.SchemaViolationException} naming its
     * position in the call, and nothing of its batch is written (earlier batches stay stored).
     *
     * @param data the datums to add
     * @return the stored datums in input order
     */
    Flux<Datum> addData(Publisher<NewDatum> data);

    /**
     * Reads one datum.
     *
     * @param id the datum's id
     * @return the datum; fails with {@link DatumNotFoundException} naming the id if it does not exist and with
     *     {@link InvalidArgumentException} if the id is null (before any I/O)
     */
    Mono<Datum> getDatum(ObjectId id);

    /**
     * Reads many datums with one {@code $in} round trip per batch of ids.
     *
     * @param ids the ids, duplicates allowed
     * @return the datums in the order of {@code ids}, duplicates kept; fails with {@link DatumNotFoundException}
     *     naming every missing id if any id does not exist (then nothing is emitted)
     */
    Flux<Datum> getData(List<ObjectId> ids);

    /**
     * Reads one datum, with or without its registry payload. Reading without it costs one MongoDB lookup and no
     * registry I/O; the datum's {@link Datum#payload()} still tells the payload's content type, size and hash.
     *
     * @param id the datum's id
     * @param loadPayload true to fetch and verify the payload of a registry datum into {@link Datum#data()}, false
     *     to leave {@code data} null for registry datums (inline datums always carry their data)
     * @return the datum; fails as {@link #getDatum(ObjectId)} does, and with {@link RegistryException} naming the
     *     registry URI and key if the payload is missing or does not match its recorded hash
     */
    Mono<Datum> getDatum(ObjectId id, boolean loadPayload);

    /**
     * Reads many datums, with or without their registry payloads. Payloads are fetched concurrently, at most
     * {@link RegistrySettings#payloadConcurrency()} at a time, and a payload shared by several datums is fetched
     * once per call.
     *
     * @param ids the ids, duplicates allowed
     * @param loadPayloads true to fetch registry payloads into {@link Datum#data()}, false to leave it null
     * @return the datums in the order of {@code ids}; fails as {@link #getData(List)} does, and with
     *     {@link RegistryException} if a payload is missing or corrupt (then nothing is emitted)
     */
    Flux<Datum> getData(List<ObjectId> ids, boolean loadPayloads);

    /**
     * Streams a registry datum's payload, for payloads too large to hold in memory: buffers are emitted as they are
     * read, with backpressure. The bytes are hashed and counted as they pass; if they do not match the datum's
     * recorded SHA-256 and size, the stream ends with {@link RegistryException} (onError) and never completes. The
     * check runs before the buffer holding the last byte is emitted, so a corrupt payload is never delivered whole,
     * but the buffers before it have been emitted by the time the error arrives: a consumer must treat the bytes
     * as unverified until onComplete, e.g. write them to a temporary file and move it into place, or commit what it
     * derived from them, only then, and discard them on error.
     *
     * @param id the datum's id
     * @return the payload's bytes; fails with {@link DatumNotFoundException} if there is no such datum, with
     *     {@link InvalidArgumentException} if the datum's data is inline, and with {@link RegistryException} if the
     *     payload is missing or corrupt
     */
    Flux<ByteBuffer> getPayload(ObjectId id);

    /**
     * Streams the payload of a datum the caller already holds (from {@link #getData} or {@link #getDatum}), without
     * reading the datum again: for jobs that read many datums in batches and then stream their payloads. Streams,
     * verifies and fails exactly as {@link #getPayload(ObjectId)} does, against the SHA-256 and size that
     * {@code datum} records ({@link Datum#payload()}), so the bytes delivered are the bytes that hash is about even
     * if another client rewrites the stored datum meanwhile. Without a recorded hash, the bytes are checked against
     * the hash a content-addressed key ({@code ab/cd/<sha256>}) names, and not at all for another key: a caller that
     * needs a hash then computes its own. The datum is untrusted, like a stored document: its registry URI only
     * selects one of the lake's allowed registries (README "Trust boundary"), its key must be a valid registry key,
     * and nothing in it chooses an endpoint or credentials. Each emitted buffer was hashed before it was emitted and
     * is referenced by nothing else afterwards (neither the lake nor the backend reuses it), so a consumer that
     * writes the buffers as they arrive, without changing their content, writes exactly the verified bytes.
     *
     * @param datum a registry datum; its id is used in error messages only (the datum need not still exist)
     * @return the payload's bytes; fails with {@link InvalidArgumentException} if {@code datum} is null, its data is
     *     inline, or its registry key is not a valid key, with {@link RegistryNotAllowedException} if its registry is
     *     not one the lake may read, and with {@link RegistryException} if the payload is missing or does not match
     *     the recorded hash or size
     */
    Flux<ByteBuffer> getPayload(Datum datum);

    /**
     * Lists the ids of the datums derived directly from one datum.
     *
     * @param id the parent's id
     * @return the children's ids, oldest first; fails with {@link DatumNotFoundException} if the parent does not
     *     exist
     */
    Flux<ObjectId> getDirectlyDerivedData(ObjectId id);

    /**
     * Lists a datum and every datum derived from it, directly or not, breadth-first: the root first, then its
     * children, then their children, each id once. Resolved level by level with batched lookups.
     *
     * @param id the root's id
     * @return the ids, root first; fails with {@link DatumNotFoundException} if the root does not exist
     */
    Flux<ObjectId> getIndirectlyDerivedData(ObjectId id);

    /**
     * Lists a datum's ancestors: its parent, that parent's parent, and so on up to the root, nearest first. One
     * lookup per level (each parent is known only once its child is read). A parent that no longer exists ends
     * the chain, and a cycle written by another client is followed once round.
     *
     * @param id the datum's id
     * @return the ancestors' ids, nearest first; empty for a root; fails with {@link DatumNotFoundException} if
     *     the datum does not exist and with {@link InvalidArgumentException} if the id is null
     */
    Flux<ObjectId> getAncestors(ObjectId id);

    /**
     * Walks the lineage around a datum with the default limits ({@link Lineage#DEFAULT_MAX_DEPTH} levels each
     * way, {@link Lineage#DEFAULT_MAX_NODES} nodes).
     *
     * @param id the starting datum's id
     * @param direction which way to walk
     * @return the lineage; fails as {@link #getLineage(ObjectId, LineageDirection, int, int)} does
     */
    default Mono<Lineage> getLineage(ObjectId id, LineageDirection direction) {
        return getLineage(id, direction, Lineage.DEFAULT_MAX_DEPTH, Lineage.DEFAULT_MAX_NODES);
    }

    /**
     * Walks the lineage around a datum with the default node limit ({@link Lineage#DEFAULT_MAX_NODES}).
     *
     * @param id the starting datum's id
     * @param direction which way to walk
     * @param maxDepth how many levels to walk in each direction, 0 or more
     * @return the lineage; fails as {@link #getLineage(ObjectId, LineageDirection, int, int)} does
     */
    default Mono<Lineage> getLineage(ObjectId id, LineageDirection direction, int maxDepth) {
        return getLineage(id, direction, maxDepth, Lineage.DEFAULT_MAX_NODES);
    }

    /**
     * Walks the lineage around a datum: its ancestors ({@code UP}), its descendants ({@code DOWN}) or both, as
     * nodes that summarize each datum without its data, and the edges between them. Descendants are read one
     * level at a time with batched {@code $in} lookups; each datum is visited once even if the links form a cycle.
     * The walk stops after {@code maxDepth} levels in each direction and after {@code maxNodes} nodes; the result
     * reports both cuts ({@link Lineage#depthLimited()}, {@link Lineage#truncated()}).
     *
     * @param id the starting datum's id
     * @param direction which way to walk
     * @param maxDepth how many levels to walk in each direction, 0 or more
     * @param maxNodes the most nodes to collect, the start included, 1 or more
     * @return the lineage; fails with {@link DatumNotFoundException} if the datum does not exist and with
     *     {@link InvalidArgumentException} (before any I/O) if the id or direction is null or a limit is out of range
     */
    Mono<Lineage> getLineage(ObjectId id, LineageDirection direction, int maxDepth, int maxNodes);

    /**
     * Computes figures about the whole lake: datums, roots, the deepest derivation chain, counts by type and the
     * registry objects in use. Reads the whole lake (the chain depth level by level with batched lookups), so it
     * takes time proportional to the lake's size.
     *
     * @return the statistics
     */
    Mono<LakeStats> getStats();

    /**
     * Returns the datasets of this lake: named, immutable, versioned tables of datum ids with write-audit-publish.
     * The view shares this lake's connections and operation time limit.
     *
     * @return the datasets
     * @throws DatalakeException if this lake implementation has no datasets
     */
    default Datasets datasets() {
        throw new DatalakeException("datasets are not supported by " + getClass().getName());
    }

    /**
     * Deletes a datum, or with {@link io.datalake.delete.DeleteOptions#cascade()} its whole derivation subtree,
     * deepest level first in batches, so a process stopped midway leaves every remaining datum with its parent.
     * Refused before anything is written when the datum has children and cascade is off, when a published dataset
     * version retains any datum of the set, or when the subtree exceeds
     * {@link io.datalake.delete.DeleteOptions#maxNodes()}. Payloads are never deleted; the plan lists those no
     * remaining datum references. With {@link io.datalake.delete.DeleteOptions#dryRun()} the same plan is returned
     * and nothing is written.
     *
     * @param id the datum
     * @param options cascade, dry run, node limit, progress
     * @return the plan: ids in deletion order, payloads released, children that appeared meanwhile; fails with
     *     {@link DatumNotFoundException} for an unknown id, {@link io.datalake.delete.DatumHasChildrenException},
     *     {@link io.datalake.delete.DatumRetainedException}, {@link io.datalake.delete.SubtreeTooLargeException},
     *     {@link MalformedDatumException} when a document with a non-ObjectId {@code _id} derives from the subtree
     *     (it would be orphaned) or {@link InvalidArgumentException} for a null argument
     * @throws DatalakeException if this lake implementation cannot delete
     */
    default Mono<DeletePlan> delete(ObjectId id, DeleteOptions options) {
        throw new DatalakeException("delete is not supported by " + getClass().getName());
    }

    /**
     * Returns the processors of this lake: derivation functions run exactly once per input and processor version,
     * as a backfill or continuously, by any number of workers. The view shares this lake's connections and
     * operation time limit.
     *
     * @return the processors
     * @throws DatalakeException if this lake implementation has no processors
     */
    default Processors processors() {
        throw new DatalakeException("processors are not supported by " + getClass().getName());
    }

    /**
     * Returns the JSON Schemas of this lake: one versioned, immutable history per kind of datum, enforced on
     * {@code addDatum}/{@code addData} as {@link DatalakeSettings#schemas()} says.
     *
     * @return the schemas
     * @throws DatalakeException if this lake implementation has no schemas
     */
    default Schemas schemas() {
        throw new DatalakeException("schemas are not supported by " + getClass().getName());
    }

    /**
     * Checks the whole lake and streams the problems as they are found: registry objects missing or of another size
     * than recorded (and, with {@link FsckOptions#verify()}, another SHA-256), stored registry URIs outside the
     * allow-list (reported, never opened), parents that do not exist, stored documents that are not readable datums,
     * datums that violate the latest schema of their kind, and rows of draft or published dataset versions that
     * name missing datums. Never modifies anything. Reads the datums one page at a time in {@code _id} order, each
     * page one call under the operation time limit, so memory stays bounded whatever the lake's size; findings of a
     * page come in {@code _id} order, dataset findings after all datum findings. The subscriber's demand drives the
     * reads. {@link #fsck(FsckOptions, Consumer)} returns the summary instead.
     *
     * @param options what to check and how
     * @return the findings; empty when the lake is clean. Fails with {@link DatalakeException} subtypes when MongoDB
     *     fails (a registry failing for one object is a finding, {@link FsckFinding.Kind#UNREADABLE_PAYLOAD})
     * @throws DatalakeException (signalled) if this lake implementation has no fsck
     */
    default Flux<FsckFinding> fsck(FsckOptions options) {
        return Flux.error(new DatalakeException("fsck is not supported by " + getClass().getName()));
    }

    /**
     * Checks the whole lake as {@link #fsck(FsckOptions)} does, hands each finding to {@code onFinding} as it is
     * found, and ends with the summary: counts per kind, the first {@link FsckOptions#maxDetails()} findings and what
     * was checked. {@code onFinding} runs on the lake's I/O threads, one finding at a time; the check waits for it.
     * A callback that throws fails the check with a {@link DatalakeException} whose cause is its exception.
     *
     * @param options what to check and how
     * @param onFinding receives every finding, in the order {@link #fsck(FsckOptions)} emits them
     * @return the report; {@link FsckReport#clean()} when nothing was found
     * @throws DatalakeException (signalled) if this lake implementation has no fsck
     */
    default Mono<FsckReport> fsck(FsckOptions options, Consumer<? super FsckFinding> onFinding) {
        return Mono.error(new DatalakeException("fsck is not supported by " + getClass().getName()));
    }

    /**
     * Deletes registry objects that no datum references and that are older than the grace period, in the default
     * registry and every allowed registry that stored datums name (see {@link io.datalake.gc}). Safe under
     * concurrent writers, including writers that reuse an identical object already stored.
     *
     * @param options dry run, grace period, batch size
     * @return what was found and deleted; per-object failures are counted in the report, not signalled
     * @throws DatalakeException if this lake implementation has no garbage collection
     */
    default Mono<GcReport> gc(GcOptions options) {
        return Mono.error(new DatalakeException("gc is not supported by " + getClass().getName()));
    }

    /**
     * Follows the lake: streams the datums added after the start position of {@code options} that match its filter,
     * in roughly {@code _id} order, and keeps following until cancelled. Each datum is delivered once per start
     * position (see {@link io.datalake.feed} for the guarantee and the reorder window). Reads happen only on demand
     * and hold at most {@link WatchOptions#batchSize()} datums for a slow subscriber; every server call runs under the
     * operation time limit; transient failures are retried in place, keeping the position. Registry payloads are
     * not loaded ({@link Datum#data()} is null for them; read them with {@link #getPayload}). {@link #watchEvents}
     * also gives the position after each datum, to resume from.
     *
     * @param options filter, start position, reorder window, poll interval, batch size
     * @return the datums, never completing by itself; fails with {@link InvalidQueryException} before any I/O for a
     *     filter a query would refuse, with {@link io.datalake.feed.FeedTokenMismatchException} for a token made for
     *     another filter, {@link io.datalake.feed.InvalidFeedTokenException} for an unreadable token state, and
     *     with {@link DatalakeException} subtypes when MongoDB fails
     * @throws DatalakeException (signalled) if this lake implementation has no change feed
     */
    default Flux<Datum> watch(WatchOptions options) {
        return watchEvents(options).map(FeedEvent::datum);
    }

    /**
     * Follows the lake as {@link #watch} does and pairs each datum with the position right after it: store
     * {@link FeedToken#encode()} of the last event processed and resume with
     * {@link WatchOptions.Builder#from(FeedToken)}; the resumed feed delivers every later datum and none already
     * handed out before that event.
     *
     * @param options filter, start position, reorder window, poll interval, batch size
     * @return the events; fails as {@link #watch} does
     * @throws DatalakeException (signalled) if this lake implementation has no change feed
     */
    default Flux<FeedEvent> watchEvents(WatchOptions options) {
        return Flux.error(new DatalakeException("watch is not supported by " + getClass().getName()));
    }

    /**
     * Returns the position "now" for the filter of {@code options}: a feed resumed from it delivers exactly the
     * matching datums that were not yet visible when this call read the lake. A processor takes it before its
     * backfill query, so nothing added during the backfill is lost. Reads the datums of the reorder window once.
     *
     * @param options the filter (and reorder window, source) the position is for; the start is ignored
     * @return the token; fails as {@link #watch} does
     * @throws DatalakeException (signalled) if this lake implementation has no change feed
     */
    default Mono<FeedToken> feedPosition(WatchOptions options) {
        return Mono.error(new DatalakeException("feedPosition is not supported by " + getClass().getName()));
    }

    /**
     * Streams the rows of a multi-level query as they are resolved: each row maps every output column, in query
     * order, to the id of the datum picked there (see {@link Query} and {@link io.datalake.query.Strategy} for the
     * semantics). Rows come in base order; with {@link QueryOptions#datumsWanted()} the stream ends after that many
     * complete rows and reads no further. Backpressure is respected and cancelling stops the work and closes the
     * cursors. Memory is bounded by the batch size, plus the joins the plan chooses ({@link #explain}) and the base
     * ids of a random order.
     *
     * @param query the validated query
     * @param options rows wanted, seed, batch size, join hint
     * @return the rows; fails with {@link InvalidQueryException} if the server rejects a filter value and with
     *     {@link DatalakeException} if the store fails
     */
    Flux<Map<String, ObjectId>> queryRows(Query query, QueryOptions options);

    /**
     * Returns the plan {@link #queryRows} would run, without any I/O: per level the filter, the strategy and the
     * chosen join, so a caller can see why a query is slow.
     *
     * @param query the validated query
     * @param options the options the query would run with (the join choice depends on {@code datumsWanted})
     * @return the plan
     */
    QueryPlan explain(Query query, QueryOptions options);

    /**
     * Returns the plan of a query run with default options (all rows).
     *
     * @param query the validated query
     * @return the plan
     */
    default QueryPlan explain(Query query) {
        return explain(query, QueryOptions.defaults());
    }

    /**
     * Runs a query and collects its rows, like the Python {@code query_data(query, datums_wanted, transpose)}.
     *
     * @param query the validated query
     * @param datumsWanted the number of complete rows wanted, or null for all
     * @param transpose whether the caller wants the column-to-list shape ({@link QueryResult#transposed()})
     * @return the result; fails with {@link InvalidQueryException} before any I/O if {@code datumsWanted} is not
     *     positive, otherwise as {@link #queryRows} does
     */
    default Mono<QueryResult> queryData(Query query, @Nullable Integer datumsWanted, boolean transpose) {
        return Mono.defer(() -> queryRows(query, QueryOptions.datumsWanted(datumsWanted)).collectList()
                .map(rows -> new QueryResult(query.outputColumns(), rows, transpose)));
    }

    /**
     * Runs a query given as JSON in the syntax of the Mindtrace Python datalake (a list of level objects, or one
     * level object) and collects its rows.
     *
     * @param jsonQuery the query text
     * @param datumsWanted the number of complete rows wanted, or null for all
     * @param transpose whether the caller wants the column-to-list shape
     * @return the result; fails with {@link InvalidQueryException} before any I/O if the JSON is malformed, the
     *     query invalid or {@code datumsWanted} not positive
     */
    default Mono<QueryResult> queryData(String jsonQuery, @Nullable Integer datumsWanted, boolean transpose) {
        return Mono.defer(() -> queryData(Query.fromJson(jsonQuery), datumsWanted, transpose));
    }

    /**
     * Runs a query given as one map per level and collects its rows.
     *
     * @param query the levels, base first, with filter keys and the reserved keys
     * @param datumsWanted the number of complete rows wanted, or null for all
     * @param transpose whether the caller wants the column-to-list shape
     * @return the result; fails with {@link InvalidQueryException} before any I/O if the query is invalid or
     *     {@code datumsWanted} not positive
     */
    default Mono<QueryResult> queryData(List<? extends Map<String, ?>> query, @Nullable Integer datumsWanted,
            boolean transpose) {
        return Mono.defer(() -> queryData(Query.fromMaps(query), datumsWanted, transpose));
    }

    /**
     * Runs a query with explicit options (for example a seed) and collects its rows.
     *
     * @param query the validated query
     * @param options rows wanted, seed, batch size, join hint
     * @return the result, in the row shape; fails as {@link #queryRows} does
     */
    default Mono<QueryResult> queryData(Query query, QueryOptions options) {
        return queryRows(query, options).collectList()
                .map(rows -> new QueryResult(query.outputColumns(), rows, false));
    }

    /**
     * Returns a blocking view of this lake with the same methods, for callers that do not use Reactor.
     *
     * @return the blocking view; closing it closes this lake
     */
    default BlockingDatalake blocking() {
        return new DefaultBlockingDatalake(this);
    }

    /**
     * Returns a view of this lake whose server operations run under another time limit, like the driver's
     * {@code MongoCollection.withTimeout}: for one long export, or a tight limit on an interactive call. The view
     * shares this lake's connections, registries and settings; closing the view does nothing, closing this lake
     * closes the view too.
     *
     * <pre>{@code
     * lake.withOperationTimeout(Duration.ofMinutes(30)).queryRows(query, options).subscribe(...);
     * }</pre>
     *
     * @param timeout the limit of each server operation; see {@link DatalakeSettings#operationTimeout()}
     * @return the view
     * @throws InvalidArgumentException if the limit is null, under 1 ms or over
     *     {@link DatalakeSettings#MAX_OPERATION_TIMEOUT}
     */
    Datalake withOperationTimeout(Duration timeout);

    /**
     * Closes the lake: its MongoDB client, its registry handles and, for an embedded lake, its server. Inserts
     * still under way (of cancelled calls, too) are first awaited, at most three operation timeouts, so that a
     * failed batch is undone before the connection goes. Idempotent.
     */
    @Override
    void close();
}
