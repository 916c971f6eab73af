package io.datalake.query.engine.internal.link;

import io.datalake.query.JoinMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides how children are found: batched {@code $in} lookups through {@link ChildLookup} (cheap while few parents
 * are involved) or one projected scan joined in memory (cheaper once a large share of the lake is involved). Two
 * callers, two rules:
 * <ul>
 *   <li>the descendant walk scans a level once it holds more than {@link #SCAN_SHARE} of the lake and at least
 *       {@link #MIN_SCAN_LEVEL} datums ({@link #scanAbove});</li>
 *   <li>a query run follows its plan's join, leaves a scan plan for lookups when its whole base is one small batch,
 *       and leaves a lookup plan for scans after {@code maxLookupBatches} lookup batches ({@link #next}).</li>
 * </ul>
 * An instance is the state of one query run; not thread-safe (a run resolves one batch at a time).
 */
public final class LookupOrScan {
    /** Share of the lake above which a level of the descendant walk is resolved by a scan instead of lookups. */
    public static final double SCAN_SHARE = 0.001;
    /** Smallest level of the descendant walk that may be scanned; tiny lakes always use lookups. */
    public static final int MIN_SCAN_LEVEL = 64;

    private final boolean forced;
    private final JoinMethod planned;
    private final int maxLookupBatches;
    private boolean scanning;
    private int lookupBatches;

    /**
     * Starts the choice of one query run.
     *
     * @param planned the join the plan chose
     * @param forced whether the caller forced it (then it never changes)
     * @param maxLookupBatches lookup batches after which a lookup plan switches to scans
     */
    public LookupOrScan(JoinMethod planned, boolean forced, int maxLookupBatches) {
        this.planned = planned;
        this.forced = forced;
        this.maxLookupBatches = maxLookupBatches;
        this.scanning = planned == JoinMethod.SCAN;
    }

    /**
     * Returns the largest level of the descendant walk that is resolved with lookups.
     *
     * @param lakeSize the (estimated) number of documents in the lake
     * @return a level with more parents than this is resolved by one scan
     */
    public static long scanAbove(long lakeSize) {
        return Math.max(MIN_SCAN_LEVEL, (long) (lakeSize * SCAN_SHARE));
    }

    /**
     * Returns whether the run currently resolves batches by scans (and so reads ahead with large cursor batches).
     *
     * @return true while scanning
     */
    public boolean scanning() {
        return scanning;
    }

    /**
     * Chooses the join of the next batch of a query run.
     *
     * @param onlyBatch whether this is the first batch and smaller than a full one, i.e. the whole base
     * @return the join for this batch
     */
    public JoinMethod next(boolean onlyBatch) {
        if (forced) {
            return planned;
        }
        if (scanning && onlyBatch) {
            // The whole base is this one small batch: a lookup reads far less than a scan of every level.
            scanning = false;
            return JoinMethod.LOOKUP;
        }
        if (!scanning && ++lookupBatches > maxLookupBatches) {
            scanning = true;
        }
        return scanning ? JoinMethod.SCAN : JoinMethod.LOOKUP;
    }

    /**
     * Splits a list into consecutive batches (views of it).
     *
     * @param items the list
     * @param size the largest batch
     * @param <T> the element type
     * @return the batches, in order; none for an empty list
     */
    public static <T> List<List<T>> partition(List<T> items, int size) {
        List<List<T>> batches = new ArrayList<>((items.size() + size - 1) / size);
        for (int from = 0; from < items.size(); from += size) {
            batches.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return batches;
    }
}
