package io.datalake.query.engine;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Projections.include;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatumNotFoundException;
import io.datalake.InvalidArgumentException;
import io.datalake.LakeStats;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.query.engine.internal.link.ChildLookup;
import io.datalake.query.engine.internal.link.Link;
import io.datalake.query.engine.internal.traversal.DescendantWalker;
import io.datalake.query.engine.internal.traversal.DirectChildren;
import io.datalake.query.engine.internal.traversal.LineageWalker;
import io.datalake.query.engine.internal.traversal.StatsCollector;
import io.datalake.query.engine.internal.traversal.SubtreeWalker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;

/**
 * Walks the {@code derived_from} links of a MongoDB collection of datum documents (Mindtrace layout, see
 * {@link DatumFields}): children, descendants, ancestors, lineage subgraphs and lake statistics. Every walk finds
 * children with batched {@code $in} lookups on {@code derived_from} (a ranged {@code $in}, one query per batch of
 * parents, never one per datum); the descendant walk switches to one projected pass over the lake once a level is a
 * large share of it. Walks are cycle-safe: a cycle written by another client ends the walk instead of looping.
 * Documents another client wrote with a non-ObjectId {@code _id} or {@code derived_from} are skipped with one SLF4J
 * warning each. Server failures are translated by {@link ServerFailures#translate}.
 *
 * <p>Every method returns a cold publisher: nothing is read until it is subscribed. Thread-safe.
 */
public final class DerivationGraph {
    private final MongoCollection<Document> documents;
    private final MongoCollection<Link> links;
    private final int batchSize;
    private final Runnable openCheck;

    /**
     * Creates a graph over a collection.
     *
     * @param datums the collection of datum documents
     * @param batchSize parents per lookup query
     * @param openCheck run before a walk checks that its datum exists; throws (a
     *     {@link io.datalake.DatalakeException}) to refuse the call, e.g. because the store is closed
     * @throws InvalidArgumentException if an argument is null or {@code batchSize} is less than 1
     */
    public DerivationGraph(MongoCollection<?> datums, int batchSize, Runnable openCheck) {
        if (datums == null || openCheck == null || batchSize < 1) {
            throw new InvalidArgumentException("DerivationGraph: datums and openCheck must not be null and batchSize"
                    + " must be at least 1, got " + batchSize);
        }
        this.documents = datums.withDocumentClass(Document.class);
        this.links = ChildLookup.links(datums);
        this.batchSize = batchSize;
        this.openCheck = openCheck;
    }

    /**
     * Returns the children of a datum ({@code getDirectlyDerivedData}).
     *
     * @param id the datum
     * @return its children, oldest first (by {@code added_at}, then {@code _id}); fails with
     *     {@link InvalidArgumentException} for a null id and {@link DatumNotFoundException} when it does not exist
     */
    public Flux<ObjectId> children(@Nullable ObjectId id) {
        if (id == null) {
            return Flux.error(new InvalidArgumentException("getDirectlyDerivedData: id must not be null"));
        }
        // The existence check and the children lookup are independent: run them concurrently.
        return Mono.zip(requireExisting(id, "getDirectlyDerivedData").thenReturn(true),
                        DirectChildren.byParent(links, List.of(id), batchSize))
                .flatMapIterable(both -> both.getT2().getOrDefault(id, List.of()));
    }

    /**
     * Returns a datum and all its descendants ({@code getIndirectlyDerivedData}).
     *
     * @param id the datum
     * @return the datum, then its descendants breadth-first, each parent's children oldest first, each datum once;
     *     fails with {@link InvalidArgumentException} for a null id and {@link DatumNotFoundException} when it does
     *     not exist
     */
    public Flux<ObjectId> descendants(@Nullable ObjectId id) {
        if (id == null) {
            return Flux.error(new InvalidArgumentException("getIndirectlyDerivedData: id must not be null"));
        }
        return requireExisting(id, "getIndirectlyDerivedData")
                .thenMany(new DescendantWalker(links, batchSize).walk(id))
                .onErrorMap(e -> ServerFailures.translate("getIndirectlyDerivedData " + id, e));
    }

    /**
     * Returns the ancestors of a datum ({@code getAncestors}).
     *
     * @param id the datum
     * @return its ancestors, nearest first, up to the root; fails with {@link InvalidArgumentException} for a null
     *     id and {@link DatumNotFoundException} when it does not exist
     */
    public Flux<ObjectId> ancestors(@Nullable ObjectId id) {
        return new LineageWalker(documents, batchSize).ancestors(id);
    }

    /**
     * Returns the lineage subgraph around a datum ({@code getLineage}): one batched lookup per level.
     *
     * @param id the datum
     * @param direction ancestors, descendants or both
     * @param maxDepth how many levels to walk each way (0 or more)
     * @param maxNodes the most nodes to return (1 or more)
     * @return the nodes and edges, saying whether a limit cut the walk short; fails with
     *     {@link InvalidArgumentException} for a bad argument and {@link DatumNotFoundException} when the datum
     *     does not exist
     */
    public Mono<Lineage> lineage(
            @Nullable ObjectId id, @Nullable LineageDirection direction, int maxDepth, int maxNodes) {
        return new LineageWalker(documents, batchSize).lineage(id, direction, maxDepth, maxNodes);
    }

    /**
     * Computes the lake's statistics ({@code getStats}): counts, roots, types, registry figures and the deepest
     * derivation chain.
     *
     * @return the statistics; fails with a {@link io.datalake.DatalakeException} when reading fails
     */
    public Mono<LakeStats> stats() {
        return new StatsCollector(documents, links, batchSize).collect();
    }

    /**
     * Returns which of the given datums some datum outside them derives from: the store asks before it removes a
     * failed batch, since removing those would orphan their children. Nothing is skipped or reported here: a
     * child with a foreign {@code _id} is outside the set and counts. Does not run {@code openCheck} (a closing
     * store still undoes its failed writes).
     *
     * @param ids the datums
     * @return the ids among {@code ids} with at least one child not in {@code ids}
     */
    public Mono<Set<ObjectId>> parentsWithOutsideChildren(Set<ObjectId> ids) {
        return ChildLookup.find(links, new ArrayList<>(ids), batchSize, null,
                        find -> find.projection(include(DatumFields.ID, DatumFields.DERIVED_FROM)))
                .collect(HashSet<ObjectId>::new, (parents, child) -> {
                    ObjectId childId = child.id();
                    ObjectId parent = child.parent();
                    if (parent != null && (childId == null || !ids.contains(childId))) {
                        parents.add(parent);
                    }
                });
    }

    /**
     * Returns a datum's subtree by levels, for a delete that removes the deepest level first. Lookups in batches,
     * one level at a time; the walk stops once more than {@code maxNodes} datums are found, so memory is bounded by
     * the limit. Does not check that the datum exists (the caller has read it).
     *
     * @param id the datum
     * @param maxNodes the most datums (the datum included) to collect, 1 or more
     * @return the subtree, incomplete when it has more than {@code maxNodes} datums; fails with
     *     {@link InvalidArgumentException} for a null id or a limit below 1
     */
    public Mono<Subtree> subtree(@Nullable ObjectId id, int maxNodes) {
        if (id == null || maxNodes < 1) {
            return Mono.error(new InvalidArgumentException("subtree: id must not be null and maxNodes must be at"
                    + " least 1, got " + id + " and " + maxNodes));
        }
        return Mono.defer(() -> {
                    openCheck.run();
                    return new SubtreeWalker(links, batchSize).walk(id, maxNodes);
                })
                .onErrorMap(e -> ServerFailures.translate("walking the subtree of " + id, e));
    }

    /**
     * Counts the documents deriving from a datum and names the first of them.
     *
     * @param id the datum
     * @param limit how many children to name, 0 or more
     * @return the count (documents with a foreign {@code _id} included) and up to {@code limit} child ids, oldest
     *     first
     */
    public Mono<Tuple2<Long, List<ObjectId>>> firstChildren(ObjectId id, int limit) {
        return Mono.defer(() -> {
                    openCheck.run();
                    return new SubtreeWalker(links, batchSize).firstChildren(id, Math.max(1, limit));
                })
                .onErrorMap(e -> ServerFailures.translate("looking up children of " + id, e));
    }

    /**
     * Returns the children of many datums, one batched lookup per {@code batchSize} parents: a delete looks once,
     * after its last level, for children added meanwhile.
     *
     * @param parents the parents, without duplicates
     * @return their children's ids, in no particular order; foreign documents are skipped with a warning
     */
    public Flux<ObjectId> childrenOf(List<ObjectId> parents) {
        return Flux.defer(() -> new SubtreeWalker(links, batchSize).children(parents))
                .onErrorMap(e -> ServerFailures.translate("looking up children of " + parents.size() + " datums", e));
    }

    /** Completes empty when the datum exists, else fails with {@link DatumNotFoundException}. */
    private Mono<Void> requireExisting(ObjectId id, String context) {
        return Mono.defer(() -> {
                    openCheck.run();
                    return Mono.from(documents.find(eq(DatumFields.ID, id)).projection(include(DatumFields.ID)).first());
                })
                .onErrorMap(e -> ServerFailures.translate(context, e))
                .switchIfEmpty(Mono.error(() -> new DatumNotFoundException(context, List.of(id))))
                .then();
    }
}
