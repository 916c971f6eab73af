package io.datalake;

import java.util.List;
import org.bson.types.ObjectId;

/**
 * Thrown when one or more datums that a call needs do not exist: an unknown id passed to a read, or an unknown
 * {@code derivedFrom} parent passed to an add (in which case nothing was written).
 */
public class DatumNotFoundException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_IDS_IN_MESSAGE = 20;

    private final List<ObjectId> ids;

    /**
     * Creates the exception for the given missing ids.
     *
     * @param context what was being done, e.g. {@code "getData"} or {@code "derivedFrom parent"}
     * @param ids the ids that were not found, in the order they were asked for; not empty
     */
    public DatumNotFoundException(String context, List<ObjectId> ids) {
        super(message(context, ids));
        this.ids = List.copyOf(ids);
    }

    /**
     * Returns the ids that were not found.
     *
     * @return the missing ids, never empty
     */
    public List<ObjectId> ids() {
        return ids;
    }

    private static String message(String context, List<ObjectId> ids) {
        if (ids.size() == 1) {
            return context + ": no datum with id " + ids.get(0);
        }
        String shown = ids.size() <= MAX_IDS_IN_MESSAGE
                ? ids.toString()
                : ids.subList(0, MAX_IDS_IN_MESSAGE) + " and " + (ids.size() - MAX_IDS_IN_MESSAGE) + " more";
        return context + ": " + ids.size() + " datums not found: " + shown;
    }
}
