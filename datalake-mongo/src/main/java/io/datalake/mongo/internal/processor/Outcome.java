package io.datalake.mongo.internal.processor;

import java.time.Instant;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * How one attempt on one input ended, as recorded in its lease by {@link Leases#settle}.
 *
 * @param kind what happened
 * @param input the input
 * @param outputs datums stored (for {@link Kind#DONE})
 * @param error the failure (for {@link Kind#FAILED} and {@link Kind#DEAD})
 * @param retryAt when the next attempt may start (for {@link Kind#FAILED})
 */
record Outcome(Kind kind, ObjectId input, int outputs, @Nullable Throwable error, @Nullable Instant retryAt) {
    /** What happened to an attempt. */
    enum Kind {
        /** This attempt's outputs (maybe none) are stored. */
        DONE,
        /** Another attempt's result was already stored: nothing written, the input is done. */
        DUPLICATE,
        /** The attempt failed; the input waits until {@code retryAt} for its next attempt. */
        FAILED,
        /** The attempt failed for good: the input is a dead letter. */
        DEAD,
        /** The attempt did not start or was cancelled (a stop): the lease is given back at once. */
        RELEASED
    }

    static Outcome done(ObjectId input, int outputs) {
        return new Outcome(Kind.DONE, input, outputs, null, null);
    }

    static Outcome duplicate(ObjectId input) {
        return new Outcome(Kind.DUPLICATE, input, 0, null, null);
    }

    static Outcome failed(ObjectId input, Throwable error, Instant retryAt) {
        return new Outcome(Kind.FAILED, input, 0, error, retryAt);
    }

    static Outcome dead(ObjectId input, Throwable error) {
        return new Outcome(Kind.DEAD, input, 0, error, null);
    }

    static Outcome released(ObjectId input) {
        return new Outcome(Kind.RELEASED, input, 0, null, null);
    }
}
