package io.datalake.query;

import io.datalake.InvalidArgumentException;
import io.datalake.InvalidQueryException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to run a {@link Query}: how many rows are wanted, the random seed, the batch size and an optional forced join
 * method. Immutable; every setting is optional.
 */
public final class QueryOptions {
    /** The largest batch size accepted. */
    public static final int MAX_BATCH_SIZE = 100_000;

    private static final QueryOptions DEFAULTS = new Builder().build();

    private final @Nullable Integer datumsWanted;
    private final @Nullable Long seed;
    private final @Nullable Integer batchSize;
    private final @Nullable JoinMethod joinHint;

    private QueryOptions(Builder b) {
        this.datumsWanted = b.datumsWanted;
        this.seed = b.seed;
        this.batchSize = b.batchSize;
        this.joinHint = b.joinHint;
    }

    /**
     * Returns options with every default: all rows, a fresh random seed per run, the lake's batch size, and the
     * engine's choice of join.
     *
     * @return the default options
     */
    public static QueryOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns default options that stop after a number of complete rows.
     *
     * @param datumsWanted the number of rows wanted, or null for all
     * @return the options
     * @throws InvalidQueryException if {@code datumsWanted} is not positive
     */
    public static QueryOptions datumsWanted(@Nullable Integer datumsWanted) {
        return builder().datumsWanted(datumsWanted).build();
    }

    /**
     * Returns a new builder with every default.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding these options.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        return new Builder().datumsWanted(datumsWanted).seed(seed).batchSize(batchSize).joinHint(joinHint);
    }

    /**
     * Returns how many complete rows are wanted; the query stops reading as soon as it has them.
     *
     * @return the number of rows, or null for all rows
     */
    public @Nullable Integer datumsWanted() {
        return datumsWanted;
    }

    /**
     * Returns the seed of the {@link Strategy#RANDOM} choices: the same seed, query and data give the same rows.
     *
     * @return the seed, or null for a fresh random seed per run
     */
    public @Nullable Long seed() {
        return seed;
    }

    /**
     * Returns how many rows are resolved together (and at most how many ids one {@code $in} lookup carries).
     *
     * @return the batch size, or null for the lake's batch size
     */
    public @Nullable Integer batchSize() {
        return batchSize;
    }

    /**
     * Returns the join method forced on every derived level.
     *
     * @return the method, or null to let the engine choose
     */
    public @Nullable JoinMethod joinHint() {
        return joinHint;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QueryOptions)) {
            return false;
        }
        QueryOptions other = (QueryOptions) o;
        return Objects.equals(datumsWanted, other.datumsWanted) && Objects.equals(seed, other.seed)
                && Objects.equals(batchSize, other.batchSize) && joinHint == other.joinHint;
    }

    @Override
    public int hashCode() {
        return Objects.hash(datumsWanted, seed, batchSize, joinHint);
    }

    @Override
    public String toString() {
        return "QueryOptions{datumsWanted=" + datumsWanted + ", seed=" + seed + ", batchSize=" + batchSize
                + ", joinHint=" + joinHint + "}";
    }

    /** Builder of {@link QueryOptions}; each setter validates its argument. */
    public static final class Builder {
        private @Nullable Integer datumsWanted;
        private @Nullable Long seed;
        private @Nullable Integer batchSize;
        private @Nullable JoinMethod joinHint;

        private Builder() {
        }

        /**
         * Sets how many complete rows are wanted.
         *
         * @param datumsWanted a positive number, or null for all rows
         * @return this builder
         * @throws InvalidQueryException if the number is zero or negative
         */
        public Builder datumsWanted(@Nullable Integer datumsWanted) {
            if (datumsWanted != null && datumsWanted <= 0) {
                throw new InvalidQueryException("datumsWanted must be positive (or null for all rows), got "
                        + datumsWanted);
            }
            this.datumsWanted = datumsWanted;
            return this;
        }

        /**
         * Sets the seed of the random choices.
         *
         * @param seed the seed, or null for a fresh one per run
         * @return this builder
         */
        public Builder seed(@Nullable Long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets the batch size.
         *
         * @param batchSize between 1 and {@value #MAX_BATCH_SIZE}, or null for the lake's
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder batchSize(@Nullable Integer batchSize) {
            if (batchSize != null && (batchSize < 1 || batchSize > MAX_BATCH_SIZE)) {
                throw new InvalidArgumentException("batchSize must be between 1 and " + MAX_BATCH_SIZE + ", got "
                        + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Forces a join method on every derived level, overriding the engine's choice.
         *
         * @param joinHint the method, or null to let the engine choose
         * @return this builder
         */
        public Builder joinHint(@Nullable JoinMethod joinHint) {
            this.joinHint = joinHint;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         */
        public QueryOptions build() {
            return new QueryOptions(this);
        }
    }
}
