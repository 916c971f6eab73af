package io.datalake.delete;

import java.util.List;
import org.bson.types.ObjectId;

/**
 * What a delete removed, or with {@link DeleteOptions#dryRun()} would remove.
 *
 * @param ids the datums in deletion order: the deepest level of the subtree first, the datum asked for last, so
 *     at every moment each remaining datum's parent exists
 * @param payloadsReleased the payloads of deleted datums that no remaining datum references (when the plan was
 *     made); never deleted here, payload garbage collection removes them after its grace period
 * @param orphaned children of deleted datums that another client added while the delete ran, found by one lookup
 *     after the last level; they remain, without their parent (empty for a dry run and almost always otherwise)
 * @param dryRun whether nothing was written
 */
public record DeletePlan(List<ObjectId> ids, List<ReleasedPayload> payloadsReleased, List<ObjectId> orphaned,
        boolean dryRun) {
    /** Copies the lists, so the plan is immutable. */
    public DeletePlan {
        ids = List.copyOf(ids);
        payloadsReleased = List.copyOf(payloadsReleased);
        orphaned = List.copyOf(orphaned);
    }
}
