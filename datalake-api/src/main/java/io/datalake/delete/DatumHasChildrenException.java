package io.datalake.delete;

import io.datalake.DatalakeNonTransientException;
import java.util.List;
import org.bson.types.ObjectId;

/**
 * Thrown by a delete without {@link DeleteOptions#cascade()} of a datum that has children: deleting it would leave
 * them without their parent. Nothing was deleted. Names up to {@value #MAX_NAMED} children and their count.
 */
public class DatumHasChildrenException extends DatalakeNonTransientException {
    /** How many children the exception names, at most. */
    public static final int MAX_NAMED = 10;
    private static final long serialVersionUID = 1L;

    private final ObjectId id;
    private final List<ObjectId> children;
    private final long count;

    /**
     * Creates the exception.
     *
     * @param id the datum asked for
     * @param children some of its children, the first {@value #MAX_NAMED} are kept
     * @param count how many children it has
     */
    public DatumHasChildrenException(ObjectId id, List<ObjectId> children, long count) {
        super("delete " + id + ": the datum has " + count + (count == 1 ? " child" : " children") + " ("
                + named(children, count) + "); delete them first or use cascade to delete the whole subtree");
        this.id = id;
        this.children = List.copyOf(children.subList(0, Math.min(children.size(), MAX_NAMED)));
        this.count = count;
    }

    private static String named(List<ObjectId> children, long count) {
        List<String> shown = children.stream().limit(MAX_NAMED).map(ObjectId::toHexString).toList();
        long more = count - shown.size();
        if (shown.isEmpty()) {
            // Documents another client wrote with a non-ObjectId _id are counted but not named.
            return "none with an ObjectId _id";
        }
        return String.join(", ", shown) + (more > 0 ? " and " + more + " more" : "");
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
     * Returns some of its children.
     *
     * @return at most {@value #MAX_NAMED} children, oldest first
     */
    public List<ObjectId> children() {
        return children;
    }

    /**
     * Returns how many children the datum has.
     *
     * @return the count, at least 1
     */
    public long count() {
        return count;
    }
}
