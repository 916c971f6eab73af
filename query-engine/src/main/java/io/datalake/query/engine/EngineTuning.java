package io.datalake.query.engine;

import io.datalake.InvalidArgumentException;

/**
 * The engine's limits: the default batch size, the largest {@code datumsWanted} planned with lookups, how many
 * lookup batches run before switching to scans, and the smallest lookup batch.
 *
 * @param batchSize rows resolved together (and ids per {@code $in}) when the options name none
 * @param lookupLimit the largest {@code datumsWanted} planned with {@code LOOKUP}
 * @param maxLookupBatches lookup batches after which a {@code LOOKUP} plan switches to {@code SCAN}
 * @param minLookupBatch the smallest base batch of a {@code LOOKUP} plan
 */
public record EngineTuning(int batchSize, int lookupLimit, int maxLookupBatches, int minLookupBatch) {
    /** Rows resolved together by default. */
    public static final int DEFAULT_BATCH_SIZE = 1000;
    /** The largest {@code datumsWanted} planned with lookups by default. */
    public static final int DEFAULT_LOOKUP_LIMIT = 1000;
    /** Lookup batches before switching to scans, by default. */
    public static final int DEFAULT_MAX_LOOKUP_BATCHES = 3;
    /** The smallest lookup batch by default. */
    public static final int DEFAULT_MIN_LOOKUP_BATCH = 32;

    /**
     * Validates the limits.
     *
     * @throws InvalidArgumentException if a limit is not positive
     */
    public EngineTuning {
        if (batchSize < 1 || lookupLimit < 0 || maxLookupBatches < 1 || minLookupBatch < 1) {
            throw new InvalidArgumentException("invalid engine tuning: batchSize=" + batchSize + ", lookupLimit="
                    + lookupLimit + ", maxLookupBatches=" + maxLookupBatches + ", minLookupBatch=" + minLookupBatch);
        }
    }

    /**
     * Returns the defaults with another batch size.
     *
     * @param batchSize the default batch size
     * @return the tuning
     */
    public static EngineTuning withBatchSize(int batchSize) {
        return new EngineTuning(batchSize, DEFAULT_LOOKUP_LIMIT, DEFAULT_MAX_LOOKUP_BATCHES, DEFAULT_MIN_LOOKUP_BATCH);
    }
}
