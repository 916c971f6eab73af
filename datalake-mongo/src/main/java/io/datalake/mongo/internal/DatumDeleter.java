package io.datalake.mongo.internal;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gte;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Filters.ne;
import static com.mongodb.client.model.Projections.include;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.DatalakeException;
import io.datalake.DatumNotFoundException;
import io.datalake.InvalidArgumentException;
import io.datalake.MalformedDatumException;
import io.datalake.dataset.Datasets;
import io.datalake.dataset.VersionRef;
import io.datalake.delete.DatumHasChildrenException;
import io.datalake.delete.DatumRetainedException;
import io.datalake.delete.DeleteOptions;
import io.datalake.delete.DeletePlan;
import io.datalake.delete.ReleasedPayload;
import io.datalake.delete.SubtreeTooLargeException;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.DerivationGraph;
import io.datalake.query.engine.ServerFailures;
import io.datalake.query.engine.Subtree;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes a datum or its subtree ({@link io.datalake.Datalake#delete}). Every check runs before anything is
 * written, in this order: the datum exists; without cascade it has no children, with cascade its subtree (walked by
 * {@link DerivationGraph#subtree}, by levels) has at most {@code maxNodes} datums and no child another client wrote
 * with a non-ObjectId {@code _id}; no published dataset version retains a datum of the set
 * ({@link Datasets#retainedBy}). The payloads released are computed from two batched reads. Then the levels are
 * deleted deepest first, each in batches of {@code batchSize} ids (one bulk command each), so whenever the process
 * stops every remaining datum's parent is still there. Finally one batched lookup finds children another writer
 * added under a deleted datum meanwhile: they are reported in the plan and logged.
 *
 * <p>A datum's level is its distance from the deleted datum; each datum has one parent, so all its children are on
 * the next level and are gone before it is deleted.
 */
final class DatumDeleter {
    private static final Logger LOG = LoggerFactory.getLogger(DatumDeleter.class);
    /** How many orphans the warning names. */
    private static final int ORPHANS_LOGGED = 10;

    private final MongoCollection<Document> documents;
    private final DerivationGraph graph;
    private final Supplier<Datasets> datasets;
    private final int batchSize;
    private final Runnable requireOpen;

    /**
     * @param documents the datum collection, under the operation time limit
     * @param graph the derivation walks over the same collection
     * @param datasets the lake's datasets, for retention
     * @param batchSize ids per server call
     * @param requireOpen throws when the lake is closed
     */
    DatumDeleter(MongoCollection<Document> documents, DerivationGraph graph, Supplier<Datasets> datasets,
            int batchSize, Runnable requireOpen) {
        this.documents = documents;
        this.graph = graph;
        this.datasets = datasets;
        this.batchSize = batchSize;
        this.requireOpen = requireOpen;
    }

    Mono<DeletePlan> delete(@Nullable ObjectId id, @Nullable DeleteOptions options) {
        if (id == null || options == null) {
            return Mono.error(new InvalidArgumentException("delete: id and options must not be null, got " + id
                    + " and " + options));
        }
        String context = "delete " + id;
        return Mono.defer(() -> {
            requireOpen.run();
            return server(context, documents.find(eq(DatumFields.ID, id)).projection(include(DatumFields.ID)).first())
                    .switchIfEmpty(Mono.error(() -> new DatumNotFoundException("delete", List.of(id))))
                    .then(Mono.defer(() -> levels(id, options)))
                    .flatMap(levels -> {
                        List<ObjectId> order = new ArrayList<>();
                        for (int i = levels.size() - 1; i >= 0; i--) {
                            order.addAll(levels.get(i));
                        }
                        Set<ObjectId> set = new HashSet<>(order);
                        return checkRetention(id, order)
                                .then(released(context, order, set))
                                .flatMap(released -> options.dryRun()
                                        ? Mono.just(new DeletePlan(order, released, List.of(), true))
                                        : execute(context, levels, order.size(), options)
                                                .then(orphans(id, order, set))
                                                .map(orphans -> new DeletePlan(order, released, orphans, false)));
                    });
        });
    }

    /** The levels to delete: the datum alone (refused if it has children) or its whole subtree. */
    private Mono<List<List<ObjectId>>> levels(ObjectId id, DeleteOptions options) {
        if (!options.cascade()) {
            return graph.firstChildren(id, DatumHasChildrenException.MAX_NAMED).flatMap(children -> {
                long count = children.getT1();
                return count > 0
                        ? Mono.error(new DatumHasChildrenException(id, children.getT2(), count))
                        : Mono.just(List.of(List.of(id)));
            });
        }
        return graph.subtree(id, options.maxNodes()).flatMap(subtree -> {
            if (!subtree.complete()) {
                return Mono.error(new SubtreeTooLargeException(id, options.maxNodes()));
            }
            if (!subtree.foreignChildren().isEmpty()) {
                return Mono.error(foreignChild(id, subtree));
            }
            return Mono.just(subtree.levels());
        });
    }

    /** A child we cannot address by ObjectId would lose its parent: refuse rather than orphan it. */
    private static DatalakeException foreignChild(ObjectId id, Subtree subtree) {
        String first = subtree.foreignChildren().get(0);
        return new MalformedDatumException(first, "delete " + id + ": the stored document with _id " + first
                + " derives from a datum of the subtree but its _id is not an ObjectId (another client wrote it;"
                + " documents: " + String.join(", ", subtree.foreignChildren()) + "); deleting its parent would"
                + " orphan it, so remove it with the client that wrote it first", null);
    }

    /** Fails with {@link DatumRetainedException} when a published version retains a datum of {@code order}. */
    private Mono<Void> checkRetention(ObjectId id, List<ObjectId> order) {
        return Mono.defer(() -> datasets.get().retainedBy(order)).flatMap(retained -> {
            if (retained.isEmpty()) {
                return Mono.empty();
            }
            Set<VersionRef> versions = new TreeSet<>((a, b) -> {
                int byName = a.dataset().compareTo(b.dataset());
                return byName != 0 ? byName : Integer.compare(number(a), number(b));
            });
            retained.values().forEach(versions::addAll);
            List<ObjectId> named = retained.keySet().stream().limit(DatumRetainedException.MAX_NAMED).toList();
            return Mono.error(new DatumRetainedException(id, List.copyOf(versions), named, retained.size()));
        });
    }

    private static int number(VersionRef ref) {
        return ref.isNumber() ? Integer.parseInt(ref.selector()) : 0;
    }

    /**
     * The payloads of the set that no datum outside it references: reads the registry fields of the set in
     * batches, then counts every reference to those keys in the lake with one grouped aggregation per batch of
     * keys; a payload is released when all its references are in the set. Payload fields another client stored
     * with other types are not payloads this library reads, so they are ignored.
     */
    private Mono<List<ReleasedPayload>> released(String context, List<ObjectId> order, Set<ObjectId> set) {
        Map<ReleasedPayload, Long> inSet = new LinkedHashMap<>();
        // Sorted, each batch is a narrow id range: a server that evaluates the filter document by document (the
        // embedded one) rejects most documents with the two range comparisons instead of a search of the list.
        List<ObjectId> sorted = new ArrayList<>(order);
        sorted.sort(null);
        return Flux.fromIterable(partition(sorted))
                .concatMap(batch -> server(context + ": reading payload fields", documents
                        .find(and(gte(DatumFields.ID, batch.get(0)), lte(DatumFields.ID, batch.get(batch.size() - 1)),
                                in(DatumFields.ID, batch), ne(DatumFields.REGISTRY_KEY, null)))
                        .projection(include(DatumFields.ID, DatumFields.REGISTRY_URI, DatumFields.REGISTRY_KEY))))
                .doOnNext(d -> {
                    ReleasedPayload payload = payload(d.get(DatumFields.REGISTRY_URI), d.get(DatumFields.REGISTRY_KEY));
                    if (payload != null && set.contains(d.get(DatumFields.ID))) {
                        inSet.merge(payload, 1L, Long::sum);
                    }
                })
                .then(Mono.defer(() -> {
                    Map<ReleasedPayload, Long> everywhere = new HashMap<>();
                    List<String> keys = inSet.keySet().stream().map(ReleasedPayload::registryKey).distinct()
                            .sorted().toList();
                    return Flux.fromIterable(partition(keys))
                            .concatMap(batch -> server(context + ": counting payload references", documents.aggregate(
                                    List.of(Aggregates.match(keysFilter(batch)),
                                            Aggregates.group(new Document("u", "$" + DatumFields.REGISTRY_URI)
                                                            .append("k", "$" + DatumFields.REGISTRY_KEY),
                                                    Accumulators.sum("n", 1))))))
                            .doOnNext(g -> {
                                if (g.get("_id") instanceof Document key && g.get("n") instanceof Number n) {
                                    ReleasedPayload payload = payload(key.get("u"), key.get("k"));
                                    if (payload != null) {
                                        everywhere.merge(payload, n.longValue(), Long::sum);
                                    }
                                }
                            })
                            .then(Mono.fromSupplier(() -> {
                                List<ReleasedPayload> released = new ArrayList<>();
                                inSet.forEach((payload, n) -> {
                                    if (everywhere.getOrDefault(payload, 0L) <= n) {
                                        released.add(payload);
                                    }
                                });
                                return released;
                            }));
                }));
    }

    /**
     * The reference count filter of a batch of keys: with a range around the {@code $in} when every key's
     * characters are below U+D800, where Java's order (UTF-16 units) and MongoDB's (UTF-8 bytes, code points)
     * agree; without one otherwise, so a key is never left outside the range.
     */
    private static org.bson.conversions.Bson keysFilter(List<String> sortedKeys) {
        boolean simple = sortedKeys.stream().allMatch(k -> k.chars().allMatch(c -> c < Character.MIN_SURROGATE));
        return simple
                ? and(gte(DatumFields.REGISTRY_KEY, sortedKeys.get(0)),
                        lte(DatumFields.REGISTRY_KEY, sortedKeys.get(sortedKeys.size() - 1)),
                        in(DatumFields.REGISTRY_KEY, sortedKeys))
                : in(DatumFields.REGISTRY_KEY, sortedKeys);
    }

    private static @Nullable ReleasedPayload payload(@Nullable Object uri, @Nullable Object key) {
        return uri instanceof String u && key instanceof String k ? new ReleasedPayload(u, k) : null;
    }

    /** Deletes the levels deepest first, each in batches; reports progress after each batch. */
    private Mono<Void> execute(String context, List<List<ObjectId>> levels, long total, DeleteOptions options) {
        AtomicLong done = new AtomicLong();
        List<List<ObjectId>> batches = new ArrayList<>();
        for (int i = levels.size() - 1; i >= 0; i--) {
            batches.addAll(partition(levels.get(i)));
        }
        return Flux.fromIterable(batches)
                .concatMap(batch -> {
                    List<DeleteOneModel<Document>> deletes = new ArrayList<>(batch.size());
                    for (ObjectId each : batch) {
                        deletes.add(new DeleteOneModel<>(eq(DatumFields.ID, each)));
                    }
                    // One bulk of single-id deletes, as the write path's undo does: to real MongoDB the same as a
                    // deleteMany with $in; the embedded server answers each by the _id index instead of a scan.
                    return server(context + ": deleting " + batch.size() + " datums",
                            documents.bulkWrite(deletes, new BulkWriteOptions().ordered(false)))
                            .doOnNext(result -> options.progress().deleted(done.addAndGet(batch.size()), total));
                }, 1)
                .then();
    }

    /** Children of deleted datums that appeared while the delete ran (another writer's): reported, not deleted. */
    private Mono<List<ObjectId>> orphans(ObjectId id, List<ObjectId> order, Set<ObjectId> set) {
        return graph.childrenOf(order)
                .filter(child -> !set.contains(child))
                .collectList()
                .doOnNext(orphans -> {
                    if (!orphans.isEmpty() && LOG.isWarnEnabled()) {
                        LOG.warn("delete {}: {} datums were added under deleted datums while the delete ran and"
                                + " remain without their parent (another writer raced the delete): {}", id,
                                orphans.size(), orphans.subList(0, Math.min(orphans.size(), ORPHANS_LOGGED)));
                    }
                });
    }

    private <T> List<List<T>> partition(List<T> items) {
        List<List<T>> batches = new ArrayList<>();
        for (int from = 0; from < items.size(); from += batchSize) {
            batches.add(items.subList(from, Math.min(items.size(), from + batchSize)));
        }
        return batches;
    }

    private static <T> Flux<T> server(String context, Publisher<T> call) {
        return Flux.from(call).onErrorMap(e -> ServerFailures.translate(context, e));
    }
}
