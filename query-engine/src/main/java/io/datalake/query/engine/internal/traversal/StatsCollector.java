package io.datalake.query.engine.internal.traversal;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Projections.include;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.LakeStats;
import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.ServerFailures;
import io.datalake.query.engine.internal.link.ChildLookup;
import io.datalake.query.engine.internal.link.Link;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Computes {@link LakeStats}: counts with {@code countDocuments}, types by streaming a projection of the type
 * fields, registry objects with {@code $group} (only stages both the embedded server and MongoDB 6+ have), and the
 * deepest chain by walking down from the roots one level at a time with batched {@link ChildLookup}s, holding one
 * level's ids at a time.
 */
public final class StatsCollector {
    private static final String NO_TYPE = "\u0000none";
    /** Where a registry datum records its payload's size in bytes (the store writes it under {@code payload}). */
    private static final String PAYLOAD_SIZE = DatumFields.PAYLOAD + ".size";
    private static final String OPERATION = "getStats";

    private final MongoCollection<Document> documents;
    private final MongoCollection<Link> links;
    private final int batchSize;

    /**
     * Prepares statistics over a collection.
     *
     * @param documents the collection of datum documents
     * @param links the same collection read as links ({@link ChildLookup#links})
     * @param batchSize parents per lookup
     */
    public StatsCollector(MongoCollection<Document> documents, MongoCollection<Link> links, int batchSize) {
        this.documents = documents;
        this.links = links;
        this.batchSize = batchSize;
    }

    /**
     * Computes the statistics.
     *
     * @return the statistics; fails with a translated {@link io.datalake.DatalakeException} when reading fails
     */
    public Mono<LakeStats> collect() {
        Mono<Long> datums = Mono.from(documents.countDocuments());
        Mono<Long> roots = Mono.from(documents.countDocuments(eq(DatumFields.DERIVED_FROM, null)));
        Mono<Map<String, Long>> types = typeCounts();
        Mono<long[]> registry = registryFigures();
        return Mono.zip(datums, roots, types, registry)
                .flatMap(t -> deepestChain().map(depth -> {
                    Map<String, Long> counts = new LinkedHashMap<>(t.getT3());
                    Long untyped = counts.remove(NO_TYPE);
                    long[] reg = t.getT4();
                    return new LakeStats(t.getT1(), t.getT2(), depth, counts, untyped == null ? 0 : untyped,
                            reg[0], reg[1], reg[2]);
                }))
                .onErrorMap(e -> ServerFailures.translate("getStats", e));
    }

    /**
     * Counts by type on the client over a projection of the two type fields: the server cannot be trusted to
     * group on {@code data.type} when {@code data} is an array or a scalar (the embedded server fails to encode
     * such groups), and this way the type means exactly what it means in lineage summaries.
     */
    private Mono<Map<String, Long>> typeCounts() {
        return Flux.from(documents.find()
                        .projection(include(DatumFields.DATA + ".type", DatumFields.METADATA + ".type")))
                .collect(() -> new LinkedHashMap<String, Long>(), (counts, doc) -> {
                    String type = DatumSummaries.type(doc.get(DatumFields.DATA), doc.get(DatumFields.METADATA));
                    counts.merge(type == null ? NO_TYPE : type, 1L, Long::sum);
                })
                .map(counts -> {
                    List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
                    entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                            .thenComparing(Map.Entry.comparingByKey()));
                    Map<String, Long> sorted = new LinkedHashMap<>();
                    entries.forEach(e -> sorted.put(e.getKey(), e.getValue()));
                    return sorted;
                });
    }

    /** Returns {datums with a registry payload, distinct objects, bytes of the distinct objects}. */
    private Mono<long[]> registryFigures() {
        List<Bson> pipeline = List.of(
                new Document("$match", new Document(DatumFields.REGISTRY_KEY, new Document("$ne", null))),
                new Document("$group", new Document("_id", new Document("uri", "$" + DatumFields.REGISTRY_URI)
                        .append("key", "$" + DatumFields.REGISTRY_KEY))
                        .append("datums", new Document("$sum", 1))
                        .append("size", new Document("$first", "$" + PAYLOAD_SIZE))),
                new Document("$group", new Document("_id", null)
                        .append("datums", new Document("$sum", "$datums"))
                        .append("objects", new Document("$sum", 1))
                        .append("bytes", new Document("$sum", "$size"))));
        return Flux.from(documents.aggregate(pipeline).allowDiskUse(true))
                .next()
                .map(d -> new long[] {number(d.get("datums")), number(d.get("objects")), number(d.get("bytes"))})
                .defaultIfEmpty(new long[3]);
    }

    private static long number(@Nullable Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    private Mono<Integer> deepestChain() {
        Mono<List<ObjectId>> rootIds = Flux.from(links.find(eq(DatumFields.DERIVED_FROM, null))
                        .projection(include(DatumFields.ID)))
                .mapNotNull(StatsCollector::datumId)
                .collectList();
        return rootIds.flatMap(roots -> roots.isEmpty()
                ? Mono.just(0)
                : Mono.just(roots).expand(this::children).count().map(Long::intValue));
    }

    private Mono<List<ObjectId>> children(List<ObjectId> level) {
        return ChildLookup.find(links, level, batchSize, null,
                        find -> find.projection(include(DatumFields.ID, DatumFields.DERIVED_FROM)))
                // A foreign array such as [parent] matches too; only an ObjectId parent makes a link (and an array
                // naming its own document would otherwise make the chain endless).
                .filter(link -> ForeignDocuments.isChild(link, OPERATION))
                .map(Link::id)
                .collectList()
                .filter(ids -> !ids.isEmpty());
    }

    /** The id of a datum; a foreign document whose {@code _id} is no ObjectId has no place in a chain. */
    private static @Nullable ObjectId datumId(Link link) {
        if (link.id() == null) {
            ForeignDocuments.skipped(OPERATION, link.foreignId(),
                    "its _id is not an ObjectId, so it is left out of the deepest chain");
        }
        return link.id();
    }
}
