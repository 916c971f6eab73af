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
    /**
     * Rows per Parquet row group (a row group is also closed early when its buffers pass about 64 MiB, or 32 MiB
     * when the file holds payload bytes; open split files of a Hugging Face export share that budget).
     */
    public static final int DEFAULT_ROW_GROUP_ROWS = 50_000;
    /** The largest rows per Parquet row group. */
    public static final int MAX_ROW_GROUP_ROWS = 10_000_000;

    private final ExportFormat format;
    private final int batchSize;
    private final int payloadConcurrency;
    private final Consumer<ExportProgress> progress;
    private final PayloadMode payloadMode;
    private final Split split;
    private final CocoOptions coco;
    private final int rowGroupRows;

    private ExportOptions(Builder b) {
        this.payloadMode = b.payloadMode;
        this.split = b.split;
        this.coco = b.coco;
        this.rowGroupRows = b.rowGroupRows;
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

    /**
     * Returns how payloads are written.
     *
     * @return {@link PayloadMode#FILES} by default
     */
    public PayloadMode payloadMode() {
        return payloadMode;
    }

    /**
     * Returns how a Hugging Face export divides rows into splits.
     *
     * @return {@link Split#single()} by default
     */
    public Split split() {
        return split;
    }

    /**
     * Returns the columns a COCO export reads.
     *
     * @return {@link CocoOptions#defaults()} by default
     */
    public CocoOptions coco() {
        return coco;
    }

    /**
     * Returns the rows per Parquet row group.
     *
     * @return 1 to {@value #MAX_ROW_GROUP_ROWS}; {@value #DEFAULT_ROW_GROUP_ROWS} by default
     */
    public int rowGroupRows() {
        return rowGroupRows;
    }

    private static void ignore(ExportProgress progress) {
        // The default listener: no progress reporting.
    }

    @Override
    public String toString() {
        return "ExportOptions{format=" + format + ", batchSize=" + batchSize + ", payloadConcurrency="
                + payloadConcurrency + ", payloadMode=" + payloadMode + ", split=" + split + ", coco=" + coco
                + ", rowGroupRows=" + rowGroupRows + "}";
    }

    /** Builds {@link ExportOptions}; every setter checks its argument. */
    public static final class Builder {
        private ExportFormat format = ExportFormat.JSONL;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int payloadConcurrency = DEFAULT_PAYLOAD_CONCURRENCY;
        private Consumer<ExportProgress> progress = ExportOptions::ignore;
        private PayloadMode payloadMode = PayloadMode.FILES;
        private Split split = Split.single();
        private CocoOptions coco = CocoOptions.defaults();
        private int rowGroupRows = DEFAULT_ROW_GROUP_ROWS;

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
         * Sets how payloads are written. {@link PayloadMode#EMBED} applies to Parquet and Hugging Face only; the
         * export fails with an {@link InvalidArgumentException} before writing anything for another format.
         *
         * @param payloadMode the mode
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder payloadMode(PayloadMode payloadMode) {
            if (payloadMode == null) {
                throw new InvalidArgumentException("payloadMode must not be null");
            }
            this.payloadMode = payloadMode;
            return this;
        }

        /**
         * Sets how a Hugging Face export divides rows into splits (another format with a split other than the
         * default fails with an {@link InvalidArgumentException} before writing anything).
         *
         * @param split the split
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder split(Split split) {
            if (split == null) {
                throw new InvalidArgumentException("split must not be null");
            }
            this.split = split;
            return this;
        }

        /**
         * Sets the columns a COCO export reads.
         *
         * @param coco the column roles
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder coco(CocoOptions coco) {
            if (coco == null) {
                throw new InvalidArgumentException("coco must not be null");
            }
            this.coco = coco;
            return this;
        }

        /**
         * Sets the rows per Parquet row group.
         *
         * @param rowGroupRows 1 to {@value #MAX_ROW_GROUP_ROWS}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder rowGroupRows(int rowGroupRows) {
            if (rowGroupRows < 1 || rowGroupRows > MAX_ROW_GROUP_ROWS) {
                throw new InvalidArgumentException("rowGroupRows must be 1 to " + MAX_ROW_GROUP_ROWS + ", got "
                        + rowGroupRows);
            }
            this.rowGroupRows = rowGroupRows;
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
