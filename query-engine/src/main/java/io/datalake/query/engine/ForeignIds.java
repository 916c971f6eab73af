package io.datalake.query.engine;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.jspecify.annotations.Nullable;

/**
 * Renders the {@code _id} of a stored document, whatever its type, for warnings and error messages: documents
 * written by other clients of the collection may have any {@code _id}, and every message names them alike.
 */
public final class ForeignIds {
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
    private static final int SHOW = 80;

    private ForeignIds() {
    }

    /**
     * Renders an {@code _id} of any type.
     *
     * @param id the decoded id (a Java value or a {@link BsonValue}), or null
     * @return relaxed extended JSON, shortened to 80 characters; {@code (none)} for null
     */
    public static String describe(@Nullable Object id) {
        if (id == null) {
            return "(none)";
        }
        String json;
        try {
            json = id instanceof BsonValue value
                    ? new BsonDocument("v", value).toJson(JSON)
                    : new Document("v", id).toJson(JSON);
            json = json.substring("{\"v\": ".length(), json.length() - 1);
        } catch (RuntimeException e) {
            json = String.valueOf(id);
        }
        return json.length() <= SHOW ? json : json.substring(0, SHOW - 3) + "...";
    }
}
