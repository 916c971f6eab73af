package io.datalake.query.engine.internal;

import org.bson.BsonReader;
import org.bson.BsonType;
import org.bson.BsonWriter;
import org.bson.codecs.Codec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The three fields the engine reads from a datum: its id, its parent and when it was added. Decoded straight from
 * the wire by {@link LinkCodec}, skipping every other field, because the engine reads hundreds of thousands of
 * these per query.
 */
final class Link {
    /** Used for a missing or non-date {@code added_at}: such datums sort before every dated one, as in MongoDB. */
    static final long NO_TIME = Long.MIN_VALUE;

    final @Nullable ObjectId id;
    final @Nullable String otherId;
    final @Nullable ObjectId parent;
    final long addedAt;

    Link(@Nullable ObjectId id, @Nullable String otherId, @Nullable ObjectId parent, long addedAt) {
        this.id = id;
        this.otherId = otherId;
        this.parent = parent;
        this.addedAt = addedAt;
    }

    /** Decodes {@link Link}s; encoding is never needed (the engine only reads). */
    static final class LinkCodec implements Codec<Link> {
        @Override
        public Link decode(BsonReader reader, DecoderContext decoderContext) {
            ObjectId id = null;
            String otherId = null;
            ObjectId parent = null;
            long addedAt = NO_TIME;
            reader.readStartDocument();
            while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                String name = reader.readName();
                BsonType type = reader.getCurrentBsonType();
                if (name.equals(Fields.ID) && type == BsonType.OBJECT_ID) {
                    id = reader.readObjectId();
                } else if (name.equals(Fields.ID)) {
                    otherId = describe(reader, type);
                } else if (name.equals(Fields.DERIVED_FROM) && type == BsonType.OBJECT_ID) {
                    parent = reader.readObjectId();
                } else if (name.equals(Fields.ADDED_AT) && type == BsonType.DATE_TIME) {
                    addedAt = reader.readDateTime();
                } else {
                    reader.skipValue();
                }
            }
            reader.readEndDocument();
            return new Link(id, otherId, parent, addedAt);
        }

        /** A foreign {@code _id} for the warning: its type, and its value when it is short and printable. */
        private static String describe(BsonReader reader, BsonType type) {
            switch (type) {
                case STRING:
                    String s = reader.readString();
                    return "\"" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "\" (a string)";
                case INT32:
                    return reader.readInt32() + " (an int)";
                case INT64:
                    return reader.readInt64() + " (a long)";
                default:
                    reader.skipValue();
                    return "of type " + type.name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        @Override
        public void encode(BsonWriter writer, Link value, EncoderContext encoderContext) {
            throw new UnsupportedOperationException("links are only read");
        }

        @Override
        public Class<Link> getEncoderClass() {
            return Link.class;
        }
    }
}
