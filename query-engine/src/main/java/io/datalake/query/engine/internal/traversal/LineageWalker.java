package io.datalake.query.engine.internal.traversal;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Projections.include;
import static com.mongodb.client.model.Sorts.ascending;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatumNotFoundException;
import io.datalake.InvalidArgumentException;
import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageDirection;
import io.datalake.lineage.LineageEdge;
import io.datalake.lineage.LineageNode;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.ServerFailures;
import io.datalake.query.engine.internal.link.ChildLookup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Walks {@code derived_from} links for {@code getAncestors} and {@code getLineage}. Ancestors are one lookup per
 * level (a parent is known only once its child is read); descendants are one batched {@link ChildLookup} per level
 * and batch of parents, cycle-safe and bounded by {@code maxDepth} and {@code maxNodes}. Documents are summarized as they stream in, so memory grows with
 * the node count, not with the size of the datums.
 */
public final class LineageWalker {
    private static final Bson NODE_FIELDS = include(DatumFields.ID, DatumFields.DERIVED_FROM, DatumFields.ADDED_AT,
            DatumFields.DATA, DatumFields.METADATA, DatumFields.REGISTRY_URI);
    private static final Bson LINK_FIELDS = include(DatumFields.ID, DatumFields.DERIVED_FROM);
    private static final Comparator<LineageNode> OLDEST_FIRST =
            Comparator.comparing(LineageNode::addedAt).thenComparing(LineageNode::id);

    private final MongoCollection<Document> documents;
    private final int batchSize;

    /**
     * Prepares walks over a collection.
     *
     * @param documents the collection of datum documents
     * @param batchSize parents per lookup
     */
    public LineageWalker(MongoCollection<Document> documents, int batchSize) {
        this.documents = documents;
        this.batchSize = batchSize;
    }

    /**
     * Walks up from a datum to its root.
     *
     * @param id the datum
     * @return its ancestors, nearest first; fails with {@link InvalidArgumentException} for a null id, with
     *     {@link DatumNotFoundException} when the datum does not exist
     */
    public Flux<ObjectId> ancestors(@Nullable ObjectId id) {
        if (id == null) {
            return Flux.error(new InvalidArgumentException("getAncestors: id must not be null"));
        }
        return Flux.defer(() -> {
            Set<ObjectId> seen = new HashSet<>();
            seen.add(id);
            return findOne(id, LINK_FIELDS, "getAncestors")
                    .switchIfEmpty(Mono.error(() -> new DatumNotFoundException("getAncestors", List.of(id))))
                    .expand(doc -> {
                        ObjectId parent = derivedFrom(doc);
                        // A repeated id means a cycle written by another client: stop after one round.
                        if (parent == null || !seen.add(parent)) {
                            return Mono.empty();
                        }
                        return findOne(parent, LINK_FIELDS, "getAncestors");
                    })
                    .skip(1)
                    // Found by an ObjectId _id, so the id is one.
                    .map(doc -> doc.getObjectId(DatumFields.ID));
        });
    }

    /**
     * Collects the lineage subgraph around a datum.
     *
     * @param id the datum
     * @param direction ancestors, descendants or both
     * @param maxDepth how many levels to walk each way
     * @param maxNodes the most nodes to collect
     * @return the subgraph; fails with {@link InvalidArgumentException} for a bad argument, with
     *     {@link DatumNotFoundException} when the datum does not exist
     */
    public Mono<Lineage> lineage(
            @Nullable ObjectId id, @Nullable LineageDirection direction, int maxDepth, int maxNodes) {
        if (id == null) {
            return Mono.error(new InvalidArgumentException("getLineage: id must not be null"));
        }
        if (direction == null) {
            return Mono.error(new InvalidArgumentException("getLineage: direction must not be null"));
        }
        if (maxDepth < 0) {
            return Mono.error(new InvalidArgumentException("getLineage: maxDepth must be 0 or more, got " + maxDepth));
        }
        if (maxNodes < 1) {
            return Mono.error(new InvalidArgumentException("getLineage: maxNodes must be 1 or more, got " + maxNodes));
        }
        return Mono.defer(() -> {
            Walk walk = new Walk(id, direction, maxDepth, maxNodes);
            return findOne(id, NODE_FIELDS, "getLineage")
                    .switchIfEmpty(Mono.error(() -> new DatumNotFoundException("getLineage", List.of(id))))
                    .flatMap(doc -> {
                        LineageNode start = toNode(doc, 0);
                        walk.add(start);
                        Mono<Void> up = direction.includesAncestors() ? walkUp(walk, start) : Mono.empty();
                        Mono<Void> down = direction.includesDescendants() ? walkDown(walk) : Mono.empty();
                        return up.then(down);
                    })
                    .then(Mono.fromSupplier(walk::toLineage));
        });
    }

    private Mono<Void> walkUp(Walk walk, LineageNode start) {
        return Mono.just(start)
                .expand(node -> {
                    ObjectId parent = node.derivedFrom();
                    if (parent == null || walk.contains(parent)) {
                        return Mono.empty();
                    }
                    // At a limit, the cut is reported only if the parent really exists (it may be dangling).
                    if (-node.depth() >= walk.maxDepth) {
                        return findOne(parent, LINK_FIELDS, "getLineage")
                                .doOnNext(doc -> walk.depthLimited = true)
                                .then(Mono.empty());
                    }
                    if (walk.full()) {
                        return findOne(parent, LINK_FIELDS, "getLineage")
                                .doOnNext(doc -> walk.truncated = true)
                                .then(Mono.empty());
                    }
                    // A parent that no longer exists ends the chain: findOne completes empty.
                    return findOne(parent, NODE_FIELDS, "getLineage")
                            .map(doc -> walk.add(toNode(doc, node.depth() - 1)));
                })
                .then();
    }

    private Mono<Void> walkDown(Walk walk) {
        return Mono.just(List.of(walk.start))
                .expand(level -> {
                    int depth = walk.depthOf(level.get(0));
                    if (depth >= walk.maxDepth) {
                        return hasChildren(level).doOnNext(found -> walk.depthLimited |= found).then(Mono.empty());
                    }
                    return nextLevel(walk, level, depth + 1);
                })
                .then();
    }

    /** Reads the children of one level, keeping at most as many as the node limit still allows. */
    private Mono<List<ObjectId>> nextLevel(Walk walk, List<ObjectId> level, int depth) {
        if (walk.full()) {
            return hasChildren(level).doOnNext(found -> walk.truncated |= found).then(Mono.empty());
        }
        int room = walk.maxNodes - walk.size();
        return ChildLookup.find(documents, level, batchSize, null, find -> find
                        .projection(NODE_FIELDS)
                        .sort(ascending(DatumFields.ADDED_AT, DatumFields.ID)))
                .onErrorMap(e -> ServerFailures.translate("getLineage: reading level " + depth, e))
                .filter(doc -> ForeignDocuments.isChild(doc, "getLineage")
                        && !walk.contains(doc.getObjectId(DatumFields.ID)))
                .map(doc -> toNode(doc, depth))
                // One more than there is room for tells whether the limit cut the level; the rest is never read.
                .take(room + 1L, true)
                .collectList()
                .flatMap(children -> {
                    if (children.size() > room) {
                        walk.truncated = true;
                        children = children.subList(0, room);
                    }
                    children = new ArrayList<>(children);
                    children.sort(OLDEST_FIRST);
                    List<ObjectId> next = new ArrayList<>(children.size());
                    for (LineageNode child : children) {
                        // Two parents in one level cannot share a child, but a cycle can repeat an id.
                        if (!walk.contains(child.id())) {
                            walk.add(child);
                            next.add(child.id());
                        }
                    }
                    return next.isEmpty() ? Mono.empty() : Mono.just(next);
                });
    }

    private Mono<Boolean> hasChildren(List<ObjectId> parents) {
        return ChildLookup.find(documents, parents, batchSize, null, find -> find.projection(LINK_FIELDS).limit(1))
                .onErrorMap(e -> ServerFailures.translate("getLineage: looking for deeper datums", e))
                .hasElements();
    }

    private Mono<Document> findOne(ObjectId id, Bson projection, String context) {
        return Mono.from(documents.find(eq(DatumFields.ID, id)).projection(projection).first())
                .onErrorMap(e -> ServerFailures.translate(context + " " + id, e));
    }

    private static @Nullable ObjectId derivedFrom(Document doc) {
        return doc.get(DatumFields.DERIVED_FROM) instanceof ObjectId parent ? parent : null;
    }

    private static LineageNode toNode(Document doc, int depth) {
        Instant instant = doc.get(DatumFields.ADDED_AT) instanceof Date addedAt ? addedAt.toInstant() : Instant.EPOCH;
        Object data = doc.get(DatumFields.DATA);
        Object metadata = doc.get(DatumFields.METADATA);
        boolean inRegistry = doc.get(DatumFields.REGISTRY_URI) != null;
        String type = DatumSummaries.type(data, metadata);
        return new LineageNode(doc.getObjectId(DatumFields.ID), derivedFrom(doc), instant, depth, type,
                DatumSummaries.summarize(type, data, metadata, inRegistry), inRegistry);
    }

    /** The mutable state of one walk; touched by one reactive step at a time. */
    private static final class Walk {
        final ObjectId start;
        final LineageDirection direction;
        final int maxDepth;
        final int maxNodes;
        final Map<ObjectId, LineageNode> nodes = new LinkedHashMap<>();
        boolean truncated;
        boolean depthLimited;

        Walk(ObjectId start, LineageDirection direction, int maxDepth, int maxNodes) {
            this.start = start;
            this.direction = direction;
            this.maxDepth = maxDepth;
            this.maxNodes = maxNodes;
        }

        LineageNode add(LineageNode node) {
            nodes.put(node.id(), node);
            return node;
        }

        boolean contains(ObjectId id) {
            return nodes.containsKey(id);
        }

        int depthOf(ObjectId id) {
            // Walks ask only for ids already added (the start, then the children they found).
            return Objects.requireNonNull(nodes.get(id), "walked node").depth();
        }

        int size() {
            return nodes.size();
        }

        boolean full() {
            return nodes.size() >= maxNodes;
        }

        Lineage toLineage() {
            List<LineageNode> ordered = new ArrayList<>(nodes.values());
            // Stable: within a depth the walk's oldest-first order is kept.
            ordered.sort(Comparator.comparingInt(LineageNode::depth));
            List<LineageEdge> edges = new ArrayList<>();
            for (LineageNode node : ordered) {
                ObjectId parent = node.derivedFrom();
                if (parent != null && nodes.containsKey(parent)) {
                    edges.add(new LineageEdge(parent, node.id()));
                }
            }
            return new Lineage(start, direction, maxDepth, ordered, edges, truncated, depthLimited);
        }
    }
}
