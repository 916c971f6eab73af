package io.datalake.query.engine.internal.traversal;

import io.datalake.query.engine.DatumFields;
import io.datalake.query.engine.ForeignIds;
import io.datalake.query.engine.internal.link.Link;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports stored documents that operations over the whole lake skip because they are not valid datums (written by
 * another client of the collection): one SLF4J warning per document, remembered for the last
 * {@link #REMEMBERED} documents, so a foreign document does not flood the log on every query. Also says, alike for
 * every walk, which documents found by a {@code derived_from} lookup or scan are children.
 */
final class ForeignDocuments {
    /** Why a document with a foreign {@code derived_from} is skipped, worded alike on every path. */
    static final String NOT_AN_OBJECT_ID_PARENT = "its derived_from is not an ObjectId";
    /** Why a document with a foreign {@code _id} is skipped. */
    static final String NOT_AN_OBJECT_ID = "its _id is not an ObjectId";

    /** How many skipped documents are remembered so each is reported once. */
    static final int REMEMBERED = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ForeignDocuments.class);
    private static final Set<String> REPORTED = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<String, Boolean>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));

    private ForeignDocuments() {
    }

    /**
     * Logs, once per document, that an operation skipped it.
     *
     * @param operation the public operation, e.g. {@code getStats}
     * @param id the document's {@code _id} as decoded, or null when it has none
     * @param why what is wrong with it
     */
    static void skipped(String operation, @Nullable Object id, String why) {
        String shown = ForeignIds.describe(id);
        if (REPORTED.add(shown + " " + why) && LOG.isWarnEnabled()) {
            LOG.warn("{}: skipped the stored document with _id {}: {}. It is not a datum this library wrote (another"
                    + " client?); the operation answers for the rest of the lake.", operation, shown, why);
        }
    }

    /**
     * A document found by a {@code derived_from} lookup or scan is a child only with an ObjectId {@code _id} and an
     * ObjectId {@code derived_from}: a foreign array such as {@code [parent]} also matches a lookup. Anything else is
     * skipped with one warning naming the document.
     *
     * @param link the document, as a link
     * @param operation the public operation, for the warning
     * @return whether it is a child
     */
    static boolean isChild(Link link, String operation) {
        if (link.id() == null) {
            skipped(operation, link.foreignId(), NOT_AN_OBJECT_ID);
            return false;
        }
        if (link.parent() == null) {
            skipped(operation, link.id(), NOT_AN_OBJECT_ID_PARENT);
            return false;
        }
        return true;
    }

    /**
     * As {@link #isChild(Link, String)} for a document read whole (lineage nodes need more than the link).
     *
     * @param doc the document
     * @param operation the public operation, for the warning
     * @return whether it is a child
     */
    static boolean isChild(org.bson.Document doc, String operation) {
        Object id = doc.get(DatumFields.ID);
        if (!(id instanceof ObjectId)) {
            skipped(operation, id, NOT_AN_OBJECT_ID);
            return false;
        }
        if (!(doc.get(DatumFields.DERIVED_FROM) instanceof ObjectId)) {
            skipped(operation, id, NOT_AN_OBJECT_ID_PARENT);
            return false;
        }
        return true;
    }
}
