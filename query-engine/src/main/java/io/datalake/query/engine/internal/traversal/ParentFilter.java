package io.datalake.query.engine.internal.traversal;

import org.bson.types.ObjectId;

/**
 * A Bloom filter of ObjectIds: {@link #mightContain} is never false for an id that was added, and rarely true for
 * one that was not. Sized at about {@value #BITS_PER_ID} bits per expected id, capped at {@link #MAX_BYTES}.
 */
final class ParentFilter {
    static final int BITS_PER_ID = 16;
    static final int MAX_BYTES = 16 << 20;
    private static final int HASHES = 5;

    private final long[] words;
    private final long bits;

    ParentFilter(long expectedIds) {
        long wanted = Math.max(1024, Math.min((long) MAX_BYTES * 8, expectedIds * BITS_PER_ID));
        this.words = new long[(int) ((wanted + 63) / 64)];
        this.bits = (long) words.length * 64;
    }

    void add(ObjectId id) {
        long h1 = hash1(id);
        long h2 = hash2(id);
        for (int i = 0; i < HASHES; i++) {
            long bit = Math.floorMod(h1 + i * h2, bits);
            words[(int) (bit >>> 6)] |= 1L << bit;
        }
    }

    boolean mightContain(ObjectId id) {
        long h1 = hash1(id);
        long h2 = hash2(id);
        for (int i = 0; i < HASHES; i++) {
            long bit = Math.floorMod(h1 + i * h2, bits);
            if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    // Double hashing over the 12 id bytes: two independent 64-bit mixes (splitmix64 finalizer).
    private static long hash1(ObjectId id) {
        byte[] b = id.toByteArray();
        long hi = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
        }
        long lo = ((b[8] & 0xffL) << 24) | ((b[9] & 0xffL) << 16) | ((b[10] & 0xffL) << 8) | (b[11] & 0xffL);
        return mix(hi * 31 + lo);
    }

    private static long hash2(ObjectId id) {
        return mix(hash1(id) ^ 0x9E3779B97F4A7C15L) | 1L;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
