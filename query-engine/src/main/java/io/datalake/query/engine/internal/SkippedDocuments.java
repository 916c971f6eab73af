package io.datalake.query.engine.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import org.bson.BsonValue;
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
     * @param id the document's {@code _id} as stored ({@link io.datalake.query.engine.internal.link.Link#foreignId}),
     *     or null when it has none
     */
    static void report(@Nullable BsonValue id) {
        String shown = describe(id);
        if (REPORTED.add(shown) && LOG.isWarnEnabled()) {
            LOG.warn("query: skipped the stored document with _id {}: its _id is not an ObjectId, so it is not a datum"
                    + " this library wrote (another client?); the query answers for the rest of the lake.", shown);
        }
    }

    /** A foreign {@code _id} for the warning: its type, and its value when it is short and printable. */
    private static String describe(@Nullable BsonValue id) {
        if (id == null) {
            return "null";
        }
        return switch (id.getBsonType()) {
            case STRING -> {
                String s = id.asString().getValue();
                yield "\"" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "\" (a string)";
            }
            case INT32 -> id.asInt32().getValue() + " (an int)";
            case INT64 -> id.asInt64().getValue() + " (a long)";
            default -> "of type " + id.getBsonType().name().toLowerCase(Locale.ROOT);
        };
    }
}
