package io.datalake.gc;

import io.datalake.InvalidArgumentException;
import java.time.Duration;

/**
 * Immutable options of a payload garbage collection ({@link io.datalake.Datalake#gc(GcOptions)}). Build with
 * {@link #builder()}; every option has a default.
 *
 * <pre>{@code
 * GcReport report = lake.gc(GcOptions.builder().dryRun(true).grace(Duration.ofHours(48)).build()).block();
 * }</pre>
 */
public final class GcOptions {
    /**
     * Grace period when none is set: an object written less than this long ago is never deleted, because the datum
     * that will reference it may still be on its way (payloads are written before their datums).
     */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
    /** Candidates claimed, re-checked and deleted together, when none is set. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /** Largest batch accepted: one {@code $in} query per batch. */
    public static final int MAX_BATCH_SIZE = 10_000;

    private static final GcOptions DEFAULTS = builder().build();

    private final boolean dryRun;
    private final Duration grace;
    private final int batchSize;

    private GcOptions(Builder b) {
        this.dryRun = b.dryRun;
        this.grace = b.grace;
        this.batchSize = b.batchSize;
    }

    /**
     * Returns the default options: delete, {@link #DEFAULT_GRACE}, {@link #DEFAULT_BATCH_SIZE}.
     *
     * @return the defaults
     */
    public static GcOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a builder with every option at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Tells whether this is a dry run, which reports what would be deleted and changes nothing.
     *
     * @return true for a dry run
     */
    public boolean dryRun() {
        return dryRun;
    }

    /**
     * Returns the grace period: objects written more recently are kept.
     *
     * @return the grace period, zero or positive
     */
    public Duration grace() {
        return grace;
    }

    /**
     * Returns how many candidates are claimed, re-checked and deleted together.
     *
     * @return the batch size
     */
    public int batchSize() {
        return batchSize;
    }

    @Override
    public String toString() {
        return "GcOptions{dryRun=" + dryRun + ", grace=" + grace + ", batchSize=" + batchSize + "}";
    }

    /** Builds {@link GcOptions}. Not thread-safe. */
    public static final class Builder {
        private boolean dryRun;
        private Duration grace = DEFAULT_GRACE;
        private int batchSize = DEFAULT_BATCH_SIZE;

        private Builder() {
        }

        /**
         * Sets whether to only report what would be deleted.
         *
         * @param dryRun true for a dry run
         * @return this builder
         */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /**
         * Sets the grace period.
         *
         * @param grace zero or positive; zero collects every unreferenced object, however young
         * @return this builder
         * @throws InvalidArgumentException if {@code grace} is null or negative
         */
        public Builder grace(Duration grace) {
            if (grace == null || grace.isNegative()) {
                throw new InvalidArgumentException("gc grace period must be zero or positive, got " + grace);
            }
            this.grace = grace;
            return this;
        }

        /**
         * Sets how many candidates are claimed, re-checked and deleted together.
         *
         * @param batchSize 1 to {@link #MAX_BATCH_SIZE}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
                throw new InvalidArgumentException("gc batch size must be 1 to " + MAX_BATCH_SIZE + ", got "
                        + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public GcOptions build() {
            return new GcOptions(this);
        }
    }
}
