package io.datalake.delete;

import io.datalake.DatalakeNonTransientException;
import io.datalake.dataset.VersionRef;
import java.util.List;
import org.bson.types.ObjectId;

/**
 * Thrown by a delete when a published dataset version retains a datum it would remove: a published version never
 * changes, so its datums must stay. Drafts do not retain. Nothing was deleted. Names the versions
 * ({@code NAME@N}) and some of the retained datums.
 */
public class DatumRetainedException extends DatalakeNonTransientException {
    /** How many versions and datums the message names, at most. */
    public static final int MAX_NAMED = 10;
    private static final long serialVersionUID = 1L;

    private final ObjectId id;
    private final List<VersionRef> versions;
    private final List<ObjectId> retained;
    private final long retainedCount;

    /**
     * Creates the exception.
     *
     * @param id the datum asked for
     * @param versions every published version that retains a datum of the set, ordered by name then number
     * @param retained some of the retained datums
     * @param retainedCount how many datums of the set are retained
     */
    public DatumRetainedException(ObjectId id, List<VersionRef> versions, List<ObjectId> retained,
            long retainedCount) {
        super("delete " + id + ": " + retainedCount + (retainedCount == 1 ? " datum" : " datums") + " of the set ("
                + String.join(", ", retained.stream().limit(MAX_NAMED).map(ObjectId::toHexString).toList())
                + (retainedCount > Math.min(retained.size(), MAX_NAMED)
                        ? " and " + (retainedCount - Math.min(retained.size(), MAX_NAMED)) + " more" : "")
                + ") retained by published dataset " + (versions.size() == 1 ? "version " : "versions ")
                + String.join(", ", versions.stream().limit(MAX_NAMED).map(VersionRef::toString).toList())
                + (versions.size() > MAX_NAMED ? " and " + (versions.size() - MAX_NAMED) + " more" : "")
                + "; published versions never change, so their datums cannot be deleted");
        this.id = id;
        this.versions = List.copyOf(versions);
        this.retained = List.copyOf(retained.subList(0, Math.min(retained.size(), MAX_NAMED)));
        this.retainedCount = retainedCount;
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
     * Returns the published versions that retain a datum of the set.
     *
     * @return every such version, as {@code NAME@N}
     */
    public List<VersionRef> versions() {
        return versions;
    }

    /**
     * Returns some of the retained datums.
     *
     * @return at most {@value #MAX_NAMED} of them
     */
    public List<ObjectId> retained() {
        return retained;
    }

    /**
     * Returns how many datums of the set are retained.
     *
     * @return the count, at least 1
     */
    public long retainedCount() {
        return retainedCount;
    }
}
