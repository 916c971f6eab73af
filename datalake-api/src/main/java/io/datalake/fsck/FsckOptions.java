package io.datalake.fsck;

import io.datalake.InvalidArgumentException;
import java.util.function.Consumer;

/**
 * Options of {@link io.datalake.Datalake#fsck(FsckOptions)}. Immutable; build with {@link #builder()}.
 */
public final class FsckOptions {
    /** Default number of registry objects looked up or read at once. */
    public static final int DEFAULT_PARALLELISM = 8;
    /** Largest {@link #parallelism()}. */
    public static final int MAX_PARALLELISM = 256;
    /** Default number of findings a report keeps in detail. */
    public static final int DEFAULT_MAX_DETAILS = 1000;
    /** Largest {@link #maxDetails()}: a report holds its details in memory. */
    public static final int MAX_DETAILS_LIMIT = 1_000_000;
    /** Default number of stored documents read per query. */
    public static final int DEFAULT_PAGE_SIZE = 50_000;
    /** Largest {@link #pageSize()}. */
    public static final int MAX_PAGE_SIZE = 100_000;

    private static final Consumer<FsckProgress> NO_PROGRESS = p -> { };
    private static final FsckOptions DEFAULTS = builder().build();

    private final boolean verify;
    private final int parallelism;
    private final int maxDetails;
    private final boolean schemas;
    private final boolean datasets;
    private final int pageSize;
    private final Consumer<FsckProgress> progress;

    private FsckOptions(Builder b) {
        this.pageSize = b.pageSize;
        this.verify = b.verify;
        this.parallelism = b.parallelism;
        this.maxDetails = b.maxDetails;
        this.schemas = b.schemas;
        this.datasets = b.datasets;
        this.progress = b.progress;
    }

    /**
     * Returns the defaults: no hashing, {@value #DEFAULT_PARALLELISM} objects at once, {@value #DEFAULT_MAX_DETAILS}
     * details, schemas and datasets checked, pages of {@value #DEFAULT_PAGE_SIZE} documents, no progress listener.
     *
     * @return the default options
     */
    public static FsckOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a builder with the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder with these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.verify = verify;
        b.parallelism = parallelism;
        b.maxDetails = maxDetails;
        b.schemas = schemas;
        b.datasets = datasets;
        b.pageSize = pageSize;
        b.progress = progress;
        return b;
    }

    /**
     * Tells whether every registry object is read and hashed (SHA-256, as {@code getPayload} does); otherwise only
     * its existence and size are looked up in the store's metadata.
     *
     * @return whether payloads are hashed
     */
    public boolean verify() {
        return verify;
    }

    /**
     * Returns how many registry objects are looked up or read at once.
     *
     * @return 1 to {@value #MAX_PARALLELISM}
     */
    public int parallelism() {
        return parallelism;
    }

    /**
     * Returns how many findings the report keeps in detail (all are counted).
     *
     * @return 0 to {@value #MAX_DETAILS_LIMIT}
     */
    public int maxDetails() {
        return maxDetails;
    }

    /**
     * Tells whether datums are validated against the latest schema of their kind.
     *
     * @return whether schemas are checked
     */
    public boolean schemas() {
        return schemas;
    }

    /**
     * Tells whether the rows of draft and published dataset versions are checked.
     *
     * @return whether datasets are checked
     */
    public boolean datasets() {
        return datasets;
    }

    /**
     * Returns how many stored documents one query reads (a page also ends after 16 MiB of documents). Each page is
     * one query under the operation time limit, read whole before it is checked; larger pages mean fewer queries
     * and more memory.
     *
     * @return 1 to {@value #MAX_PAGE_SIZE}
     */
    public int pageSize() {
        return pageSize;
    }

    /**
     * Returns the listener told how far the check has got.
     *
     * @return the listener; a no-op by default
     */
    public Consumer<FsckProgress> progress() {
        return progress;
    }

    @Override
    public String toString() {
        return "FsckOptions{verify=" + verify + ", parallelism=" + parallelism + ", maxDetails=" + maxDetails
                + ", schemas=" + schemas + ", datasets=" + datasets + ", pageSize=" + pageSize + "}";
    }

    /** Builds {@link FsckOptions}. */
    public static final class Builder {
        private boolean verify;
        private int parallelism = DEFAULT_PARALLELISM;
        private int maxDetails = DEFAULT_MAX_DETAILS;
        private boolean schemas = true;
        private boolean datasets = true;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private Consumer<FsckProgress> progress = NO_PROGRESS;

        private Builder() {
        }

        /**
         * Reads and hashes every registry object instead of only looking up its size.
         *
         * @param verify whether to hash payloads
         * @return this builder
         */
        public Builder verify(boolean verify) {
            this.verify = verify;
            return this;
        }

        /**
         * Sets how many registry objects are looked up or read at once.
         *
         * @param parallelism 1 to {@value #MAX_PARALLELISM}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder parallelism(int parallelism) {
            if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
                throw new InvalidArgumentException("fsck parallelism must be 1 to " + MAX_PARALLELISM + ", was "
                        + parallelism);
            }
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Sets how many findings the report keeps in detail.
         *
         * @param maxDetails 0 to {@value #MAX_DETAILS_LIMIT}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder maxDetails(int maxDetails) {
            if (maxDetails < 0 || maxDetails > MAX_DETAILS_LIMIT) {
                throw new InvalidArgumentException("fsck maxDetails must be 0 to " + MAX_DETAILS_LIMIT + ", was "
                        + maxDetails);
            }
            this.maxDetails = maxDetails;
            return this;
        }

        /**
         * Sets whether datums are validated against the schemas of their kinds.
         *
         * @param schemas whether to check schemas
         * @return this builder
         */
        public Builder schemas(boolean schemas) {
            this.schemas = schemas;
            return this;
        }

        /**
         * Sets whether the rows of draft and published dataset versions are checked.
         *
         * @param datasets whether to check datasets
         * @return this builder
         */
        public Builder datasets(boolean datasets) {
            this.datasets = datasets;
            return this;
        }

        /**
         * Sets how many stored documents one query reads.
         *
         * @param pageSize 1 to {@value #MAX_PAGE_SIZE}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder pageSize(int pageSize) {
            if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
                throw new InvalidArgumentException("fsck pageSize must be 1 to " + MAX_PAGE_SIZE + ", was "
                        + pageSize);
            }
            this.pageSize = pageSize;
            return this;
        }

        /**
         * Sets a listener told how far the check has got, after each page of datums and each batch of dataset
         * rows. It runs on the lake's I/O threads: keep it quick, never block. A listener that throws fails the
         * check with a {@link io.datalake.DatalakeException} whose cause is its exception.
         *
         * @param progress the listener
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder progress(Consumer<FsckProgress> progress) {
            if (progress == null) {
                throw new InvalidArgumentException("fsck progress listener must not be null");
            }
            this.progress = progress;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public FsckOptions build() {
            return new FsckOptions(this);
        }
    }
}
