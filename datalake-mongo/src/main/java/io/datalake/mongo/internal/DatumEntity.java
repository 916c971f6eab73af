package io.datalake.mongo.internal;

import dev.morphia.annotations.Entity;
import dev.morphia.annotations.Field;
import dev.morphia.annotations.Id;
import dev.morphia.annotations.Index;
import dev.morphia.annotations.Indexes;
import dev.morphia.annotations.PostPersist;
import dev.morphia.annotations.Property;
import dev.morphia.utils.IndexType;
import java.time.Instant;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The stored form of a datum, mapped by Morphia. Field names follow the Mindtrace Python datalake so both
 * clients share one collection; no discriminator is stored for the same reason. The {@link Indexes} here are
 * the ones created at start-up (see {@link IndexDefinitions}).
 */
@Entity(value = "Datum", useDiscriminator = false)
@Indexes({
    // Children of a parent, newest first: backs getDirectlyDerivedData, lineage and the query engine's joins.
    @Index(fields = {
        @Field(value = "derived_from"),
        @Field(value = "added_at", type = IndexType.DESC),
        @Field(value = "_id", type = IndexType.DESC)
    }),
    // Base-level scans of the query engine ordered by added_at.
    @Index(fields = {@Field(value = "added_at", type = IndexType.DESC), @Field(value = "_id", type = IndexType.DESC)})
})
public class DatumEntity {
    /** Stored field names, shared with the query engine and the Python client. */
    public static final String ID = "_id";
    /** Field {@code data}. */
    public static final String DATA = "data";
    /** Field {@code registry_uri}. */
    public static final String REGISTRY_URI = "registry_uri";
    /** Field {@code registry_key}. */
    public static final String REGISTRY_KEY = "registry_key";
    /** Field {@code derived_from}. */
    public static final String DERIVED_FROM = "derived_from";
    /** Field {@code metadata}. */
    public static final String METADATA = "metadata";
    /** Field {@code added_at}. */
    public static final String ADDED_AT = "added_at";

    @Id
    @Nullable ObjectId id;

    @Property(DATA)
    @Nullable Object data;

    @Property(REGISTRY_URI)
    @Nullable String registryUri;

    @Property(REGISTRY_KEY)
    @Nullable String registryKey;

    @Property(DERIVED_FROM)
    @Nullable ObjectId derivedFrom;

    @Property(METADATA)
    @Nullable Map<String, Object> metadata;

    /** Content type, size and SHA-256 of a registry payload (see {@link PayloadStore}); null for inline data. */
    @Property(PayloadStore.PAYLOAD)
    @Nullable Map<String, Object> payload;

    @Property(ADDED_AT)
    @Nullable Instant addedAt;

    /** Used by Morphia. */
    public DatumEntity() {
    }

    /**
     * Keeps inline datums in the exact Python layout: {@code storeNulls} writes every null field, but
     * {@code payload} belongs on registry datums only. Morphia calls this with the encoded document just before it
     * is written (its lifecycle encoder), for every insert through the entity codec.
     */
    @PostPersist
    void omitAbsentPayload(Document document) {
        if (document.get(PayloadStore.PAYLOAD) == null) {
            document.remove(PayloadStore.PAYLOAD);
        }
    }
}
