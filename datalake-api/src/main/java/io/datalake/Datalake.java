package io.datalake;

import io.datalake.internal.DefaultBlockingDatalake;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import java.util.List;
import java.util.Map;
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
     * @param datum the datum to add
     * @return the stored datum; fails as {@link #addDatum(Object, Map, String, ObjectId)} does
     */
    Mono<Datum> addDatum(NewDatum datum);

    /**
     * Adds many datums with batched {@code insertMany}, requesting from {@code data} only as fast as batches are
     * written. A datum's parent may be an existing datum or one that comes earlier in {@code data}.
     *
     * <p>Each batch is validated as a whole before it is written: a bad datum or an unknown parent fails the call
     * and nothing of its batch is written; earlier batches stay written (they are complete, valid datums).
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
     * Returns a blocking view of this lake with the same methods, for callers that do not use Reactor.
     *
     * @return the blocking view; closing it closes this lake
     */
    default BlockingDatalake blocking() {
        return new DefaultBlockingDatalake(this);
    }

    /**
     * Closes the lake: its MongoDB client, its registry handles and, for an embedded lake, its server.
     * Idempotent.
     */
    @Override
    void close();
}
