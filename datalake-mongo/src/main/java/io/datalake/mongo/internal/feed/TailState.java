package io.datalake.mongo.internal.feed;

import io.datalake.feed.FeedToken;
import io.datalake.feed.InvalidFeedTokenException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.util.Arrays;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.bson.types.ObjectId;

/**
 * The position of the polling tail, mutable, owned by one running feed (its steps run one at a time).
 *
 * <p>Meaning: the current scan (when {@link #scanning()}) still has to read {@code _id >= cursor}; every later scan
 * starts at {@code next}; the ids in {@code handled} were already delivered (or deliberately passed over: datums
 * visible when a "now" position was taken, documents that are not readable datums) and are skipped when read again.
 * Only handled ids at or above {@link #threshold()} = min(cursor, next) can be read again, so only those are kept.
 *
 * <p>Snapshots for tokens are O(1): handled ids are appended to a log that is never modified in place (compaction
 * copies it), so a snapshot is the log array, its length and the threshold; the sorting, delta encoding and
 * compression happen only for the tokens a caller encodes.
 */
final class TailState {
    private static final int SCANNING = 1;
    /**
     * Most handled ids a token may bring back (about 150 MB in memory): far above a window's worth at any rate the
     * polling tail can follow, and a bound on what a crafted token can make a watcher allocate.
     */
    static final int MAX_TOKEN_IDS = 2_000_000;

    private boolean scanning;
    private ObjectId cursor;
    private ObjectId next;
    private final NavigableSet<ObjectId> handled = new TreeSet<>();
    private ObjectId[] log = new ObjectId[64];
    private int logSize;

    TailState(boolean scanning, ObjectId cursor, ObjectId next) {
        this.scanning = scanning;
        this.cursor = cursor;
        this.next = next;
    }

    /** A position before every datum. */
    static TailState beginning() {
        return new TailState(false, ObjectIds.MIN, ObjectIds.MIN);
    }

    boolean scanning() {
        return scanning;
    }

    ObjectId cursor() {
        return cursor;
    }

    ObjectId next() {
        return next;
    }

    /** The lowest id a later read can return: handled ids below it are never needed again. */
    ObjectId threshold() {
        return scanning ? ObjectIds.min(cursor, next) : next;
    }

    boolean isHandled(ObjectId id) {
        return handled.contains(id);
    }

    int handledCount() {
        return handled.size();
    }

    void markHandled(ObjectId id) {
        if (id.compareTo(threshold()) >= 0 && handled.add(id)) {
            if (logSize == log.length) {
                log = Arrays.copyOf(log, log.length * 2);
            }
            log[logSize++] = id;
        }
    }

    /**
     * Starts a scan from {@code next}; the scan after it will start at {@code newNext} (never lower than now).
     *
     * @return the handled ids that fell below the threshold, ascending
     */
    NavigableSet<ObjectId> startScan(ObjectId newNext) {
        scanning = true;
        cursor = next;
        next = ObjectIds.max(next, newNext);
        return prune();
    }

    /** The current scan read everything below {@code newCursor}. */
    NavigableSet<ObjectId> advance(ObjectId newCursor) {
        cursor = ObjectIds.max(cursor, newCursor);
        return prune();
    }

    /** The current scan reached the end of the collection. */
    NavigableSet<ObjectId> finishScan() {
        scanning = false;
        return prune();
    }

    private NavigableSet<ObjectId> prune() {
        NavigableSet<ObjectId> below = handled.headSet(threshold(), false);
        NavigableSet<ObjectId> dropped = new TreeSet<>(below);
        below.clear();
        if (logSize > 2 * handled.size() + 256) {
            // Copy, never shrink in place: snapshots taken earlier still read the old array.
            log = handled.toArray(new ObjectId[Math.max(64, handled.size() * 2)]);
            logSize = handled.size();
        }
        return dropped;
    }

    /**
     * The token of the position right after delivering {@code delivered} (already marked handled) in the current
     * scan: the scan continues after it.
     */
    FeedToken tokenAfter(ObjectId delivered, long fingerprint) {
        ObjectId snapshotCursor = ObjectIds.successor(delivered);
        ObjectId snapshotNext = next;
        ObjectId[] snapshotLog = log;
        int snapshotSize = logSize;
        return FeedToken.of(FeedToken.Kind.TAIL, fingerprint,
                () -> encode(true, snapshotCursor, snapshotNext, snapshotLog, snapshotSize));
    }

    /** The token of the current position (between steps). */
    FeedToken token(long fingerprint) {
        boolean snapshotScanning = scanning;
        ObjectId snapshotCursor = cursor;
        ObjectId snapshotNext = next;
        ObjectId[] snapshotLog = log;
        int snapshotSize = logSize;
        return FeedToken.of(FeedToken.Kind.TAIL, fingerprint,
                () -> encode(snapshotScanning, snapshotCursor, snapshotNext, snapshotLog, snapshotSize));
    }

    /**
     * Layout: flags (bit 0: scanning), next (12 bytes), cursor (12 bytes, when scanning), the number of handled ids
     * (varint), then the handled ids at or above the threshold, ascending: the first as 12 bytes, each later one as
     * the difference of its seconds (varint) followed, when the seconds are equal, by the difference of its last 8
     * bytes as an unsigned varint, else by its last 8 bytes. Ids of one writer differ by small counter steps, so most
     * take 2 bytes before compression.
     */
    static byte[] encode(boolean scanning, ObjectId cursor, ObjectId next, ObjectId[] log, int size) {
        ObjectId threshold = scanning ? ObjectIds.min(cursor, next) : next;
        ObjectId[] ids = new ObjectId[size];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (log[i].compareTo(threshold) >= 0) {
                ids[n++] = log[i];
            }
        }
        Arrays.sort(ids, 0, n);
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + n * 3);
        out.write(scanning ? SCANNING : 0);
        out.writeBytes(next.toByteArray());
        if (scanning) {
            out.writeBytes(cursor.toByteArray());
        }
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || !ids[i].equals(ids[i - 1])) {
                ids[distinct++] = ids[i];
            }
        }
        writeVarint(out, distinct);
        long previousSeconds = 0;
        long previousTail = 0;
        for (int i = 0; i < distinct; i++) {
            ByteBuffer bytes = ByteBuffer.wrap(ids[i].toByteArray());
            long seconds = Integer.toUnsignedLong(bytes.getInt());
            long tail = bytes.getLong();
            if (i == 0) {
                out.writeBytes(ids[i].toByteArray());
            } else if (seconds == previousSeconds) {
                writeVarint(out, 0);
                writeVarint(out, tail - previousTail);
            } else {
                writeVarint(out, seconds - previousSeconds);
                out.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(tail).array());
            }
            previousSeconds = seconds;
            previousTail = tail;
        }
        return out.toByteArray();
    }

    /**
     * Reads a position written by {@link #encode}.
     *
     * @throws InvalidFeedTokenException if the bytes are not such a position
     */
    static TailState decode(byte[] state) {
        try {
            ByteBuffer in = ByteBuffer.wrap(state);
            int flags = in.get() & 0xff;
            if ((flags & ~SCANNING) != 0) {
                throw new InvalidFeedTokenException("feed token has unknown flags " + flags);
            }
            boolean scanning = (flags & SCANNING) != 0;
            ObjectId next = readId(in);
            ObjectId cursor = scanning ? readId(in) : next;
            TailState result = new TailState(scanning, cursor, next);
            long count = readVarint(in);
            if (count > MAX_TOKEN_IDS) {
                throw new InvalidFeedTokenException("feed token holds " + count + " ids, more than "
                        + MAX_TOKEN_IDS);
            }
            if (count > in.remaining()) {
                throw new InvalidFeedTokenException("feed token claims " + count + " ids in " + in.remaining()
                        + " bytes");
            }
            ObjectId previous = null;
            long previousSeconds = 0;
            long previousTail = 0;
            for (long i = 0; i < count; i++) {
                ObjectId id;
                if (previous == null) {
                    id = readId(in);
                } else {
                    long secondsDelta = readVarint(in);
                    long seconds = previousSeconds + secondsDelta;
                    long tail = secondsDelta == 0 ? previousTail + readVarint(in) : in.getLong();
                    if (seconds > 0xffffffffL || (secondsDelta == 0 && Long.compareUnsigned(tail, previousTail) <= 0)) {
                        throw new InvalidFeedTokenException("feed token ids are not ascending");
                    }
                    id = new ObjectId(ByteBuffer.allocate(12).putInt((int) seconds).putLong(tail).array());
                }
                if (previous != null && id.compareTo(previous) <= 0 || id.compareTo(result.threshold()) < 0) {
                    throw new InvalidFeedTokenException("feed token ids are out of order or below its position");
                }
                ByteBuffer bytes = ByteBuffer.wrap(id.toByteArray());
                previousSeconds = Integer.toUnsignedLong(bytes.getInt());
                previousTail = bytes.getLong();
                previous = id;
                result.markHandled(id);
            }
            if (in.hasRemaining()) {
                throw new InvalidFeedTokenException("feed token has " + in.remaining() + " bytes after its ids");
            }
            return result;
        } catch (BufferUnderflowException e) {
            throw new InvalidFeedTokenException("feed token position is truncated", e);
        }
    }

    private static ObjectId readId(ByteBuffer in) {
        byte[] bytes = new byte[12];
        in.get(bytes);
        return new ObjectId(bytes);
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readVarint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get() & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new InvalidFeedTokenException("feed token holds a malformed number");
    }

    @Override
    public String toString() {
        return "TailState{scanning=" + scanning + ", cursor=" + cursor + ", next=" + next + ", handled="
                + handled.size() + "}";
    }
}
