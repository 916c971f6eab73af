package io.datalake.mongo.internal.processor;

import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lease document of {@code <C>.processorLeases}, read and checked: stored documents are untrusted (other
 * clients write the same collection), so {@link #parse} refuses anything it cannot rely on and the caller skips
 * that input with a warning.
 *
 * @param input the input datum's id
 * @param state {@link Leases#PENDING}, {@link Leases#LEASED}, {@link Leases#DONE} or {@link Leases#DEAD}
 * @param attempts lease takes so far
 * @param failures failed attempts so far
 * @param anchor the id reserved for output #0 of every attempt
 * @param until end of the lease or of the wait before the next attempt; null when never set
 * @param take the run that holds the lease, or null
 */
record Lease(ObjectId input, String state, int attempts, int failures, ObjectId anchor, @Nullable Instant until,
        @Nullable String take) {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    /** Whether a worker may take it at {@code now}: not finished, and not held or waiting past now. */
    boolean takeable(Instant now) {
        return (Leases.PENDING.equals(state) || Leases.LEASED.equals(state)) && (until == null || !until.isAfter(now));
    }

    /** Whether the input is finished for this processor version (done or a dead letter). */
    boolean finished() {
        return Leases.DONE.equals(state) || Leases.DEAD.equals(state);
    }

    /**
     * Reads a stored lease document of processor {@code key}.
     *
     * @return the lease, or null (after one warning) when the document is malformed
     */
    static @Nullable Lease parse(String key, Document doc) {
        String problem = problem(key, doc);
        if (problem != null) {
            LOG.warn("skipping malformed processor lease {}: {}", Leases.describeId(doc.get(Leases.ID)), problem);
            return null;
        }
        Object until = doc.get(Leases.UNTIL);
        Object take = doc.get(Leases.TAKE);
        return new Lease(doc.getObjectId(Leases.INPUT), doc.getString(Leases.STATE), count(doc.get(Leases.ATTEMPTS)),
                count(doc.get(Leases.FAILURES)), doc.getObjectId(Leases.ANCHOR),
                until instanceof Date d ? d.toInstant() : null, take instanceof String s ? s : null);
    }

    private static @Nullable String problem(String key, Document doc) {
        if (!(doc.get(Leases.INPUT) instanceof ObjectId input)) {
            return "its input is not an ObjectId";
        }
        if (!Leases.leaseId(key, input).equals(doc.get(Leases.ID))) {
            return "its _id does not name its input";
        }
        Object state = doc.get(Leases.STATE);
        if (!(state instanceof String s) || !Leases.STATES.contains(s)) {
            return "unknown state " + state;
        }
        if (!(doc.get(Leases.ANCHOR) instanceof ObjectId)) {
            return "its anchor is not an ObjectId";
        }
        if (count(doc.get(Leases.ATTEMPTS)) < 0 || count(doc.get(Leases.FAILURES)) < 0) {
            return "attempts or failures is not a count";
        }
        Object until = doc.get(Leases.UNTIL);
        if (until != null && !(until instanceof Date)) {
            return "until is not a date";
        }
        Object take = doc.get(Leases.TAKE);
        if (take != null && !(take instanceof String)) {
            return "take is not a string";
        }
        return null;
    }

    /** A stored count: a non-negative 32-bit integer (absent counts as 0), or -1 when it is anything else. */
    static int count(@Nullable Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Integer i) {
            return i >= 0 ? i : -1;
        }
        if (value instanceof Long l) {
            return l >= 0 && l <= Integer.MAX_VALUE ? (int) (long) l : -1;
        }
        return -1;
    }
}
