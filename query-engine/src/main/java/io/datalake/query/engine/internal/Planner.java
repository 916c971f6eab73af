package io.datalake.query.engine.internal;

import io.datalake.query.JoinMethod;
import io.datalake.query.Query;
import io.datalake.query.QueryLevel;
import io.datalake.query.QueryOptions;
import io.datalake.query.QueryPlan;
import io.datalake.query.engine.EngineTuning;
import io.datalake.query.Strategy;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Chooses how a query runs. The choice is between batched {@code $in} lookups on {@code derived_from} (cheap when
 * few parents are needed: a small {@code datumsWanted}) and one filtered scan per level joined in memory (cheap
 * per row when much of the lake is involved, and the only sane choice where lookups are collection scans, as on
 * servers without a usable {@code derived_from} index). The execution adapts within those rules: a lookup plan
 * switches to scans when it needs more than a few batches, and a scan plan uses one lookup when the whole base
 * fits in its first batch.
 */
public final class Planner {
    private final EngineTuning tuning;

    /**
     * Creates a planner.
     *
     * @param tuning the engine's limits
     */
    public Planner(EngineTuning tuning) {
        this.tuning = tuning;
    }

    /**
     * Plans a query.
     *
     * @param query the validated query
     * @param options the run's options
     * @return the plan
     */
    public ExecutionPlan plan(Query query, QueryOptions options) {
        int batchSize = options.batchSize() != null ? options.batchSize() : tuning.batchSize();
        Integer wanted = options.datumsWanted();
        JoinMethod hint = options.joinHint();
        JoinMethod join;
        String why;
        if (hint != null) {
            join = hint;
            why = "forced by the join hint";
        } else if (wanted != null && wanted <= tuning.lookupLimit()) {
            join = JoinMethod.LOOKUP;
            why = "only " + wanted + " rows are wanted, so only the children of the parents needed are read; "
                    + "switches to SCAN if more than " + tuning.maxLookupBatches() + " batches are needed";
        } else {
            join = JoinMethod.SCAN;
            why = (wanted == null ? "all rows are wanted" : wanted + " rows are wanted")
                    + ", so one scan of the level costs less than a lookup per batch; one LOOKUP instead if the "
                    + "base has fewer than " + batchSize + " datums";
        }
        // A LOOKUP chosen without a hint was chosen because few rows are wanted, so wanted is set.
        int baseBatch = join == JoinMethod.LOOKUP && hint == null && wanted != null
                ? Math.min(batchSize, Math.max(tuning.minLookupBatch(), wanted + wanted / 2))
                : batchSize;
        return new ExecutionPlan(query, options, join, hint != null, batchSize, baseBatch,
                toQueryPlan(query, wanted, join, why, batchSize, baseBatch));
    }

    private static QueryPlan toQueryPlan(Query query, @Nullable Integer wanted, JoinMethod join, String why,
            int batchSize, int baseBatch) {
        List<QueryPlan.Level> levels = new ArrayList<>();
        for (QueryLevel level : query.levels()) {
            if (level.isBase()) {
                levels.add(new QueryPlan.Level(level, null, baseDescription(level.strategy(), baseBatch)));
            } else {
                levels.add(new QueryPlan.Level(level, join, derivedDescription(level, join, batchSize) + "; " + why));
            }
        }
        return new QueryPlan(query, levels, wanted, batchSize);
    }

    private static String baseDescription(Strategy order, int baseBatch) {
        switch (order) {
            case LATEST:
                return "find with the filter, sorted by added_at descending then _id descending, projected to _id, "
                        + "resolved in batches of " + baseBatch;
            case EARLIEST:
                return "find with the filter, sorted by added_at ascending then _id ascending, projected to _id, "
                        + "resolved in batches of " + baseBatch;
            case QUICKEST:
                return "find with the filter in storage order (no sort), projected to _id, resolved in batches of "
                        + baseBatch;
            case RANDOM:
                return "reads every matching _id, then shuffles them (seeded) in memory, resolved in batches of "
                        + baseBatch;
            default:
                throw new IllegalArgumentException("no base order " + order);
        }
    }

    private static String derivedDescription(QueryLevel level, JoinMethod join, int batchSize) {
        String read = join == JoinMethod.LOOKUP
                ? "per batch, find with the filter and derived_from $in the batch's '" + level.derivedFrom()
                        + "' ids (at most " + batchSize + " per query)"
                : "one find with the filter over the whole lake, joined in memory on derived_from";
        String pick;
        switch (level.strategy()) {
            case LATEST:
                pick = "keeps the child with the newest added_at (then largest _id) per parent";
                break;
            case EARLIEST:
                pick = "keeps the child with the oldest added_at (then smallest _id) per parent";
                break;
            case QUICKEST:
                pick = "keeps the first child returned per parent";
                break;
            case RANDOM:
                pick = "keeps every child id per parent and picks one uniformly (seeded)";
                break;
            case MISSING:
                pick = "keeps only rows whose parent has no matching child";
                break;
            default:
                throw new IllegalArgumentException("unknown strategy " + level.strategy());
        }
        return read + ", projected to _id, derived_from, added_at; " + pick;
    }
}
