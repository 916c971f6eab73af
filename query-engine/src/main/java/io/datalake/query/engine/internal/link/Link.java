package io.datalake.query.engine.internal.link;

import io.datalake.query.engine.DatumFields;
import org.bson.BsonReader;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.BsonWriter;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.Codec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The three fields every {@code derived_from} walk reads from a datum: its id, its parent and when it was added.
 * Decoded straight from the wire by {@link LinkCodec}, skipping every other field, because walks and queries read
 * hundreds of thousands of these.
 *
 * @param id the {@code _id} when it is an ObjectId, else null (a foreign document)
 * @param foreignId the {@code _id} as stored when it is not an ObjectId, for the warning that skips it; null when
 *     {@code id} is set or the document has no {@code _id}
 * @param parent {@code derived_from} when it is an ObjectId, else null (a root, or a foreign value)
 * @param addedAt {@code added_at} in epoch milliseconds, or {@link #NO_TIME} when it is missing or not a date
 */
public record Link(@Nullable ObjectId id, @Nullable BsonValue foreignId, @Nullable ObjectId parent, long addedAt) {
    /** Used for a missing or non-date {@code added_at}: such datums sort before every dated one, as in MongoDB. */
    public static final long NO_TIME = Long.MIN_VALUE;

    /** Decodes {@link Link}s; encoding is never needed (links are only read). */
    public static final class LinkCodec implements Codec<Link> {
        private static final BsonValueCodec FOREIGN = new BsonValueCodec();

        @Override
        public Link decode(BsonReader reader, DecoderContext decoderContext) {
            ObjectId id = null;
            BsonValue foreignId = null;
            ObjectId parent = null;
            long addedAt = NO_TIME;
            reader.readStartDocument();
            while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                String name = reader.readName();
                BsonType type = reader.getCurrentBsonType();
                if (name.equals(DatumFields.ID) && type == BsonType.OBJECT_ID) {
                    id = reader.readObjectId();
                } else if (name.equals(DatumFields.ID)) {
                    foreignId = FOREIGN.decode(reader, decoderContext);
                } else if (name.equals(DatumFields.DERIVED_FROM) && type == BsonType.OBJECT_ID) {
                    parent = reader.readObjectId();
                } else if (name.equals(DatumFields.ADDED_AT) && type == BsonType.DATE_TIME) {
                    addedAt = reader.readDateTime();
                } else {
                    reader.skipValue();
                }
            }
            reader.readEndDocument();
            return new Link(id, foreignId, parent, addedAt);
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
