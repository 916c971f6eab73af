package io.datalake.mongo.internal.processor;

import java.util.List;
import java.util.Map;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** New inputs of a continuous run, from the change feed. */
interface FeedUnits {
    /** Takes the feed position; called before the first pass, so nothing added after the pass starts is missed. */
    Mono<Void> start();

    /**
     * Follows the feed from the position {@link #start} took.
     *
     * @param batchSize the most rows per emitted list
     * @return lists of input rows (the input query restricted to the new datums), never ending by itself
     */
    Flux<List<Map<String, ObjectId>>> units(int batchSize);
}
