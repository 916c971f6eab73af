package io.datalake;

import io.datalake.registry.RegistryUris;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * A datum to be added: its data, metadata, optional registry and optional parent. The lake assigns
 * {@code added_at}; the id is assigned too unless the caller chooses one (useful to reference a parent that is
 * added earlier in the same {@link Datalake#addData} call).
 *
 * <p>Inline {@code data} and {@code metadata} are checked when the datum is added, before any I/O, and refused
 * with a {@link DatumValidationException} naming the path (e.g. {@code data.a.b[2]}) when they nest more than
 * MongoDB's 100 levels in the stored document (the datum document is level 1, {@code data} and {@code metadata}
 * level 2), contain themselves, or use a key that is not a string, holds the NUL character, starts with
 * {@code $} or contains {@code .}; strings and keys with a lone UTF-16 surrogate are refused too. Maps and lists
 * given as data for a registry obey the same rules.
 *
 * <p>Immutable; build one with {@link #of(Object, Map)} or {@link #builder()}.
 */
public final class NewDatum {
    /**
     * The deepest nesting of maps and lists accepted in a stored datum document, MongoDB's documented limit of 100
     * levels: the document is level 1, {@code data} and {@code metadata} are level 2. The same limit applies to each
     * query level's filter (level 1).
     */
    public static final int MAX_DEPTH = io.datalake.internal.Values.MAX_DEPTH;

    private final @Nullable ObjectId id;
    private final @Nullable Object data;
    private final Map<String, @Nullable Object> metadata;
    private final @Nullable String registryUri;
    private final @Nullable ObjectId derivedFrom;
    private final @Nullable String contentType;

    private NewDatum(Builder b) {
        this.id = b.id;
        this.data = b.data;
        this.metadata = b.metadata;
        this.registryUri = b.registryUri;
        this.derivedFrom = b.derivedFrom;
        this.contentType = b.contentType;
    }

    /**
     * Returns a new inline root datum.
     *
     * @param data the data, or null
     * @param metadata the metadata, or null for none
     * @return the new datum
     */
    public static NewDatum of(@Nullable Object data, @Nullable Map<String, ? extends @Nullable Object> metadata) {
        return builder().data(data).metadata(metadata).build();
    }

    /**
     * Returns an empty builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the id chosen by the caller.
     *
     * @return the id, or null to let the lake assign one
     */
    public @Nullable ObjectId id() {
        return id;
    }

    /**
     * Returns the data.
     *
     * @return the data, or null
     */
    public @Nullable Object data() {
        return data;
    }

    /**
     * Returns the metadata.
     *
     * @return an unmodifiable map, never null
     */
    public Map<String, @Nullable Object> metadata() {
        return metadata;
    }

    /**
     * Returns the URI of the registry to store the data in.
     *
     * @return the registry URI, or null to store the data inline
     */
    public @Nullable String registryUri() {
        return registryUri;
    }

    /**
     * Returns the parent's id.
     *
     * @return the parent id, or null for a root datum
     */
    public @Nullable ObjectId derivedFrom() {
        return derivedFrom;
    }

    /**
     * Returns the media type chosen by the caller for a byte payload.
     *
     * @return the content type, or null to detect it from the payload's first bytes
     */
    public @Nullable String contentType() {
        return contentType;
    }

    @Override
    public String toString() {
        return "NewDatum{" + (id != null ? "id=" + id + ", " : "")
                + (derivedFrom != null ? "derivedFrom=" + derivedFrom + ", " : "")
                + (contentType != null ? "contentType=" + contentType + ", " : "")
                // The URI as given may carry credentials in its query string; never print them.
                + (registryUri != null ? "registryUri=" + RegistryUris.redact(registryUri) + ", " : "")
                + "metadata=" + io.datalake.internal.Values.abbreviate(metadata)
                + ", data=" + io.datalake.internal.Values.abbreviate(data) + "}";
    }

    /** A media type as RFC 6838 names them: {@code type/subtype}, then optional {@code ;name=value} parameters. */
    private static final java.util.regex.Pattern MEDIA_TYPE = java.util.regex.Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
                    + "(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=(\"[^\"\\r\\n]*\"|[A-Za-z0-9!#$&^_.+-]+))*");

    /** Builder of {@link NewDatum}. */
    public static final class Builder {
        private @Nullable ObjectId id;
        private @Nullable Object data;
        private Map<String, @Nullable Object> metadata = Map.of();
        private @Nullable String registryUri;
        private @Nullable ObjectId derivedFrom;
        private @Nullable String contentType;

        private Builder() {
        }

        /**
         * Chooses the new datum's id instead of letting the lake assign one.
         *
         * @param id the id, or null to let the lake assign one
         * @return this builder
         */
        public Builder id(@Nullable ObjectId id) {
            this.id = id;
            return this;
        }

        /**
         * Sets the data.
         *
         * @param data the data: a JSON-like value inline, or any payload when a registry is set
         * @return this builder
         */
        public Builder data(@Nullable Object data) {
            this.data = data;
            return this;
        }

        /**
         * Sets the metadata (copied).
         *
         * @param metadata the metadata, or null for none
         * @return this builder
         */
        public Builder metadata(@Nullable Map<String, ? extends @Nullable Object> metadata) {
            this.metadata = metadata == null
                    ? Map.of()
                    : Collections.unmodifiableMap(new LinkedHashMap<String, @Nullable Object>(metadata));
            return this;
        }

        /**
         * Sets the registry to store the data in.
         *
         * @param registryUri the registry URI, or null for inline data
         * @return this builder
         */
        public Builder registryUri(@Nullable String registryUri) {
            this.registryUri = registryUri;
            return this;
        }

        /**
         * Sets the parent.
         *
         * @param derivedFrom the id of an existing datum (or of one added earlier in the same batch), or null
         * @return this builder
         */
        public Builder derivedFrom(@Nullable ObjectId derivedFrom) {
            this.derivedFrom = derivedFrom;
            return this;
        }

        /**
         * Sets the media type of a byte payload ({@code byte[]}, {@code ByteBuffer}, {@code InputStream},
         * {@code Path}, {@code File}) stored in a registry, instead of the type detected from its first bytes. It is
         * recorded in {@link PayloadInfo#contentType()}; the payload still reads back as {@code byte[]}. Inline data
         * has no content type, and values the lake encodes itself keep {@value PayloadInfo#JSON} or
         * {@value PayloadInfo#BSON}, which are therefore refused here.
         *
         * @param contentType a media type such as {@code image/png} ({@code type/subtype}, optional
         *     {@code ; parameters}), or null to detect it
         * @return this builder
         * @throws InvalidArgumentException if the type is malformed or is {@value PayloadInfo#JSON} or
         *     {@value PayloadInfo#BSON}
         */
        public Builder contentType(@Nullable String contentType) {
            if (contentType != null) {
                String type = contentType.strip();
                if (!MEDIA_TYPE.matcher(type).matches()) {
                    throw new InvalidArgumentException("contentType '" + contentType
                            + "' is not a media type such as image/png (type/subtype, optional ;parameters)");
                }
                String essence = type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
                if (essence.equals(PayloadInfo.JSON) || essence.equals(PayloadInfo.BSON)) {
                    throw new InvalidArgumentException("contentType '" + contentType + "' is reserved for values the"
                            + " lake encodes itself (they read back decoded, not as bytes); store a JSON-like value"
                            + " with a registry to get it, or label raw bytes as text/plain");
                }
                this.contentType = type;
            } else {
                this.contentType = null;
            }
            return this;
        }

        /**
         * Builds the new datum.
         *
         * @return the immutable new datum
         */
        public NewDatum build() {
            return new NewDatum(this);
        }
    }
}
