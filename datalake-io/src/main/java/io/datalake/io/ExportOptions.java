package io.datalake.io;

import io.datalake.InvalidArgumentException;
import java.util.function.Consumer;

/** Immutable settings of one export; build with {@link #builder()}. */
public final class ExportOptions {
    /** Rows per batch: each batch is one batched read of its datums; memory is bounded by one batch. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /** The largest batch size. */
    public static final int MAX_BATCH_SIZE = 10_000;
    /** Payload files copied at the same time. */
    public static final int DEFAULT_PAYLOAD_CONCURRENCY = 8;
    /** The largest payload concurrency. */
    public static final int MAX_PAYLOAD_CONCURRENCY = 256;

    private final ExportFormat format;
    private final int batchSize;
    private final int payloadConcurrency;
    private final Consumer<ExportProgress> progress;

    private ExportOptions(Builder b) {
        this.format = b.format;
        this.batchSize = b.batchSize;
        this.payloadConcurrency = b.payloadConcurrency;
        this.progress = b.progress;
    }

    /**
     * Returns a builder with the defaults (JSONL, {@value #DEFAULT_BATCH_SIZE} rows per batch,
     * {@value #DEFAULT_PAYLOAD_CONCURRENCY} concurrent payload copies, no progress listener).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the default options.
     *
     * @return the defaults
     */
    public static ExportOptions defaults() {
        return builder().build();
    }

    /**
     * Returns the format to write.
     *
     * @return the format
     */
    public ExportFormat format() {
        return format;
    }

    /**
     * Returns the rows per batch.
     *
     * @return 1 to {@value #MAX_BATCH_SIZE}
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns how many payload files are copied at the same time.
     *
     * @return 1 to {@value #MAX_PAYLOAD_CONCURRENCY}
     */
    public int payloadConcurrency() {
        return payloadConcurrency;
    }

    /**
     * Returns the listener told after each written batch (for a progress bar).
     *
     * @return the listener; a no-op by default
     */
    public Consumer<ExportProgress> progress() {
        return progress;
    }

    private static void ignore(ExportProgress progress) {
        // The default listener: no progress reporting.
    }

    @Override
    public String toString() {
        return "ExportOptions{format=" + format + ", batchSize=" + batchSize + ", payloadConcurrency="
                + payloadConcurrency + "}";
    }

    /** Builds {@link ExportOptions}; every setter checks its argument. */
    public static final class Builder {
        private ExportFormat format = ExportFormat.JSONL;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int payloadConcurrency = DEFAULT_PAYLOAD_CONCURRENCY;
        private Consumer<ExportProgress> progress = ExportOptions::ignore;

        private Builder() {
        }

        /**
         * Sets the format.
         *
         * @param format the format
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder format(ExportFormat format) {
            if (format == null) {
                throw new InvalidArgumentException("format must not be null");
            }
            this.format = format;
            return this;
        }

        /**
         * Sets the rows per batch.
         *
         * @param batchSize 1 to {@value #MAX_BATCH_SIZE}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
                throw new InvalidArgumentException("batchSize must be 1 to " + MAX_BATCH_SIZE + ", got "
                        + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets how many payload files are copied at the same time.
         *
         * @param payloadConcurrency 1 to {@value #MAX_PAYLOAD_CONCURRENCY}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder payloadConcurrency(int payloadConcurrency) {
            if (payloadConcurrency < 1 || payloadConcurrency > MAX_PAYLOAD_CONCURRENCY) {
                throw new InvalidArgumentException("payloadConcurrency must be 1 to " + MAX_PAYLOAD_CONCURRENCY
                        + ", got " + payloadConcurrency);
            }
            this.payloadConcurrency = payloadConcurrency;
            return this;
        }

        /**
         * Sets the listener told after each written batch. It runs on the export's thread: keep it short.
         *
         * @param progress the listener
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder progress(Consumer<ExportProgress> progress) {
            if (progress == null) {
                throw new InvalidArgumentException("progress must not be null");
            }
            this.progress = progress;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public ExportOptions build() {
            return new ExportOptions(this);
        }
    }
}
