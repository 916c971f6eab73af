package io.datalake.mongo.internal;

import static com.mongodb.client.model.Projections.include;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoCollection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Finds every descendant of a datum, breadth-first, for {@code getIndirectlyDerivedData}.
 *
 * <p>Two ways to resolve a level, picked per level by how much of the lake it involves:
 * <ul>
 *   <li><b>lookup</b>: {@code find({derived_from: {$in: level}})} in batches. Cheap with the
 *       {@code derived_from} index when few parents are involved.</li>
 *   <li><b>scan</b>: once a level holds more than {@link #SCAN_SHARE} of the lake, one projected pass over the
 *       linked datums in storage order adds every datum whose parent is already reached. A child is written after
 *       its parent, so one pass normally reaches the whole remaining tree; another pass runs only when one may
 *       have been passed over (see {@link #scanRest}). Memory is the result plus a Bloom filter of at most
 *       {@link ParentFilter#MAX_BYTES}, never the lake. This bounds the walk by about one pass where lookups would
 *       cost one index probe per parent (or, on servers without the index such as the embedded one, a collection
 *       scan per batch).</li>
 * </ul>
 * Both record each node once, so cycles written by foreign clients terminate.
 */
final class DescendantWalker {
    /** Share of the lake above which a level is resolved by a scan instead of lookups. */
    static final double SCAN_SHARE = 0.001;
    /** Smallest level that may be scanned; tiny lakes always use lookups. */
    static final int MIN_SCAN_LEVEL = 64;

    private static final Bson PROJECTION =
            include(DatumEntity.ID, DatumEntity.DERIVED_FROM, DatumEntity.ADDED_AT);
    private static final Comparator<Node> OLDEST_FIRST =
            Comparator.comparing((Node n) -> n.addedAt).thenComparing(n -> n.id);

    private final MongoCollection<Document> documents;
    private final int batchSize;

    DescendantWalker(MongoCollection<Document> documents, int batchSize) {
        this.documents = documents;
        this.batchSize = batchSize;
    }

    /**
     * Walks the tree under {@code root}.
     *
     * @param root an existing datum's id
     * @return the root then its descendants, level by level, each parent's children oldest first
     */
    Flux<ObjectId> walk(ObjectId root) {
        return Mono.from(documents.estimatedDocumentCount())
                .flatMapMany(lakeSize -> {
                    long scanAbove = Math.max(MIN_SCAN_LEVEL, (long) (lakeSize * SCAN_SHARE));
                    Map<ObjectId, Node> reached = new HashMap<>();
                    reached.put(root, new Node(root, null, new Date(0)));
                    return Flux.just(List.of(root))
                            .expand(level -> level.size() > scanAbove
                                    ? scanRest(reached, lakeSize).then(Mono.empty())
                                    : lookupLevel(level, reached))
                            .then(Mono.fromCallable(() -> breadthFirst(root, reached)))
                            .flatMapIterable(ids -> ids);
                });
    }

    /** Resolves one level with {@code $in} lookups; emits the next level, or nothing when it is empty. */
    private Mono<List<ObjectId>> lookupLevel(List<ObjectId> level, Map<ObjectId, Node> reached) {
        return Flux.fromIterable(MongoDatalake.partition(level, batchSize))
                .concatMap(batch -> Flux.from(documents.find(childrenOf(batch)).projection(PROJECTION)))
                .filter(doc -> LineageWalker.isChild(doc, "getIndirectlyDerivedData"))
                .map(DescendantWalker::node)
                .filter(node -> reached.putIfAbsent(node.id, node) == null)
                .map(node -> node.id)
                .collectList()
                .filter(next -> !next.isEmpty());
    }

    /**
     * {@code derived_from} in the batch. The range around the {@code $in} matches the same datums (every listed id
     * lies inside it) but lets a server that evaluates filters document by document reject most of them with two
     * comparisons instead of a list search; with the index it only narrows the bounds.
     */
    static Bson childrenOf(List<ObjectId> parents) {
        ObjectId min = parents.get(0);
        ObjectId max = parents.get(0);
        for (ObjectId id : parents) {
            min = id.compareTo(min) < 0 ? id : min;
            max = id.compareTo(max) > 0 ? id : max;
        }
        return Filters.and(
                Filters.gte(DatumEntity.DERIVED_FROM, min),
                Filters.lte(DatumEntity.DERIVED_FROM, max),
                Filters.in(DatumEntity.DERIVED_FROM, parents));
    }

    /**
     * Scans the linked datums until nothing can be missing. A pass in storage order reaches every datum whose
     * parent was reached earlier in the pass; children are written after their parents, so that is normally the
     * whole tree. A datum passed over because its parent was not reached yet is remembered in a Bloom filter by its
     * parent; only if a datum reached later in the pass might be such a parent is another pass needed. The filter
     * has no false negatives, so nothing is missed; a false positive costs one extra pass.
     */
    private Mono<Void> scanRest(Map<ObjectId, Node> reached, long lakeSize) {
        return Mono.defer(() -> {
            ParentFilter passedOver = new ParentFilter(lakeSize);
            boolean[] mayHaveMissed = {false};
            return Flux.from(documents.find(Filters.ne(DatumEntity.DERIVED_FROM, null))
                            .projection(PROJECTION)
                            .batchSize(10_000))
                    .doOnNext(doc -> {
                        ObjectId id = StoredDatums.objectId(doc.get(DatumEntity.ID));
                        ObjectId parent = StoredDatums.objectId(doc.get(DatumEntity.DERIVED_FROM));
                        if (id == null || parent == null) {
                            ForeignDocuments.skipped("getIndirectlyDerivedData", doc.get(DatumEntity.ID),
                                    id == null ? "its _id is not an ObjectId" : LineageWalker.NOT_AN_OBJECT_ID_PARENT);
                            return;
                        }
                        if (reached.containsKey(id)) {
                            return;
                        }
                        if (reached.containsKey(parent)) {
                            reached.put(id, node(doc));
                            mayHaveMissed[0] |= passedOver.mightContain(id);
                        } else {
                            passedOver.add(parent);
                        }
                    })
                    .then(Mono.defer(() -> mayHaveMissed[0] ? scanRest(reached, lakeSize) : Mono.empty()));
        });
    }

    private static List<ObjectId> breadthFirst(ObjectId root, Map<ObjectId, Node> reached) {
        Map<ObjectId, List<Node>> children = new HashMap<>();
        for (Node node : reached.values()) {
            if (node.parent != null && !node.id.equals(root)) {
                children.computeIfAbsent(node.parent, k -> new ArrayList<>()).add(node);
            }
        }
        children.values().forEach(list -> list.sort(OLDEST_FIRST));
        List<ObjectId> order = new ArrayList<>(reached.size());
        order.add(root);
        for (int i = 0; i < order.size(); i++) {
            for (Node child : children.getOrDefault(order.get(i), List.of())) {
                order.add(child.id);
            }
        }
        return order;
    }

    private static Node node(Document doc) {
        Object addedAt = doc.get(DatumEntity.ADDED_AT);
        return new Node(doc.getObjectId(DatumEntity.ID), doc.getObjectId(DatumEntity.DERIVED_FROM),
                addedAt instanceof Date ? (Date) addedAt : new Date(0));
    }

    private static final class Node {
        final ObjectId id;
        final @Nullable ObjectId parent;
        final Date addedAt;

        Node(ObjectId id, @Nullable ObjectId parent, Date addedAt) {
            this.id = id;
            this.parent = parent;
            this.addedAt = addedAt;
        }
    }
}
