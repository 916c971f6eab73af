package io.datalake.delete;

import io.datalake.DatalakeNonTransientException;
import org.bson.types.ObjectId;

/**
 * Thrown by a cascading delete whose subtree has more datums than {@link DeleteOptions#maxNodes()}: the walk stops
 * there, so memory stays bounded, and nothing is deleted. Raise the limit (up to
 * {@link DeleteOptions#MAX_MAX_NODES}, about 200 bytes of heap per datum) or delete subtrees lower down first.
 */
public class SubtreeTooLargeException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    private final ObjectId id;
    private final int maxNodes;

    /**
     * Creates the exception.
     *
     * @param id the datum asked for
     * @param maxNodes the limit that was exceeded
     */
    public SubtreeTooLargeException(ObjectId id, int maxNodes) {
        super("delete " + id + ": the subtree has more than " + maxNodes + " datums (DeleteOptions.maxNodes);"
                + " raise maxNodes (at most " + DeleteOptions.MAX_MAX_NODES + ") or delete lower subtrees first");
        this.id = id;
        this.maxNodes = maxNodes;
    }

    /**
     * Returns the datum that was to be deleted.
     *
     * @return its id
     */
    public ObjectId id() {
        return id;
    }

    /**
     * Returns the limit that was exceeded.
     *
     * @return the node limit
     */
    public int maxNodes() {
        return maxNodes;
    }
}
