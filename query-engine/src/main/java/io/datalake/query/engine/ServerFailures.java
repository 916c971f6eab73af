package io.datalake.query.engine;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.WriteError;
import com.mongodb.bulk.BulkWriteError;
import io.datalake.DatalakeException;
import io.datalake.DatumValidationException;
import io.datalake.query.engine.internal.DriverTimeouts;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one translator from MongoDB driver failures to datalake exceptions, used by the query engine, the lineage
 * walks and the store alike. The driver's exception is kept as the cause.
 */
public final class ServerFailures {
    /** The index that makes {@code _id} unique; a clash on any other index is a user's own unique index. */
    static final String ID_INDEX = "_id_";
    /**
     * The server's duplicate-key message, e.g. {@code E11000 duplicate key error collection: db.c index: k_1 dup
     * key: { k: "x" }}; real MongoDB and the embedded server both say it this way.
     */
    private static final Pattern DUPLICATE_KEY = Pattern.compile("index: (\\S+) dup key: (\\{.*})", Pattern.DOTALL);

    private ServerFailures() {
    }

    /**
     * Returns the datalake exception a driver failure stands for; a {@link DatalakeException} is returned as is.
     *
     * @param context what was being done, named first in the message (e.g. {@code "getDatum 65a..."})
     * @param error a failure from the driver or from our own code
     * @return a {@link DatalakeException} (or subtype) describing the failure, never null
     */
    public static Throwable translate(String context, Throwable error) {
        if (error instanceof DatalakeException) {
            return error;
        }
        Throwable timeout = DriverTimeouts.translate(context, error);
        if (timeout != null) {
            return timeout;
        }
        WriteError duplicate = duplicateKey(error);
        if (duplicate != null) {
            return new DatumValidationException(context + ": " + describeDuplicate(duplicate), error);
        }
        return new DatalakeException(context + " failed: " + error.getMessage(), error);
    }

    /**
     * Says which unique index refused which key: {@code _id} clashes are "a datum with this id already exists",
     * others name the index and the key, so a user's own unique index is not mistaken for an id clash.
     */
    static String describeDuplicate(WriteError error) {
        Matcher m = DUPLICATE_KEY.matcher(String.valueOf(error.getMessage()));
        if (!m.find()) {
            return "duplicate key (" + error.getMessage() + ")";
        }
        String index = m.group(1);
        String key = m.group(2).trim();
        if (ID_INDEX.equals(index)) {
            return "a datum with this id already exists (index " + index + ", key " + key + ")";
        }
        return "unique index " + index + " already holds key " + key + " (" + error.getMessage() + ")";
    }

    private static @Nullable WriteError duplicateKey(Throwable error) {
        if (error instanceof MongoWriteException) {
            WriteError e = ((MongoWriteException) error).getError();
            return e.getCategory() == ErrorCategory.DUPLICATE_KEY ? e : null;
        }
        if (error instanceof MongoBulkWriteException) {
            for (BulkWriteError e : ((MongoBulkWriteException) error).getWriteErrors()) {
                if (e.getCategory() == ErrorCategory.DUPLICATE_KEY) {
                    return e;
                }
            }
        }
        return null;
    }
}
