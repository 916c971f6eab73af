package io.datalake;

import java.util.List;
import org.bson.types.ObjectId;

/**
 * Attached as a suppressed exception to the error of a failed {@code addData} or {@code addDatum} when undoing the
 * failed write left some of its datums stored, because other writers' datums derive from them by now (deleting
 * them would orphan those). The error itself still says why the write failed.
 */
public class UndoIncompleteException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    private final List<ObjectId> remaining;

    /**
     * Creates the exception.
     *
     * @param remaining the ids of the failed write's datums that remain stored; not empty
     */
    public UndoIncompleteException(List<ObjectId> remaining) {
        super(remaining.size() + " datums of the failed write remain stored because other datums derive from them: "
                + remaining);
        this.remaining = List.copyOf(remaining);
    }

    /**
     * Returns the datums of the failed write that remain stored.
     *
     * @return their ids, never empty
     */
    public List<ObjectId> remaining() {
        return remaining;
    }
}
