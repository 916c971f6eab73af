package io.datalake.io.internal;

import io.datalake.DatalakeException;
import org.bson.types.ObjectId;

/**
 * A map from ObjectId to a positive int, for exports that must remember every id they wrote (COCO image and
 * annotation ids). Open addressing over three primitive arrays: about 16 bytes per slot, at most half the slots used,
 * so 32 to 64 bytes per entry, against about 100 for a {@code HashMap<ObjectId, Integer>}. Not thread-safe.
 */
final class ObjectIdIntMap {
    private static final int INITIAL_CAPACITY = 1 << 10;
    /** A Java array holds at most 2^30 slots here; the map refuses to grow past half of it. */
    private static final int MAX_CAPACITY = 1 << 30;

    private long[] high = new long[INITIAL_CAPACITY];
    private int[] low = new int[INITIAL_CAPACITY];
    /** 0 marks an empty slot, which is why values must be positive. */
    private int[] values = new int[INITIAL_CAPACITY];
    private int size;

    /** Returns the number of entries. */
    int size() {
        return size;
    }

    /**
     * Returns the value of an id.
     *
     * @return the value, or 0 when the id is absent
     */
    int get(ObjectId id) {
        byte[] b = id.toByteArray();
        long h = high(b);
        int l = low(b);
        int mask = values.length - 1;
        for (int i = slot(h, l, mask); ; i = (i + 1) & mask) {
            if (values[i] == 0) {
                return 0;
            }
            if (high[i] == h && low[i] == l) {
                return values[i];
            }
        }
    }

    /**
     * Adds an id with its value unless the id is already there.
     *
     * @param value a positive value
     * @return the value the id now has: {@code value} if it was added, its earlier value otherwise
     */
    int putIfAbsent(ObjectId id, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("values must be positive, got " + value);
        }
        byte[] b = id.toByteArray();
        long h = high(b);
        int l = low(b);
        int mask = values.length - 1;
        int i = slot(h, l, mask);
        for (; values[i] != 0; i = (i + 1) & mask) {
            if (high[i] == h && low[i] == l) {
                return values[i];
            }
        }
        high[i] = h;
        low[i] = l;
        values[i] = value;
        size++;
        if (size * 2 > values.length) {
            grow();
        }
        return value;
    }

    private void grow() {
        if (values.length >= MAX_CAPACITY) {
            throw new DatalakeException("more than " + MAX_CAPACITY / 2 + " distinct ids in one export");
        }
        long[] oldHigh = high;
        int[] oldLow = low;
        int[] oldValues = values;
        high = new long[oldValues.length * 2];
        low = new int[oldValues.length * 2];
        values = new int[oldValues.length * 2];
        int mask = values.length - 1;
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] != 0) {
                int i = slot(oldHigh[j], oldLow[j], mask);
                while (values[i] != 0) {
                    i = (i + 1) & mask;
                }
                high[i] = oldHigh[j];
                low[i] = oldLow[j];
                values[i] = oldValues[j];
            }
        }
    }

    private static long high(byte[] b) {
        long h = 0;
        for (int k = 0; k < 8; k++) {
            h = (h << 8) | (b[k] & 0xFF);
        }
        return h;
    }

    private static int low(byte[] b) {
        return ((b[8] & 0xFF) << 24) | ((b[9] & 0xFF) << 16) | ((b[10] & 0xFF) << 8) | (b[11] & 0xFF);
    }

    /** Ids made in one process share their leading bytes: mix every bit before masking. */
    private static int slot(long h, int l, int mask) {
        long x = h * 0x9E3779B97F4A7C15L + l;
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        return (int) x & mask;
    }
}
