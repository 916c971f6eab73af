package io.datalake.mongo.internal.feed;

import java.time.Instant;
import java.util.Arrays;
import org.bson.types.ObjectId;

/** Arithmetic on ObjectIds as 96-bit unsigned numbers (4-byte seconds, then 8 bytes), for range bounds. */
final class ObjectIds {
    /** The smallest ObjectId: below every id a writer creates. */
    static final ObjectId MIN = new ObjectId(new byte[12]);

    private ObjectIds() {
    }

    /**
     * The smallest id stamped in the second of {@code instant} (floored), so that {@code _id >= atSecond(t)} holds for
     * every id a writer stamps at {@code t} or later.
     */
    static ObjectId atSecond(Instant instant) {
        long seconds = Math.max(0, Math.min(0xffffffffL, Math.floorDiv(instant.getEpochSecond(), 1)));
        byte[] bytes = new byte[12];
        bytes[0] = (byte) (seconds >>> 24);
        bytes[1] = (byte) (seconds >>> 16);
        bytes[2] = (byte) (seconds >>> 8);
        bytes[3] = (byte) seconds;
        return new ObjectId(bytes);
    }

    /** The seconds of an id as an unsigned number. */
    static long seconds(ObjectId id) {
        return Integer.toUnsignedLong(id.getTimestamp());
    }

    /** The id right after {@code id} (itself for the largest id). */
    static ObjectId successor(ObjectId id) {
        byte[] bytes = id.toByteArray();
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (++bytes[i] != 0) {
                return new ObjectId(bytes);
            }
        }
        byte[] max = new byte[12];
        Arrays.fill(max, (byte) 0xff);
        return new ObjectId(max);
    }

    static ObjectId min(ObjectId a, ObjectId b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static ObjectId max(ObjectId a, ObjectId b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
