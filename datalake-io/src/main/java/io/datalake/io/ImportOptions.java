package io.datalake.io;

import io.datalake.InvalidArgumentException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** Immutable settings of one import; build with {@link #builder()}. */
public final class ImportOptions {
    /** Images per {@code addData} batch (each image with its annotations). */
    public static final int DEFAULT_BATCH_SIZE = 100;
    /** The largest batch size. */
    public static final int MAX_BATCH_SIZE = 10_000;
    /**
     * Metadata keys an import writes itself on image datums ({@code source}, {@code import_key}, the declared
     * {@code width}/{@code height}/{@code depth}, and the format's extras {@code coco}/{@code voc}); refused in
     * {@link Builder#metadata(Map)}.
     */
    public static final Set<String> RESERVED_METADATA_KEYS = Set.of("source", "import_key", "width", "height",
            "depth", "coco", "voc");

    private final @Nullable String registry;
    private final Map<String, Object> metadata;
    private final int batchSize;
    private final Consumer<ImportProgress> progress;

    private ImportOptions(Builder b) {
        this.registry = b.registry;
        this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.batchSize = b.batchSize;
        this.progress = b.progress;
    }

    /**
     * Returns a builder with the defaults (the lake's default registry, no extra metadata,
     * {@value #DEFAULT_BATCH_SIZE} images per batch, no progress listener).
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
    public static ImportOptions defaults() {
        return builder().build();
    }

    /**
     * Returns the registry URI the images are stored in.
     *
     * @return the URI, or null for the lake's default registry
     */
    public @Nullable String registry() {
        return registry;
    }

    /**
     * Returns metadata added to every image datum (for example a project name).
     *
     * @return the metadata, unmodifiable
     */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /**
     * Returns the images per batch.
     *
     * @return 1 to {@value #MAX_BATCH_SIZE}
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns the listener told after each written batch.
     *
     * @return the listener; a no-op by default
     */
    public Consumer<ImportProgress> progress() {
        return progress;
    }

    private static void ignore(ImportProgress progress) {
        // The default listener: no progress reporting.
    }

    @Override
    public String toString() {
        return "ImportOptions{registry=" + registry + ", metadata=" + metadata.keySet() + ", batchSize=" + batchSize
                + "}";
    }

    /** Builds {@link ImportOptions}; every setter checks its argument. */
    public static final class Builder {
        private @Nullable String registry;
        private Map<String, Object> metadata = Map.of();
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Consumer<ImportProgress> progress = ImportOptions::ignore;

        private Builder() {
        }

        /**
         * Sets the registry URI the images are stored in.
         *
         * @param registry a registry URI, or null for the lake's default registry
         * @return this builder
         */
        public Builder registry(@Nullable String registry) {
            this.registry = registry;
            return this;
        }

        /**
         * Sets metadata added to every image datum.
         *
         * @param metadata the metadata
         * @return this builder
         * @throws InvalidArgumentException if null or if it uses a key of {@link #RESERVED_METADATA_KEYS}
         */
        public Builder metadata(Map<String, Object> metadata) {
            if (metadata == null) {
                throw new InvalidArgumentException("metadata must not be null");
            }
            for (String key : metadata.keySet()) {
                if (key != null && RESERVED_METADATA_KEYS.contains(key)) {
                    throw new InvalidArgumentException("metadata key '" + key + "' is written by the import itself"
                            + " (reserved: " + new java.util.TreeSet<>(RESERVED_METADATA_KEYS) + ")");
                }
            }
            this.metadata = metadata;
            return this;
        }

        /**
         * Sets the images per batch.
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
         * Sets the listener told after each written batch; it runs on the import's thread: keep it short.
         *
         * @param progress the listener
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder progress(Consumer<ImportProgress> progress) {
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
        public ImportOptions build() {
            return new ImportOptions(this);
        }
    }
}
