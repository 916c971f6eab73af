package io.datalake.mongo.internal;

import dev.morphia.annotations.Entity;
import dev.morphia.annotations.Field;
import dev.morphia.annotations.Id;
import dev.morphia.annotations.Index;
import dev.morphia.annotations.Indexes;
import dev.morphia.annotations.PostPersist;
import dev.morphia.annotations.Property;
import dev.morphia.utils.IndexType;
import io.datalake.query.engine.DatumFields;
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
        @Field(value = DatumFields.DERIVED_FROM),
        @Field(value = DatumFields.ADDED_AT, type = IndexType.DESC),
        @Field(value = DatumFields.ID, type = IndexType.DESC)
    }),
    // Base-level scans of the query engine ordered by added_at.
    @Index(fields = {
        @Field(value = DatumFields.ADDED_AT, type = IndexType.DESC),
        @Field(value = DatumFields.ID, type = IndexType.DESC)
    })
})
public class DatumEntity {
    // The stored field names are defined once, in the query engine's DatumFields; these aliases keep the store's
    // code reading DatumEntity.X.
    /** Field {@code _id}: {@link DatumFields#ID}. */
    public static final String ID = DatumFields.ID;
    /** Field {@code data}: {@link DatumFields#DATA}. */
    public static final String DATA = DatumFields.DATA;
    /** Field {@code registry_uri}: {@link DatumFields#REGISTRY_URI}. */
    public static final String REGISTRY_URI = DatumFields.REGISTRY_URI;
    /** Field {@code registry_key}: {@link DatumFields#REGISTRY_KEY}. */
    public static final String REGISTRY_KEY = DatumFields.REGISTRY_KEY;
    /** Field {@code derived_from}: {@link DatumFields#DERIVED_FROM}. */
    public static final String DERIVED_FROM = DatumFields.DERIVED_FROM;
    /** Field {@code metadata}: {@link DatumFields#METADATA}. */
    public static final String METADATA = DatumFields.METADATA;
    /** Field {@code added_at}: {@link DatumFields#ADDED_AT}. */
    public static final String ADDED_AT = DatumFields.ADDED_AT;

    @Id
    @Nullable ObjectId id;

    @Property(DatumFields.DATA)
    @Nullable Object data;

    @Property(DatumFields.REGISTRY_URI)
    @Nullable String registryUri;

    @Property(DatumFields.REGISTRY_KEY)
    @Nullable String registryKey;

    @Property(DatumFields.DERIVED_FROM)
    @Nullable ObjectId derivedFrom;

    @Property(DatumFields.METADATA)
    @Nullable Map<String, Object> metadata;

    /** Content type, size and SHA-256 of a registry payload (see {@link PayloadStore}); null for inline data. */
    @Property(DatumFields.PAYLOAD)
    @Nullable Map<String, Object> payload;

    @Property(DatumFields.ADDED_AT)
    @Nullable Instant addedAt;

    /** Used by Morphia, which sets the fields when it decodes a stored document. */
    public DatumEntity() {
    }

    /**
     * Builds the stored form of a new datum in one step; the write path never changes it afterwards (the fields
     * stay non-final only because Morphia sets them when decoding).
     *
     * @param id the datum's id
     * @param data its inline data in storable form, or null for a registry datum
     * @param registryUri the registry holding its payload, or null for inline data
     * @param registryKey the payload's key there, or null for inline data
     * @param payload content type, size and hash of a registry payload, or null for inline data
     * @param derivedFrom its parent, or null
     * @param metadata its metadata in storable form
     * @param addedAt when it was added, in milliseconds
     * @return the entity
     */
    static DatumEntity of(ObjectId id, @Nullable Object data, @Nullable String registryUri,
            @Nullable String registryKey, @Nullable Map<String, Object> payload, @Nullable ObjectId derivedFrom,
            Map<String, Object> metadata, Instant addedAt) {
        DatumEntity entity = new DatumEntity();
        entity.id = id;
        entity.data = data;
        entity.registryUri = registryUri;
        entity.registryKey = registryKey;
        entity.payload = payload;
        entity.derivedFrom = derivedFrom;
        entity.metadata = metadata;
        entity.addedAt = addedAt;
        return entity;
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
