package io.datalake;

import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryUris;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of a lake's payload registries. Build with {@link #builder()}; every setting has a default.
 *
 * <pre>{@code
 * RegistrySettings registries = RegistrySettings.builder()
 *         .defaultRegistry("s3://my-bucket/lake")
 *         .property("s3.region", "eu-west-1")
 *         .build();
 * }</pre>
 *
 * <p>Backend properties are named {@code <scheme>.<name>} (for example {@code s3.endpoint}); the query parameters
 * of a registry URI given here or in code override them for that registry
 * ({@code s3://bucket/prefix?endpoint=http://minio:9000}). {@link #toString()} never prints secret values.
 *
 * <p><b>Trust boundary.</b> Reads open only the registries in the lake's allow-list: {@link #defaultRegistry()},
 * the {@link #backends()}, the URIs added with {@link Builder#allow(String)}, and registries this lake object
 * wrote to with an explicit registry URI. A stored datum naming any other registry fails with
 * {@link RegistryNotAllowedException} before any I/O, and an allowed registry is always opened from its
 * configured URI and these properties, never from the parameters of the URI stored on a datum, so a stored
 * document can choose neither files, endpoints nor credentials.
 */
public final class RegistrySettings {
    /** Largest encoded inline {@code data}, in bytes, when none is set: well under MongoDB's 16 MiB document limit. */
    public static final long DEFAULT_INLINE_LIMIT_BYTES = 4L * 1024 * 1024;
    /** Largest inline limit accepted: leaves room for metadata in a 16 MiB document. */
    public static final long MAX_INLINE_LIMIT_BYTES = 15L * 1024 * 1024;
    /** Payloads fetched or stored at once by one call when none is set. */
    public static final int DEFAULT_PAYLOAD_CONCURRENCY = 8;

    private final @Nullable String defaultRegistry;
    private final long inlineLimitBytes;
    private final int payloadConcurrency;
    private final Map<String, String> properties;
    private final List<RegistryBackend> backends;
    private final @Nullable Path spoolDirectory;
    private final List<String> allowed;

    private RegistrySettings(Builder b) {
        this.defaultRegistry = b.defaultRegistry;
        this.inlineLimitBytes = b.inlineLimitBytes;
        this.payloadConcurrency = b.payloadConcurrency;
        this.properties = Collections.unmodifiableMap(new TreeMap<>(b.properties));
        this.backends = List.copyOf(b.backends);
        this.spoolDirectory = b.spoolDirectory;
        this.allowed = List.copyOf(b.allowed);
    }

    /**
     * Returns a builder with every setting at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns settings with every value at its default: no default registry, backends found on the classpath.
     *
     * @return the default settings
     */
    public static RegistrySettings defaults() {
        return builder().build();
    }

    /**
     * Returns a builder initialized with these settings.
     *
     * @return a new builder holding these settings
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.defaultRegistry = defaultRegistry;
        b.inlineLimitBytes = inlineLimitBytes;
        b.payloadConcurrency = payloadConcurrency;
        b.properties.putAll(properties);
        b.backends.addAll(backends);
        b.spoolDirectory = spoolDirectory;
        b.allowed.addAll(allowed);
        return b;
    }

    /**
     * Returns the registry that takes inline data too large to store in MongoDB.
     *
     * @return the registry URI, or null when oversized inline data is refused
     */
    public @Nullable String defaultRegistry() {
        return defaultRegistry;
    }

    /**
     * Returns the largest encoded size of inline {@code data}; larger data goes to {@link #defaultRegistry()} or
     * is refused.
     *
     * @return the limit in bytes, {@value #DEFAULT_INLINE_LIMIT_BYTES} by default
     */
    public long inlineLimitBytes() {
        return inlineLimitBytes;
    }

    /**
     * Returns how many payloads one call reads or writes at once.
     *
     * @return the concurrency, {@value #DEFAULT_PAYLOAD_CONCURRENCY} by default
     */
    public int payloadConcurrency() {
        return payloadConcurrency;
    }

    /**
     * Returns the backend properties, named {@code <scheme>.<name>}.
     *
     * @return an unmodifiable sorted map
     */
    public Map<String, String> properties() {
        return properties;
    }

    /**
     * Returns the ready-made backend handles the lake uses for their {@link RegistryBackend#uri()} instead of
     * opening one; the lake closes them when it closes.
     *
     * @return the handles
     */
    public List<RegistryBackend> backends() {
        return backends;
    }

    /**
     * Returns where streams are spooled (and hashed) before upload.
     *
     * @return the directory, or null for the system's temporary directory
     */
    public @Nullable Path spoolDirectory() {
        return spoolDirectory;
    }

    /**
     * Returns the registries added to the allow-list with {@link Builder#allow(String)}, as given. The lake also
     * allows {@link #defaultRegistry()} and the {@link #backends()}.
     *
     * @return the URIs, in the order added
     */
    public List<String> allowedRegistries() {
        return allowed;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, RegistryUris.isSecretName(k) ? "***" : RegistryUris.redact(v)));
        List<String> handles = new ArrayList<>();
        backends.forEach(b -> handles.add(b.uri()));
        return "RegistrySettings{defaultRegistry="
                + (defaultRegistry == null ? null : RegistryUris.redact(defaultRegistry))
                + ", inlineLimitBytes=" + inlineLimitBytes + ", payloadConcurrency=" + payloadConcurrency
                + ", properties=" + shown + ", backends=" + handles
                + (allowed.isEmpty() ? "" : ", allowed=" + allowed.stream().map(RegistryUris::redact).toList())
                + (spoolDirectory != null ? ", spoolDirectory=" + spoolDirectory : "") + "}";
    }

    /** Builder of {@link RegistrySettings}. */
    public static final class Builder {
        private @Nullable String defaultRegistry;
        private long inlineLimitBytes = DEFAULT_INLINE_LIMIT_BYTES;
        private int payloadConcurrency = DEFAULT_PAYLOAD_CONCURRENCY;
        private final Map<String, String> properties = new TreeMap<>();
        private final List<RegistryBackend> backends = new ArrayList<>();
        private @Nullable Path spoolDirectory;
        private final List<String> allowed = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a registry to the allow-list, so datums whose payloads live there (written by any client) can be
         * read. It is opened from this URI (its query parameters, such as {@code endpoint} or {@code region}, are
         * settings) and the backend properties; a stored datum matches it when its registry URI has the same
         * canonical form ({@code /data} and {@code file:///data} are the same registry; for S3 the bucket, prefix,
         * endpoint, region and path style must match).
         *
         * @param uri a registry URI ({@code file:///abs/path}, an absolute path, {@code s3://bucket/prefix},
         *     {@code gs://bucket/prefix})
         * @return this builder
         * @throws InvalidArgumentException if the URI is null or blank
         */
        public Builder allow(String uri) {
            if (uri == null || uri.isBlank()) {
                throw new InvalidArgumentException("allowed registry URI must not be blank, got '" + uri + "'");
            }
            allowed.add(uri);
            return this;
        }

        /**
         * Sets the registry that takes oversized inline data.
         *
         * @param uri a registry URI, or null to refuse oversized inline data
         * @return this builder
         * @throws InvalidArgumentException if the URI is blank
         */
        public Builder defaultRegistry(@Nullable String uri) {
            if (uri != null && uri.isBlank()) {
                throw new InvalidArgumentException("defaultRegistry must not be blank");
            }
            this.defaultRegistry = uri;
            return this;
        }

        /**
         * Sets the largest encoded size of inline data.
         *
         * @param bytes between 1 and {@value #MAX_INLINE_LIMIT_BYTES}
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder inlineLimitBytes(long bytes) {
            if (bytes < 1 || bytes > MAX_INLINE_LIMIT_BYTES) {
                throw new InvalidArgumentException("inlineLimitBytes must be between 1 and " + MAX_INLINE_LIMIT_BYTES
                        + ", got " + bytes);
            }
            this.inlineLimitBytes = bytes;
            return this;
        }

        /**
         * Sets how many payloads one call reads or writes at once.
         *
         * @param concurrency between 1 and 1024
         * @return this builder
         * @throws InvalidArgumentException if out of range
         */
        public Builder payloadConcurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 1024) {
                throw new InvalidArgumentException("payloadConcurrency must be between 1 and 1024, got " + concurrency);
            }
            this.payloadConcurrency = concurrency;
            return this;
        }

        /**
         * Sets a backend property, such as {@code s3.endpoint}, {@code s3.region}, {@code s3.pathStyle},
         * {@code s3.accessKeyId}, {@code s3.secretAccessKey} or {@code gs.projectId}.
         *
         * @param name {@code <scheme>.<name>}
         * @param value the value
         * @return this builder
         * @throws InvalidArgumentException if the name has no scheme prefix or the value is null
         */
        public Builder property(String name, String value) {
            if (name == null || name.indexOf('.') <= 0 || name.endsWith(".")) {
                throw new InvalidArgumentException("registry property name must be <scheme>.<name>, got '" + name + "'");
            }
            if (value == null) {
                throw new InvalidArgumentException("registry property " + name + " must not be null");
            }
            properties.put(name, value);
            return this;
        }

        /**
         * Adds a ready-made backend handle, used for its {@link RegistryBackend#uri()} instead of opening one (for
         * example a GCS registry over a {@code Storage} the caller configured). The lake closes it on close.
         *
         * @param backend the handle
         * @return this builder
         */
        public Builder backend(RegistryBackend backend) {
            if (backend == null) {
                throw new InvalidArgumentException("backend must not be null");
            }
            backends.add(backend);
            return this;
        }

        /**
         * Sets where streams are spooled before upload.
         *
         * @param directory an existing directory, or null for the system's temporary directory
         * @return this builder
         */
        public Builder spoolDirectory(@Nullable Path directory) {
            this.spoolDirectory = directory;
            return this;
        }

        /**
         * Builds the settings.
         *
         * @return immutable settings
         */
        public RegistrySettings build() {
            return new RegistrySettings(this);
        }
    }
}
