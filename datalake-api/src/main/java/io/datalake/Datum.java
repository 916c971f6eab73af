package io.datalake;

import io.datalake.internal.Values;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * One immutable record of the lake: inline {@code data} or a reference to a payload kept in a registry, free-form
 * {@code metadata}, the instant it was added, and an optional parent it was derived from.
 *
 * <p>Stored in MongoDB with the layout of the Mindtrace Python datalake ({@code _id}, {@code data},
 * {@code registry_uri}, {@code registry_key}, {@code derived_from}, {@code metadata}, {@code added_at}), so Python
 * and Java clients can share a lake.
 *
 * <p>Values inside {@code data} and {@code metadata} are JSON-like: {@code Map<String, Object>} (unmodifiable,
 * insertion-ordered), {@code List<Object>} (unmodifiable), {@code String}, {@code Integer}, {@code Long},
 * {@code Double}, {@code BigDecimal}, {@code Boolean}, {@code null}, {@code Instant} (milliseconds),
 * {@code ObjectId}, {@code UUID} and {@code byte[]}. A stored document that is not a valid datum (written by
 * another client) is never turned into a {@code Datum}: reading it by id fails with
 * {@link MalformedDatumException}.
 */
public final class Datum {
    private final ObjectId id;
    private final @Nullable Object data;
    private final @Nullable String registryUri;
    private final @Nullable String registryKey;
    private final @Nullable PayloadInfo payload;
    private final @Nullable ObjectId derivedFrom;
    private final Map<String, @Nullable Object> metadata;
    private final Instant addedAt;

    private Datum(Builder builder) {
        this.id = Objects.requireNonNull(builder.id, "id");
        this.addedAt = Objects.requireNonNull(builder.addedAt, "addedAt");
        this.data = builder.data;
        this.registryUri = builder.registryUri;
        this.registryKey = builder.registryKey;
        this.payload = builder.payload;
        this.derivedFrom = builder.derivedFrom;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(builder.metadata));
    }

    /**
     * Returns a builder; implementations use it to materialize stored datums.
     *
     * @return a new, empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the datum's id, the MongoDB {@code _id}.
     *
     * @return the id
     */
    public ObjectId id() {
        return id;
    }

    /**
     * Returns the datum's data: the inline value, or for a registry datum the payload loaded back from the
     * registry (null when the datum was read without its payload).
     *
     * @return the data, or null
     */
    public @Nullable Object data() {
        return data;
    }

    /**
     * Returns the URI of the registry that holds this datum's payload.
     *
     * @return the registry URI, or null for an inline datum
     */
    public @Nullable String registryUri() {
        return registryUri;
    }

    /**
     * Returns the key of this datum's payload inside its registry.
     *
     * @return the registry key, or null for an inline datum
     */
    public @Nullable String registryKey() {
        return registryKey;
    }

    /**
     * Returns the content type, size and SHA-256 of this datum's registry payload, known without fetching it.
     *
     * @return the payload description, or null for an inline datum
     */
    public @Nullable PayloadInfo payload() {
        return payload;
    }

    /**
     * Returns the id of the datum this one was derived from.
     *
     * @return the parent id, or null for a root datum
     */
    public @Nullable ObjectId derivedFrom() {
        return derivedFrom;
    }

    /**
     * Returns the datum's free-form metadata.
     *
     * @return an unmodifiable map, empty when the datum has none; never null
     */
    public Map<String, @Nullable Object> metadata() {
        return metadata;
    }

    /**
     * Returns when the datum was added, in UTC with millisecond precision: the same value from the add call and
     * from every later read.
     *
     * @return the instant the datum was added
     */
    public Instant addedAt() {
        return addedAt;
    }

    /**
     * Returns a copy of this datum with other data; used to attach a payload loaded from a registry.
     *
     * @param newData the data of the copy
     * @return a datum equal to this one except for its data
     */
    public Datum withData(@Nullable Object newData) {
        return toBuilder().data(newData).build();
    }

    /**
     * Returns a builder initialized with this datum's values.
     *
     * @return a builder holding a copy of every field
     */
    public Builder toBuilder() {
        return new Builder()
                .id(id)
                .data(data)
                .registryUri(registryUri)
                .registryKey(registryKey)
                .payload(payload)
                .derivedFrom(derivedFrom)
                .metadata(metadata)
                .addedAt(addedAt);
    }

    /**
     * Two datums are equal when every field is deeply equal (byte arrays by content).
     */
    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Datum)) {
            return false;
        }
        Datum other = (Datum) o;
        return id.equals(other.id)
                && addedAt.equals(other.addedAt)
                && Objects.equals(registryUri, other.registryUri)
                && Objects.equals(registryKey, other.registryKey)
                && Objects.equals(payload, other.payload)
                && Objects.equals(derivedFrom, other.derivedFrom)
                && Values.deepEquals(data, other.data)
                && Values.deepEquals(metadata, other.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, addedAt, derivedFrom);
    }

    @Override
    public String toString() {
        return "Datum{id=" + id
                + (derivedFrom != null ? ", derivedFrom=" + derivedFrom : "")
                + (registryUri != null ? ", registryUri=" + registryUri + ", registryKey=" + registryKey : "")
                + ", addedAt=" + addedAt
                + ", metadata=" + Values.abbreviate(metadata)
                + ", data=" + Values.abbreviate(data) + "}";
    }

    /** Mutable builder of {@link Datum}; {@code id} and {@code addedAt} are required. */
    public static final class Builder {
        private @Nullable ObjectId id;
        private @Nullable Object data;
        private @Nullable String registryUri;
        private @Nullable String registryKey;
        private @Nullable PayloadInfo payload;
        private @Nullable ObjectId derivedFrom;
        private Map<String, @Nullable Object> metadata = Map.of();
        private @Nullable Instant addedAt;

        private Builder() {
        }

        /**
         * Sets the id.
         *
         * @param id the datum id
         * @return this builder
         */
        public Builder id(ObjectId id) {
            this.id = id;
            return this;
        }

        /**
         * Sets the data.
         *
         * @param data the data, or null
         * @return this builder
         */
        public Builder data(@Nullable Object data) {
            this.data = data;
            return this;
        }

        /**
         * Sets the registry URI.
         *
         * @param registryUri the registry URI, or null
         * @return this builder
         */
        public Builder registryUri(@Nullable String registryUri) {
            this.registryUri = registryUri;
            return this;
        }

        /**
         * Sets the registry key.
         *
         * @param registryKey the key inside the registry, or null
         * @return this builder
         */
        public Builder registryKey(@Nullable String registryKey) {
            this.registryKey = registryKey;
            return this;
        }

        /**
         * Sets the description of the registry payload.
         *
         * @param payload the payload's content type, size and hash, or null
         * @return this builder
         */
        public Builder payload(@Nullable PayloadInfo payload) {
            this.payload = payload;
            return this;
        }

        /**
         * Sets the parent id.
         *
         * @param derivedFrom the parent id, or null
         * @return this builder
         */
        public Builder derivedFrom(@Nullable ObjectId derivedFrom) {
            this.derivedFrom = derivedFrom;
            return this;
        }

        /**
         * Sets the metadata; null means empty.
         *
         * @param metadata the metadata, or null
         * @return this builder
         */
        public Builder metadata(@Nullable Map<String, ? extends @Nullable Object> metadata) {
            this.metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(metadata);
            return this;
        }

        /**
         * Sets the instant the datum was added.
         *
         * @param addedAt the instant, millisecond precision
         * @return this builder
         */
        public Builder addedAt(Instant addedAt) {
            this.addedAt = addedAt;
            return this;
        }

        /**
         * Builds the datum.
         *
         * @return the immutable datum
         * @throws NullPointerException if id or addedAt is missing
         */
        public Datum build() {
            return new Datum(this);
        }
    }
}
