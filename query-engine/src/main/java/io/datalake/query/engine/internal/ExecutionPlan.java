package io.datalake.query.engine.internal;

import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;

/**
 * A planned query: what {@link Execution} needs, plus the public {@link QueryPlan} that explains it.
 *
 * @param query the query
 * @param options the run's options
 * @param join the planned join of every derived level
 * @param forced whether the join was forced by a hint (then it never adapts)
 * @param batchSize the most ids per {@code $in} lookup
 * @param baseBatch base datums resolved together
 * @param explained the public plan
 */
public record ExecutionPlan(Query query, QueryOptions options, JoinMethod join, boolean forced, int batchSize,
        int baseBatch, QueryPlan explained) {
}
