package io.datalake.mongo.internal.processor;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Filters.lte;
import static com.mongodb.client.model.Projections.include;
import static com.mongodb.client.model.Sorts.ascending;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.Datalake;
import io.datalake.DatalakeException;
import io.datalake.InvalidArgumentException;
import io.datalake.processor.ProcessorInput;
import io.datalake.query.Query;
import io.datalake.query.QueryLevel;
import io.datalake.query.QueryOptions;
import io.datalake.query.engine.QueryEngine;
import io.datalake.query.engine.ServerFailures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads the inputs of a processor in pages. A page is a range of base datums by {@code _id}: one find of the next
 * base ids ({@code _id} index order, projection {@code _id} only), then the input query restricted to that range.
 * Each page is a short, separately time-limited server call, so a backfill of any length never holds a cursor
 * open for longer than the lake's operation time limit (a cursor's limit covers its whole life).
 */
final class InputQuery {
    /** Below every ObjectId: the start of a pass. */
    static final ObjectId FIRST = new ObjectId(new byte[12]);

    private final Datalake lake;
    private final MongoCollection<Document> datums;
    /** The input as a query: the missing query, or one level {@code input} with the filter. */
    private final Query query;
    private final boolean matching;
    private final int inputLevel;
    private final String inputColumn;
    private final BsonDocument feedFilter;

    /** A page: the rows of base datums after {@code after} up to {@code last}; {@code last} null at the end. */
    record Page(List<Map<String, ObjectId>> rows, @Nullable ObjectId last) {
    }

    /**
     * Checks the input's filters (as a query run would, before any I/O) and prepares its queries.
     *
     * @throws InvalidArgumentException if a filter is refused
     */
    InputQuery(Datalake lake, MongoCollection<Document> datums, ProcessorInput input) {
        this.lake = lake;
        this.datums = datums;
        Query q = input.query();
        this.matching = q == null;
        this.query = q != null ? q : Query.builder().base(ProcessorInput.INPUT_COLUMN, input.filter()).build();
        QueryEngine.validate(query);
        this.inputColumn = input.inputColumn();
        this.inputLevel = query.levelOf(inputColumn);
        this.feedFilter = input.filter().toBsonDocument();
    }

    /** The filter new input datums match: the input level's (the change feed follows it). */
    BsonDocument feedFilter() {
        return feedFilter.clone();
    }

    String inputColumn() {
        return inputColumn;
    }

    /** Reads the page of base datums after {@code after}; its rows are at most {@code size}. */
    Mono<Page> page(ObjectId after, int size) {
        Bson baseFilter = both(query.base().filter(), gt("_id", after));
        return Flux.from(datums.find(baseFilter).projection(include("_id")).sort(ascending("_id")).limit(size))
                .onErrorMap(e -> !(e instanceof DatalakeException), e -> ServerFailures.translateQuery(0,
                        query.base().column(), query.base().filterJson(), e))
                .mapNotNull(doc -> doc.get("_id") instanceof ObjectId id ? id : null)
                .collectList()
                .flatMap(ids -> {
                    if (ids.isEmpty()) {
                        return Mono.just(new Page(List.of(), null));
                    }
                    ObjectId last = ids.get(ids.size() - 1);
                    if (matching) {
                        List<Map<String, ObjectId>> rows = new ArrayList<>(ids.size());
                        for (ObjectId id : ids) {
                            rows.add(Map.of(inputColumn, id));
                        }
                        return Mono.just(new Page(rows, last));
                    }
                    Query range = restrict(query, 0, and(gt("_id", after), lte("_id", last)));
                    return lake.queryRows(range, QueryOptions.defaults()).collectList()
                            .map(rows -> new Page(rows, last));
                });
    }

    /**
     * The rows whose input is one of {@code inputs} (new datums from the change feed): the query with the input
     * level restricted to those ids, so every level's condition is still checked by the engine.
     */
    Mono<List<Map<String, ObjectId>>> rowsOf(List<ObjectId> inputs) {
        if (inputs.isEmpty()) {
            return Mono.just(List.of());
        }
        if (matching) {
            // The feed already applied the filter.
            List<Map<String, ObjectId>> rows = new ArrayList<>(inputs.size());
            for (ObjectId id : inputs) {
                rows.add(Map.of(inputColumn, id));
            }
            return Mono.just(rows);
        }
        return lake.queryRows(restrict(query, inputLevel, in("_id", inputs)), QueryOptions.defaults())
                .collectList();
    }

    /** The query with {@code extra} added to one level's filter. */
    static Query restrict(Query query, int level, Bson extra) {
        Query.Builder b = Query.builder();
        for (QueryLevel l : query.levels()) {
            Bson filter = l.filter();
            if (l.index() == level) {
                filter = both(filter, extra);
            }
            String from = l.derivedFrom();
            if (l.isBase() || from == null) {
                b.base(l.column(), filter, l.strategy());
            } else {
                b.derived(l.column(), from, filter, l.strategy());
            }
        }
        return b.build();
    }

    /** {@code filter} and {@code extra}; just {@code extra} when the filter is empty (every datum). */
    private static Bson both(Bson filter, Bson extra) {
        BsonDocument f = filter.toBsonDocument();
        return f.isEmpty() ? extra : and(f, extra);
    }
}
