package io.datalake.query.engine;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.datalake.InvalidArgumentException;
import io.datalake.InvalidQueryException;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.QueryResult;
import io.datalake.query.engine.internal.Execution;
import io.datalake.query.engine.internal.ExecutionPlan;
import io.datalake.query.engine.internal.Planner;
import io.datalake.query.engine.internal.validation.FilterValidator;
import java.util.Map;
import org.bson.types.ObjectId;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs {@link Query}s over a MongoDB collection of datum documents stored in the Mindtrace layout ({@code _id},
 * {@code derived_from}, {@code added_at}, ...). It reads only those three fields, with projections, and only uses
 * features that both real MongoDB (6 and later, sharded or not) and the embedded server support: {@code find} with
 * filters, sorts and projections.
 *
 * <p>Each run streams rows as batches of base datums are resolved, never issuing a query per row: every derived
 * level of a batch is resolved with one {@code $in} lookup on {@code derived_from} or from one scan of the level
 * made for the whole run (see {@link #explain}). Thread-safe; every call plans and runs independently.
 */
public final class QueryEngine {
    private final MongoCollection<?> datums;
    private final EngineTuning tuning;
    private final Planner planner;

    /**
     * Creates an engine with the default limits.
     *
     * @param datums the collection of datum documents
     */
    public QueryEngine(MongoCollection<?> datums) {
        this(datums, EngineTuning.withBatchSize(EngineTuning.DEFAULT_BATCH_SIZE));
    }

    /**
     * Creates an engine with custom limits.
     *
     * @param datums the collection of datum documents
     * @param tuning the default batch size and the join-choice limits
     */
    public QueryEngine(MongoCollection<?> datums, EngineTuning tuning) {
        if (datums == null || tuning == null) {
            throw new InvalidArgumentException("QueryEngine: datums and tuning must not be null");
        }
        this.datums = datums;
        this.tuning = tuning;
        this.planner = new Planner(tuning);
    }

    /**
     * Streams the rows of a query: each maps every output column, in query order, to a datum id. Rows are emitted
     * as they are resolved, in base order; with {@code datumsWanted} the stream ends after that many complete rows
     * and the cursors are closed. Backpressure is respected and cancelling stops the work.
     *
     * @param query the query; its filters are checked first (see {@link #validate})
     * @param options rows wanted, seed, batch size, join hint
     * @return the rows; fails with {@link InvalidQueryException} if a filter fails {@link #validate} (nothing is sent
     *     then) or the server rejects a filter, and with
     *     {@link io.datalake.DatalakeException} if reading fails
     */
    public Flux<Map<String, ObjectId>> rows(Query query, QueryOptions options) {
        return Flux.defer(() -> {
            ExecutionPlan plan = planner.plan(requireValid(query), requireOptions(options));
            return new Execution(datums, plan, tuning).rows();
        });
    }

    /**
     * Runs a query and collects its rows.
     *
     * @param query the query; its filters are checked first (see {@link #validate})
     * @param options rows wanted, seed, batch size, join hint
     * @param transpose the shape the caller asked for ({@link QueryResult#isTransposed()})
     * @return the result; fails as {@link #rows} does
     */
    public Mono<QueryResult> queryData(Query query, QueryOptions options, boolean transpose) {
        return rows(query, options).collectList()
                .map(rows -> new QueryResult(query.outputColumns(), rows, transpose));
    }

    /**
     * Returns how a query would run with these options, without I/O.
     *
     * @param query the query; its filters are checked first (see {@link #validate})
     * @param options the options it would run with
     * @return the plan: per level the filter, strategy and chosen join, with the reasons
     * @throws InvalidArgumentException if the options are null
     * @throws InvalidQueryException if the query is null or a filter fails {@link #validate}
     */
    public QueryPlan explain(Query query, QueryOptions options) {
        return planner.plan(requireValid(query), requireOptions(options)).explained();
    }

    /**
     * Checks what a query's filters ask of MongoDB, without I/O: every {@code $} operator must be one MongoDB knows in
     * its position with the shape it needs, nothing may run server-side JavaScript ({@code $where},
     * {@code $function}, {@code $accumulator}, code values), and no regular expression may be certainly invalid or
     * liable to catastrophic backtracking. {@link #rows}, {@link #queryData} and {@link #explain} run this check
     * first; a tool calls it to refuse a query before it connects.
     *
     * @param query the query
     * @throws InvalidQueryException if the query is null or a filter fails a check; the message names the level
     *     index and the offending key or value
     */
    public static void validate(Query query) {
        requireValid(query);
    }

    private static Query requireValid(Query query) {
        if (query == null) {
            throw new InvalidQueryException("query must not be null");
        }
        FilterValidator.validate(query);
        return query;
    }

    private static QueryOptions requireOptions(QueryOptions options) {
        if (options == null) {
            throw new InvalidArgumentException("query options must not be null (use QueryOptions.defaults())");
        }
        return options;
    }
}
