package io.datalake.query.engine.internal.traversal;

import static com.mongodb.client.model.Filters.ne;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.internal.link.ChildLookup;
import io.datalake.query.engine.internal.link.Link;
import io.datalake.query.engine.internal.link.LookupOrScan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Finds every descendant of a datum, breadth-first, for {@code getIndirectlyDerivedData}.
 *
 * <p>Two ways to resolve a level, picked per level by {@link LookupOrScan#scanAbove} from how much of the lake it
 * involves:
 * <ul>
 *   <li><b>lookup</b>: {@link ChildLookup} in batches. Cheap with the {@code derived_from} index when few parents
 *       are involved.</li>
 *   <li><b>scan</b>: once a level is large, one projected pass over the linked datums in storage order adds every
 *       datum whose parent is already reached. A child is written after its parent, so one pass normally reaches
 *       the whole remaining tree; another pass runs only when one may have been passed over (see
 *       {@link #scanRest}). Memory is the result plus a Bloom filter of at most {@link ParentFilter#MAX_BYTES},
 *       never the lake. This bounds the walk by about one pass where lookups would cost one index probe per parent
 *       (or, on servers without the index such as the embedded one, a collection scan per batch).</li>
 * </ul>
 * Both record each node once, so cycles written by foreign clients terminate.
 */
public final class DescendantWalker {
    /** The public operation named in warnings about skipped documents. */
    private static final String OPERATION = "getIndirectlyDerivedData";
    /** Documents per cursor batch of the scan; large batches cut round trips, the driver caps them at 16 MB. */
    private static final int SCAN_CURSOR_BATCH = 10_000;
    private static final Comparator<Link> OLDEST_FIRST =
            Comparator.comparingLong(DescendantWalker::sortTime).thenComparing(Link::id);

    private final MongoCollection<Link> links;
    private final int batchSize;

    /**
     * Prepares walks over a collection.
     *
     * @param links the collection of datum documents, read as links ({@link ChildLookup#links})
     * @param batchSize parents per lookup
     */
    public DescendantWalker(MongoCollection<Link> links, int batchSize) {
        this.links = links;
        this.batchSize = batchSize;
    }

    /**
     * Walks the tree under {@code root}.
     *
     * @param root an existing datum's id
     * @return the root then its descendants, level by level, each parent's children oldest first
     */
    public Flux<ObjectId> walk(ObjectId root) {
        return Mono.from(links.estimatedDocumentCount())
                .flatMapMany(lakeSize -> {
                    long scanAbove = LookupOrScan.scanAbove(lakeSize);
                    Map<ObjectId, Link> reached = new HashMap<>();
                    reached.put(root, new Link(root, null, null, 0));
                    return Flux.just(List.of(root))
                            .expand(level -> level.size() > scanAbove
                                    ? scanRest(reached, lakeSize).then(Mono.empty())
                                    : lookupLevel(level, reached))
                            .then(Mono.fromCallable(() -> breadthFirst(root, reached)))
                            .flatMapIterable(ids -> ids);
                });
    }

    /** Resolves one level with {@code $in} lookups; emits the next level, or nothing when it is empty. */
    private Mono<List<ObjectId>> lookupLevel(List<ObjectId> level, Map<ObjectId, Link> reached) {
        return ChildLookup.find(links, level, batchSize, null, find -> find.projection(ChildLookup.LINK_PROJECTION))
                .filter(link -> ForeignDocuments.isChild(link, OPERATION))
                .filter(link -> reached.putIfAbsent(link.id(), link) == null)
                .map(Link::id)
                .collectList()
                .filter(next -> !next.isEmpty());
    }

    /**
     * Scans the linked datums until nothing can be missing. A pass in storage order reaches every datum whose
     * parent was reached earlier in the pass; children are written after their parents, so that is normally the
     * whole tree. A datum passed over because its parent was not reached yet is remembered in a Bloom filter by its
     * parent; only if a datum reached later in the pass might be such a parent is another pass needed. The filter
     * has no false negatives, so nothing is missed; a false positive costs one extra pass.
     */
    private Mono<Void> scanRest(Map<ObjectId, Link> reached, long lakeSize) {
        return Mono.defer(() -> {
            ParentFilter passedOver = new ParentFilter(lakeSize);
            boolean[] mayHaveMissed = {false};
            return Flux.from(links.find(ne(DatumFields.DERIVED_FROM, null))
                            .projection(ChildLookup.LINK_PROJECTION)
                            .batchSize(SCAN_CURSOR_BATCH))
                    .doOnNext(link -> {
                        // Every scanned document has a derived_from, so a missing parent is a foreign one.
                        if (!ForeignDocuments.isChild(link, OPERATION)) {
                            return;
                        }
                        ObjectId id = link.id();
                        ObjectId parent = link.parent();
                        // isChild has checked both; the check tells the compiler too.
                        if (id == null || parent == null || reached.containsKey(id)) {
                            return;
                        }
                        if (reached.containsKey(parent)) {
                            reached.put(id, link);
                            mayHaveMissed[0] |= passedOver.mightContain(id);
                        } else {
                            passedOver.add(parent);
                        }
                    })
                    .then(Mono.defer(() -> mayHaveMissed[0] ? scanRest(reached, lakeSize) : Mono.empty()));
        });
    }

    private static List<ObjectId> breadthFirst(ObjectId root, Map<ObjectId, Link> reached) {
        Map<ObjectId, List<Link>> children = new HashMap<>();
        for (Link link : reached.values()) {
            if (link.parent() != null && !root.equals(link.id())) {
                children.computeIfAbsent(link.parent(), k -> new ArrayList<>()).add(link);
            }
        }
        children.values().forEach(list -> list.sort(OLDEST_FIRST));
        List<ObjectId> order = new ArrayList<>(reached.size());
        order.add(root);
        for (int i = 0; i < order.size(); i++) {
            for (Link child : children.getOrDefault(order.get(i), List.of())) {
                order.add(child.id());
            }
        }
        return order;
    }

    /** A missing or malformed {@code added_at} sorts as the epoch among siblings, as it always has here. */
    private static long sortTime(Link link) {
        return link.addedAt() == Link.NO_TIME ? 0 : link.addedAt();
    }
}
