package io.datalake.schema;

import io.datalake.InvalidArgumentException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Immutable settings of schema validation: how a datum's kind is found, what happens to a datum that violates its
 * schema, and how long a lake trusts the latest version numbers it has read. Build with {@link #builder()}; every
 * setting has a default, and {@code DatalakeSettings.builder().schemas(...)} sets them on a lake.
 *
 * <pre>{@code
 * SchemaSettings schemas = SchemaSettings.builder()
 *         .kindSelector("metadata.kind")
 *         .mode(ValidationMode.WARN)
 *         .mode("legacy-scan", ValidationMode.OFF)
 *         .listener(v -> metrics.increment(v.kind()))
 *         .build();
 * }</pre>
 */
public final class SchemaSettings {
    /** Kind selector when none is set: the Python datalake's convention of a {@code type} field in the data. */
    public static final String DEFAULT_KIND_SELECTOR = "data.type";
    /** Validation mode when none is set. */
    public static final ValidationMode DEFAULT_MODE = ValidationMode.ENFORCE;
    /**
     * How long a lake reuses the latest version number of a kind it read (and the fact that a kind has no schema)
     * before reading it again, when none is set. A schema registered through another lake object is enforced by
     * this one at most this long (plus one read) after its registration.
     */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(5);
    /** Longest cache TTL accepted. */
    public static final Duration MAX_CACHE_TTL = Duration.ofHours(1);

    private static final Pattern SELECTOR = Pattern.compile("(data|metadata)(\\.[^.$\\x00]+)+");
    private static final SchemaSettings DEFAULTS = builder().build();

    private final String kindSelector;
    private final ValidationMode mode;
    private final Map<String, ValidationMode> modes;
    private final @Nullable SchemaViolationListener listener;
    private final Duration cacheTtl;

    private SchemaSettings(Builder b) {
        this.kindSelector = b.kindSelector;
        this.mode = b.mode;
        this.modes = Collections.unmodifiableMap(new TreeMap<>(b.modes));
        this.listener = b.listener;
        this.cacheTtl = b.cacheTtl;
    }

    /**
     * Returns the default settings.
     *
     * @return settings with every value at its default
     */
    public static SchemaSettings defaults() {
        return DEFAULTS;
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
     * Returns a builder initialized with these settings.
     *
     * @return a new builder holding these settings
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.kindSelector = kindSelector;
        b.mode = mode;
        b.modes.putAll(modes);
        b.listener = listener;
        b.cacheTtl = cacheTtl;
        return b;
    }

    /**
     * Returns the dotted path of the field that holds a datum's kind, in its document view: under {@code data.}
     * or {@code metadata.}, through nested objects (not array elements). A datum whose field is missing or not a
     * string has no kind and is not validated.
     *
     * @return the selector, {@value #DEFAULT_KIND_SELECTOR} by default
     */
    public String kindSelector() {
        return kindSelector;
    }

    /**
     * Returns the path segments of the kind selector.
     *
     * @return e.g. {@code [data, type]}
     */
    public List<String> kindSelectorPath() {
        return List.of(kindSelector.split("\\."));
    }

    /**
     * Returns the lake's validation mode, for kinds without their own.
     *
     * @return the mode, {@link #DEFAULT_MODE} by default
     */
    public ValidationMode mode() {
        return mode;
    }

    /**
     * Returns the validation mode of one kind: its own if set, else {@link #mode()}.
     *
     * @param kind a kind
     * @return the mode that applies to it
     */
    public ValidationMode mode(String kind) {
        return modes.getOrDefault(kind, mode);
    }

    /**
     * Returns the kinds with their own validation mode.
     *
     * @return an unmodifiable map, sorted by kind
     */
    public Map<String, ValidationMode> modes() {
        return modes;
    }

    /**
     * Returns who receives the datums stored in {@link ValidationMode#WARN} mode despite violations (they are
     * logged as SLF4J warnings too).
     *
     * @return the listener, or null for none (log only)
     */
    public @Nullable SchemaViolationListener listener() {
        return listener;
    }

    /**
     * Returns how long the latest version number of a kind, once read, is reused; see {@link #DEFAULT_CACHE_TTL}.
     *
     * @return the time to live, {@link #DEFAULT_CACHE_TTL} by default
     */
    public Duration cacheTtl() {
        return cacheTtl;
    }

    @Override
    public String toString() {
        return "SchemaSettings{kindSelector=" + kindSelector + ", mode=" + mode + ", modes=" + modes
                + ", cacheTtl=" + cacheTtl + ", listener=" + (listener == null ? "none" : "set") + "}";
    }

    /** Builder of {@link SchemaSettings}. */
    public static final class Builder {
        private String kindSelector = DEFAULT_KIND_SELECTOR;
        private ValidationMode mode = DEFAULT_MODE;
        private final Map<String, ValidationMode> modes = new TreeMap<>();
        private @Nullable SchemaViolationListener listener;
        private Duration cacheTtl = DEFAULT_CACHE_TTL;

        private Builder() {
        }

        /**
         * Sets the kind selector; see {@link SchemaSettings#kindSelector()}.
         *
         * @param kindSelector a dotted path starting with {@code data.} or {@code metadata.}, e.g.
         *     {@code "metadata.kind"}
         * @return this builder
         * @throws InvalidArgumentException if the path is not of that form (empty segments, {@code $}, NUL)
         */
        public Builder kindSelector(String kindSelector) {
            if (kindSelector == null || !SELECTOR.matcher(kindSelector).matches()) {
                throw new InvalidArgumentException("kindSelector must be a dotted path under data. or metadata."
                        + " (e.g. data.type, metadata.kind) without empty segments or '$', got "
                        + (kindSelector == null ? null : "'" + kindSelector + "'"));
            }
            this.kindSelector = kindSelector;
            return this;
        }

        /**
         * Sets the lake's validation mode.
         *
         * @param mode the mode
         * @return this builder
         * @throws InvalidArgumentException if null
         */
        public Builder mode(ValidationMode mode) {
            if (mode == null) {
                throw new InvalidArgumentException("mode must not be null");
            }
            this.mode = mode;
            return this;
        }

        /**
         * Sets the validation mode of one kind, overriding the lake's.
         *
         * @param kind the kind
         * @param mode its mode
         * @return this builder
         * @throws InvalidArgumentException if the kind is not valid or the mode is null
         */
        public Builder mode(String kind, ValidationMode mode) {
            String problem = Schema.kindProblem(kind);
            if (problem != null || mode == null) {
                throw new InvalidArgumentException("mode(kind, mode): " + (problem != null ? problem
                        : "mode must not be null") + ", got kind " + (kind == null ? null : "'" + kind + "'"));
            }
            modes.put(kind, mode);
            return this;
        }

        /**
         * Sets who receives datums stored in {@link ValidationMode#WARN} mode despite violations.
         *
         * @param listener the listener, or null for none
         * @return this builder
         */
        public Builder listener(@Nullable SchemaViolationListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Sets how long a read latest version number is reused; see {@link SchemaSettings#cacheTtl()}.
         *
         * @param cacheTtl from zero (read on every write) to {@link #MAX_CACHE_TTL}
         * @return this builder
         * @throws InvalidArgumentException if null, negative or too long
         */
        public Builder cacheTtl(Duration cacheTtl) {
            if (cacheTtl == null || cacheTtl.isNegative() || cacheTtl.compareTo(MAX_CACHE_TTL) > 0) {
                throw new InvalidArgumentException("cacheTtl must be between 0 and " + MAX_CACHE_TTL + ", got "
                        + cacheTtl);
            }
            this.cacheTtl = cacheTtl;
            return this;
        }

        /**
         * Builds the settings.
         *
         * @return immutable settings
         */
        public SchemaSettings build() {
            return new SchemaSettings(this);
        }
    }
}
