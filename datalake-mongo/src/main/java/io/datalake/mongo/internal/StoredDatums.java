package io.datalake.mongo.internal;

import io.datalake.Datum;
import io.datalake.InvalidArgumentException;
import io.datalake.MalformedDatumException;
import io.datalake.registry.RegistryKeys;
import org.bson.BsonBinaryReader;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Turns stored documents into {@link Datum}s. Documents are untrusted (other clients write the same collection), so
 * the top-level fields are checked by type before Morphia's codec decodes the document, and the decoded values are
 * checked to be JSON-like; anything else is a {@link MalformedDatumException} naming the document's {@code _id}.
 */
final class StoredDatums {
    private StoredDatums() {
    }

    /**
     * Decodes one stored document.
     *
     * @param raw the document as read
     * @param codec Morphia's codec of the entity
     * @return the datum (without its registry payload)
     * @throws MalformedDatumException if the document is not a valid datum
     */
    static Datum decode(RawBsonDocument raw, Codec<DatumEntity> codec) {
        String problem = shapeProblem(raw);
        if (problem != null) {
            throw new MalformedDatumException(idOf(raw), problem, null);
        }
        DatumEntity entity;
        try {
            entity = raw.decode(codec);
        } catch (StackOverflowError e) {
            throw new MalformedDatumException(idOf(raw), "it is nested too deeply to decode", null);
        } catch (RuntimeException e) {
            throw new MalformedDatumException(idOf(raw), "it cannot be decoded: " + e.getMessage(), e);
        }
        Datum datum;
        try {
            datum = DatumReader.toDatum(entity);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new MalformedDatumException(idOf(raw), String.valueOf(e.getMessage()), e);
        }
        if (datum.registryKey() != null) {
            // A key another client wrote must not reach a backend as if the reader had passed a bad argument:
            // it is the document that is wrong (and a '..' or absolute key must never be resolved anywhere).
            try {
                RegistryKeys.validate(datum.registryKey());
            } catch (InvalidArgumentException e) {
                throw new MalformedDatumException(idOf(raw), "its registry_key is not a valid key: "
                        + e.getMessage(), e);
            }
        }
        return datum;
    }

    /**
     * Checks the types of the top-level fields in one pass over the bytes, without decoding nested values.
     *
     * @param raw the stored document
     * @return null when every field has a type this library writes, else what is wrong
     */
    static @Nullable String shapeProblem(RawBsonDocument raw) {
        boolean hasId = false;
        boolean hasAddedAt = false;
        try (BsonBinaryReader reader = new BsonBinaryReader(raw.getByteBuffer().asNIO())) {
            reader.readStartDocument();
            while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                String name = reader.readName();
                BsonType type = reader.getCurrentBsonType();
                reader.skipValue();
                String problem = switch (name) {
                    case DatumEntity.ID -> type == BsonType.OBJECT_ID ? null
                            : "its _id is a " + typeName(type) + ", not an ObjectId";
                    case DatumEntity.ADDED_AT -> type == BsonType.DATE_TIME ? null
                            : "its added_at is a " + typeName(type) + ", not a date";
                    case DatumEntity.DERIVED_FROM -> type == BsonType.OBJECT_ID || type == BsonType.NULL ? null
                            : "its derived_from is a " + typeName(type) + ", not an ObjectId or null";
                    case DatumEntity.METADATA, PayloadStore.PAYLOAD -> type == BsonType.DOCUMENT
                            || type == BsonType.NULL ? null
                            : "its " + name + " is a " + typeName(type) + ", not a document or null";
                    case DatumEntity.REGISTRY_URI, DatumEntity.REGISTRY_KEY -> type == BsonType.STRING
                            || type == BsonType.NULL ? null
                            : "its " + name + " is a " + typeName(type) + ", not a string or null";
                    default -> null;
                };
                if (problem != null) {
                    return problem;
                }
                hasId |= name.equals(DatumEntity.ID);
                hasAddedAt |= name.equals(DatumEntity.ADDED_AT);
            }
        } catch (RuntimeException e) {
            return "its bytes are not a valid BSON document: " + e.getMessage();
        }
        if (!hasId) {
            return "it has no _id";
        }
        return hasAddedAt ? null : "it has no added_at date";
    }

    /** Renders a document's {@code _id}, whatever its type, for messages. */
    static String idOf(RawBsonDocument raw) {
        try {
            BsonValue id = raw.get(DatumEntity.ID);
            return io.datalake.query.engine.ForeignIds.describe(id);
        } catch (RuntimeException e) {
            return "(unreadable)";
        }
    }

    /**
     * Returns a field's value when it is an ObjectId.
     *
     * @param value a decoded field value
     * @return the id, or null for any other type
     */
    static @Nullable ObjectId objectId(@Nullable Object value) {
        return value instanceof ObjectId id ? id : null;
    }

    private static String typeName(BsonType type) {
        return type.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

}
