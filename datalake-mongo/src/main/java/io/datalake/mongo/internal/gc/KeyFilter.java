package io.datalake.mongo.internal.gc;

/**
 * A Bloom filter of registry keys: no false negatives, false positives at about the rate it was sized for. Its
 * memory is fixed when it is created: about 1.8 MB per million keys at 0.1 %, at most {@link #MAX_BITS} bits
 * (64 MiB); beyond that many keys the false-positive rate rises, which only keeps more unreferenced objects. Each
 * filter hashes with its own random seed, so an object one run keeps by a false positive is collected by the next.
 */
final class KeyFilter {
    /** Largest filter: 2^29 bits, 64 MiB. */
    static final long MAX_BITS = 1L << 29;
    private final long[] words;
    private final long bits;
    private final int hashes;
    private final long seed1 = java.util.concurrent.ThreadLocalRandom.current().nextLong();
    private final long seed2 = java.util.concurrent.ThreadLocalRandom.current().nextLong();

    private KeyFilter(long bits, int hashes) {
        this.bits = bits;
        this.hashes = hashes;
        this.words = new long[(int) ((bits + 63) / 64)];
    }

    /**
     * Sizes a filter for a number of keys and a false-positive rate.
     *
     * @param expected how many keys will be added (at least 1 is assumed)
     * @param falsePositiveRate between 0 and 1
     */
    static KeyFilter forKeys(long expected, double falsePositiveRate) {
        long n = Math.max(expected, 1);
        double ln2 = Math.log(2);
        long m = (long) Math.ceil(-n * Math.log(falsePositiveRate) / (ln2 * ln2));
        m = Math.min(Math.max(m, 1024), MAX_BITS);
        int k = (int) Math.max(1, Math.min(16, Math.round((double) m / n * ln2)));
        return new KeyFilter(m, k);
    }

    long bytes() {
        return words.length * 8L;
    }

    void add(String key) {
        long h1 = hash(key, seed1);
        long h2 = hash(key, seed2) | 1;
        for (int i = 0; i < hashes; i++) {
            long bit = Math.floorMod(h1 + i * h2, bits);
            words[(int) (bit >>> 6)] |= 1L << bit;
        }
    }

    boolean mightContain(String key) {
        long h1 = hash(key, seed1);
        long h2 = hash(key, seed2) | 1;
        for (int i = 0; i < hashes; i++) {
            long bit = Math.floorMod(h1 + i * h2, bits);
            if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** A 64-bit hash of the characters (multiply-xorshift per char, murmur3's finalizer at the end). */
    private static long hash(String key, long seed) {
        long h = seed ^ key.length();
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
