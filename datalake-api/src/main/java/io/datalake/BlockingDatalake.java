package io.datalake;

import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import java.util.List;
import java.util.Map;
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
     * Adds many datums in batches.
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
     * Returns the reactive lake behind this view.
     *
     * @return the reactive lake
     */
    Datalake reactive();

    /** Closes the lake behind this view. */
    @Override
    void close();
}
