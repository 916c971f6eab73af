package io.datalake.mongo.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports stored documents that operations over the whole lake skip because they are not valid datums (written by
 * another client of the collection): one SLF4J warning per document, remembered for the last
 * {@link #REMEMBERED} documents, so a foreign document does not flood the log on every query.
 */
final class ForeignDocuments {
    /** How many skipped documents are remembered so each is reported once. */
    static final int REMEMBERED = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(ForeignDocuments.class);
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
    private static final int SHOW = 80;
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
        String shown = describeId(id);
        if (REPORTED.add(shown + " " + why) && LOG.isWarnEnabled()) {
            LOG.warn("{}: skipped the stored document with _id {}: {}. It is not a datum this library wrote (another"
                    + " client?); the operation answers for the rest of the lake.", operation, shown, why);
        }
    }

    /**
     * Renders an {@code _id} of any type for messages.
     *
     * @param id the decoded id (a Java value or a {@link BsonValue}), or null
     * @return relaxed extended JSON, shortened
     */
    static String describeId(@Nullable Object id) {
        if (id == null) {
            return "(none)";
        }
        String json;
        try {
            json = id instanceof BsonValue
                    ? new BsonDocument("v", (BsonValue) id).toJson(JSON)
                    : new org.bson.Document("v", id).toJson(JSON);
            json = json.substring("{\"v\": ".length(), json.length() - 1);
        } catch (RuntimeException e) {
            json = String.valueOf(id);
        }
        return json.length() <= SHOW ? json : json.substring(0, SHOW - 3) + "...";
    }
}
