package io.datalake.query.engine.internal.traversal;

import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.ForeignIds;
import io.datalake.query.engine.Subtree;
import io.datalake.query.engine.internal.link.ChildLookup;
import io.datalake.query.engine.internal.link.Link;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;

/**
 * Finds a datum's subtree level by level with batched {@link ChildLookup}s, keeping the levels (a delete removes
 * the deepest first) and stopping as soon as more than a given number of datums is found, so memory is bounded by
 * that limit. Unlike {@link DescendantWalker} it never switches to a scan of the lake: the limit keeps the levels
 * small enough for index lookups. A document whose {@code _id} is not an ObjectId but whose {@code derived_from}
 * is a subtree datum is reported, not skipped: deleting its parent would orphan it.
 */
public final class SubtreeWalker {
    private static final String OPERATION = "delete";

    private final MongoCollection<Link> links;
    private final int batchSize;

    /**
     * Prepares walks over a collection.
     *
     * @param links the collection of datum documents, read as links
     * @param batchSize parents per lookup
     */
    public SubtreeWalker(MongoCollection<Link> links, int batchSize) {
        this.links = links;
        this.batchSize = batchSize;
    }

    /**
     * Walks the subtree under {@code root}.
     *
     * @param root an existing datum's id
     * @param maxNodes the most datums to collect; finding more ends the walk with an incomplete subtree
     * @return the subtree by levels
     */
    public Mono<Subtree> walk(ObjectId root, int maxNodes) {
        return Mono.defer(() -> {
            List<List<ObjectId>> levels = new ArrayList<>();
            levels.add(List.of(root));
            Set<ObjectId> seen = new HashSet<>();
            seen.add(root);
            List<String> foreign = new ArrayList<>();
            return next(levels, seen, foreign, maxNodes);
        });
    }

    private Mono<Subtree> next(List<List<ObjectId>> levels, Set<ObjectId> seen, List<String> foreign,
            int maxNodes) {
        List<ObjectId> level = levels.get(levels.size() - 1);
        List<ObjectId> children = new ArrayList<>();
        return ChildLookup.find(links, level, batchSize, null, find -> find.projection(ChildLookup.LINK_PROJECTION))
                .filter(link -> {
                    if (link.id() == null && link.parent() != null) {
                        if (foreign.size() < Subtree.MAX_FOREIGN) {
                            foreign.add(ForeignIds.describe(link.foreignId()));
                        }
                        return false;
                    }
                    return ForeignDocuments.isChild(link, OPERATION);
                })
                // takeWhile cancels the lookup once the limit is passed: no more is read than the limit.
                .takeWhile(link -> seen.size() <= maxNodes)
                .doOnNext(link -> {
                    ObjectId id = link.id();
                    if (id != null && seen.add(id)) {
                        children.add(id);
                    }
                })
                .then(Mono.defer(() -> {
                    if (seen.size() > maxNodes) {
                        return Mono.just(new Subtree(levels, false, foreign));
                    }
                    if (children.isEmpty()) {
                        return Mono.just(new Subtree(levels, true, foreign));
                    }
                    levels.add(children);
                    return next(levels, seen, foreign, maxNodes);
                }));
    }

    /**
     * Finds the children of many parents, one lookup per batch.
     *
     * @param parents the parents, without duplicates
     * @return their children's ids, in no particular order; foreign documents are skipped with a warning
     */
    public Flux<ObjectId> children(List<ObjectId> parents) {
        if (parents.isEmpty()) {
            return Flux.empty();
        }
        return ChildLookup.find(links, parents, batchSize, null, find -> find.projection(ChildLookup.LINK_PROJECTION))
                .filter(link -> ForeignDocuments.isChild(link, OPERATION))
                .<ObjectId>handle((link, sink) -> {
                    ObjectId id = link.id();
                    if (id != null) {
                        sink.next(id);
                    }
                });
    }

    /**
     * Finds the first children of one parent and counts them all.
     *
     * @param parent the parent
     * @param limit how many children to name
     * @return the count of documents deriving from the parent (foreign ones included: they would be orphaned
     *     too) and up to {@code limit} child ids, oldest first
     */
    public Mono<Tuple2<Long, List<ObjectId>>> firstChildren(ObjectId parent, int limit) {
        BsonDocument filter = ChildLookup.filter(List.of(parent), null);
        Mono<List<ObjectId>> first = Flux.from(links.find(filter).projection(ChildLookup.LINK_PROJECTION)
                        .sort(Sorts.ascending(DatumFields.ADDED_AT, DatumFields.ID)).limit(limit))
                .filter(link -> link.parent() != null)
                .<ObjectId>handle((link, sink) -> {
                    ObjectId id = link.id();
                    if (id != null) {
                        sink.next(id);
                    }
                })
                .collectList();
        return Mono.zip(Mono.from(links.countDocuments(filter)), first);
    }
}
