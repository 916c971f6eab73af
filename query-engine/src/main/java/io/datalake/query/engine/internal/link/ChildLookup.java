package io.datalake.query.engine.internal.link;

import com.mongodb.reactivestreams.client.FindPublisher;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.query.engine.DatumFields;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonObjectId;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The one children lookup on {@code derived_from}: every walk (children, descendants, lineage, statistics) and the
 * query engine's lookup joins find children through {@link #find}, one {@code find} per batch of parents.
 */
public final class ChildLookup {
    /** Projection of the fields a {@link Link} holds. */
    public static final BsonDocument LINK_PROJECTION = new BsonDocument(DatumFields.ID, new BsonInt32(1))
            .append(DatumFields.DERIVED_FROM, new BsonInt32(1)).append(DatumFields.ADDED_AT, new BsonInt32(1));

    private ChildLookup() {
    }

    /**
     * Returns a view of a collection of datum documents that decodes {@link Link}s.
     *
     * @param datums the collection of datum documents
     * @return the same collection, read as links (project it with {@link #LINK_PROJECTION} or fewer fields)
     */
    public static MongoCollection<Link> links(MongoCollection<?> datums) {
        return datums
                .withCodecRegistry(CodecRegistries.fromRegistries(
                        CodecRegistries.fromCodecs(new Link.LinkCodec()), datums.getCodecRegistry()))
                .withDocumentClass(Link.class);
    }

    /**
     * Finds the children of the given parents, one {@code find} per batch of {@code batchSize} parents, batches in
     * order and one at a time.
     *
     * @param datums the collection to read, decoding its documents as {@code T}
     * @param parents the parents, without duplicates
     * @param batchSize parents per {@code find}
     * @param also a filter the children must match too, or null; it must not name {@code derived_from}
     * @param shape adds projection, sort, limit or cursor batch size to each {@code find}
     * @param <T> the decoded document class
     * @return the matching documents, batch after batch; a document with a foreign {@code derived_from} that
     *     contains a parent (an array) matches too, so callers check {@link Link#parent()}
     */
    public static <T> Flux<T> find(MongoCollection<T> datums, List<ObjectId> parents, int batchSize,
            @Nullable BsonDocument also, UnaryOperator<FindPublisher<T>> shape) {
        return Flux.fromIterable(LookupOrScan.partition(parents, batchSize))
                .concatMap(batch -> Flux.from(shape.apply(datums.find(filter(batch, also)))));
    }

    /**
     * The children of the given parents that also match {@code also}. The range around the {@code $in} does not
     * change which datums match (every listed id lies inside it) but lets a server that evaluates the condition
     * document by document reject most of them with two comparisons instead of a list search; with the
     * {@code derived_from} index it only narrows the bounds. {@code derived_from} is reserved in query levels, so
     * adding {@code also} is a plain AND.
     *
     * @param parents at least one parent id
     * @param also a filter the children must match too, or null
     * @return {@code {derived_from: {$gte: min, $lte: max, $in: parents}, ...also}}
     */
    public static BsonDocument filter(List<ObjectId> parents, @Nullable BsonDocument also) {
        ObjectId min = parents.get(0);
        ObjectId max = parents.get(0);
        BsonArray ids = new BsonArray(new ArrayList<>(parents.size()));
        for (ObjectId id : parents) {
            ids.add(new BsonObjectId(id));
            min = id.compareTo(min) < 0 ? id : min;
            max = id.compareTo(max) > 0 ? id : max;
        }
        BsonDocument condition = new BsonDocument("$gte", new BsonObjectId(min))
                .append("$lte", new BsonObjectId(max))
                .append("$in", ids);
        BsonDocument filter = new BsonDocument(DatumFields.DERIVED_FROM, condition);
        if (also != null) {
            filter.putAll(also);
        }
        return filter;
    }
}
