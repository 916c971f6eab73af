package io.datalake.query.engine.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports stored documents a query skips because their {@code _id} is not an ObjectId (written by another client
 * of the collection): query rows hold datum ids, so such a document can be in no row. One SLF4J warning per
 * document, remembered for the last {@link #REMEMBERED} documents, so a foreign document does not flood the log.
 */
final class SkippedDocuments {
    /** How many skipped documents are remembered so each is reported once. */
    static final int REMEMBERED = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(SkippedDocuments.class);
    private static final Set<String> REPORTED = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<String, Boolean>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            }));

    private SkippedDocuments() {
    }

    /**
     * Logs, once per document, that a query skipped it.
     *
     * @param id the document's {@code _id} as {@link Link} describes it
     */
    static void report(@Nullable String id) {
        String shown = String.valueOf(id);
        if (REPORTED.add(shown) && LOG.isWarnEnabled()) {
            LOG.warn("query: skipped the stored document with _id {}: its _id is not an ObjectId, so it is not a datum"
                    + " this library wrote (another client?); the query answers for the rest of the lake.", shown);
        }
    }
}
