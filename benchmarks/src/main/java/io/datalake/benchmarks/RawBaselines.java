package io.datalake.benchmarks;

import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Projections.include;

import com.mongodb.reactivestreams.client.FindPublisher;
import com.mongodb.reactivestreams.client.MongoCollection;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;

/**
 * The limit of what the store can do: the same work as the store's call done with bare driver operations on the
 * same client settings, with no mapping, validation or bookkeeping.
 */
final class RawBaselines {
    private RawBaselines() {
    }

    /** {@code insertMany} of the documents in batches, one batch in flight at a time as the store does. */
    static void insertMany(MongoCollection<Document> collection, List<Document> documents, int batchSize) {
        Flux.fromIterable(partition(documents, batchSize))
                .concatMap(batch -> collection.insertMany(batch), 1)
                .blockLast();
    }

    /** {@code find({_id: {$in: batch}})} per batch with the given number of batches in flight; returns the count. */
    static long findIn(MongoCollection<Document> collection, List<ObjectId> ids, int batchSize, int concurrency) {
        Long count = Flux.fromIterable(partition(ids, batchSize))
                .flatMap(batch -> collection.find(in("_id", batch)), concurrency)
                .count()
                .block();
        return count == null ? 0 : count;
    }

    /**
     * The lower bound of any query or walk over the lake: one pass over every document, projected to the fields
     * a derivation join needs.
     */
    static long scanProjected(MongoCollection<Document> collection) {
        Long count = Flux.from(collection.find().projection(include("_id", "derived_from", "added_at")))
                .count()
                .block();
        return count == null ? 0 : count;
    }

    /**
     * The first {@code limit} ids matching a filter in {@code added_at, _id} descending order: what the server
     * alone costs to start a "latest" base level.
     */
    static long firstSorted(MongoCollection<Document> collection, Document filter, int limit) {
        Long count = Flux.from(collection.find(filter)
                        .sort(new Document("added_at", -1).append("_id", -1))
                        .projection(include("_id"))
                        .limit(limit))
                .count()
                .block();
        return count == null ? 0 : count;
    }

    /**
     * The limit of reading a dataset version back: its chunk documents ({@code <collection>.datasetChunks},
     * {@code {v, c, n, ids}}) found in chunk order with the driver's default batch size, each document's flat
     * {@code ids} list decoded as ObjectIds; returns the rows they hold.
     */
    static long chunkRows(MongoCollection<Document> chunks, ObjectId version, int columns) {
        return chunkRows(chunks.find(new Document("v", version)).sort(new Document("c", 1)), columns);
    }

    /**
     * The same with the store's cursor ({@code MongoDatasets.readRows}): filter {@code {v, c: {$gte: 0}}}, one
     * chunk per batch, so one round trip per chunk. Not a target: it tells the cursor's cost from the rows'.
     */
    static long chunkRowsOnePerBatch(MongoCollection<Document> chunks, ObjectId version, int columns) {
        return chunkRows(chunks.find(new Document("v", version).append("c", new Document("$gte", 0)))
                .sort(new Document("c", 1)).batchSize(1), columns);
    }

    private static long chunkRows(FindPublisher<Document> find, int columns) {
        Long rows = Flux.from(find)
                .map(chunk -> (long) chunk.getList("ids", ObjectId.class).size() / columns)
                .reduce(0L, Long::sum)
                .block();
        return rows == null ? 0 : rows;
    }

    static <T> List<List<T>> partition(List<T> items, int size) {
        List<List<T>> batches = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            batches.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return batches;
    }
}
