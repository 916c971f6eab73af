package io.datalake.query.engine;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoStalePrimaryException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.WriteError;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.WriteConcernError;
import io.datalake.DatalakeException;
import io.datalake.DatalakeNonTransientException;
import io.datalake.DatalakeTimeoutException;
import io.datalake.DatalakeTransientException;
import io.datalake.DatumValidationException;
import io.datalake.InvalidQueryException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one translator from MongoDB driver failures to datalake exceptions, used by the query engine, the lineage
 * walks and the store alike; nothing else builds an exception from a driver failure. The driver's exception is
 * kept as the cause, and every failure lands on a branch of the hierarchy:
 * <ul>
 *   <li>a timeout becomes a {@link DatalakeTimeoutException} (transient);</li>
 *   <li>a duplicate key becomes a {@link DatumValidationException} naming the index and key (permanent);</li>
 *   <li>a server's refusal of a query's filter becomes an {@link InvalidQueryException} (permanent; see
 *       {@link #translateQuery});</li>
 *   <li>every other failure becomes a {@link DatalakeTransientException} when the driver marks it retryable (see
 *       {@link #isTransient(Throwable)}), else a {@link DatalakeNonTransientException}.</li>
 * </ul>
 */
public final class ServerFailures {
    /** The index that makes {@code _id} unique; a clash on any other index is a user's own unique index. */
    static final String ID_INDEX = "_id_";
    /** MongoDB's {@code MaxTimeMSExpired}: the server stopped the operation at the time limit it was sent. */
    static final int MAX_TIME_MS_EXPIRED = 50;
    /** The driver's label for failures inside a transaction that a retry of the whole transaction may survive. */
    static final String TRANSIENT_TRANSACTION_ERROR = "TransientTransactionError";
    /** The driver's (and server's) label for failures a retried write may survive. */
    static final String RETRYABLE_WRITE_ERROR = "RetryableWriteError";
    /**
     * Server codes a retry may survive: the driver's retryable-read/write codes (HostUnreachable 6, HostNotFound 7,
     * NetworkTimeout 89, ShutdownInProgress 91, PrimarySteppedDown 189, ExceededTimeLimit 262, SocketException
     * 9001, NotWritablePrimary 10107, InterruptedAtShutdown 11600, InterruptedDueToReplStateChange 11602,
     * NotPrimaryNoSecondaryOk 13435, NotPrimaryOrSecondary 13436) and the concurrency failures WriteConflict 112
     * and LockTimeout 24. Real servers add {@code RetryableWriteError} to most of these on writes; the codes also
     * cover reads, old servers and the embedded test server, which send no labels.
     */
    static final Set<Integer> TRANSIENT_CODES =
            Set.of(6, 7, 24, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436);
    /**
     * Named server codes that only a malformed or unsupported filter causes: BadValue, FailedToParse, TypeMismatch,
     * Overflow, IndexNotFound ({@code $text} without a text index), InvalidPath, DollarPrefixedFieldName,
     * EmptyFieldName, InvalidPipelineOperator, QueryFeatureNotAllowed, ConversionFailure, NoQueryExecutionPlans
     * (e.g. {@code $near} without a geo index) and InvalidBSONType.
     */
    static final Set<Integer> BAD_QUERY_CODES = Set.of(2, 9, 14, 15, 27, 30, 52, 56, 168, 224, 241, 291, 357);
    /**
     * The server names every error it has a category for (network, interruption, not primary, shutdown, time
     * limit, authorization ...). Errors without a name come from a single assertion site and are reported as
     * {@code Location<code>}: on a find these are raised while parsing or evaluating the filter, e.g. 51091
     * (invalid regex), 16020 (wrong number of expression arguments), 51024, 17287.
     */
    private static final String LOCATION_PREFIX = "Location";
    /**
     * The server's duplicate-key message, e.g. {@code E11000 duplicate key error collection: db.c index: k_1 dup
     * key: { k: "x" }}; real MongoDB and the embedded server both say it this way.
     */
    private static final Pattern DUPLICATE_KEY = Pattern.compile("index: (\\S+) dup key: (\\{.*})", Pattern.DOTALL);
    private static final String TIMEOUT_HINT = "; raise the limit with DatalakeSettings.Builder.operationTimeout, or"
            + " per call with Datalake.withOperationTimeout";

    private ServerFailures() {
    }

    /**
     * Returns the datalake exception a driver failure stands for; a {@link DatalakeException} is returned as is.
     *
     * @param context what was being done, named first in the message (e.g. {@code "getDatum 65a..."})
     * @param error a failure from the driver or from our own code
     * @return a {@link DatalakeException} subtype on the transient or the permanent branch, never null
     */
    public static DatalakeException translate(String context, Throwable error) {
        if (error instanceof DatalakeException known) {
            return known;
        }
        DatalakeTimeoutException timeout = timeout(context, error);
        if (timeout != null) {
            return timeout;
        }
        WriteError duplicate = duplicateKey(error);
        if (duplicate != null) {
            return new DatumValidationException(context + ": " + describeDuplicate(duplicate), error);
        }
        return classified(context + " failed: " + error.getMessage(), error);
    }

    /**
     * Returns the datalake exception a failure of reading one level of a query stands for: as
     * {@link #translate}, and a server's refusal of the level's filter becomes an {@link InvalidQueryException}
     * naming the level, its column and its filter.
     *
     * @param level the level's index in the query
     * @param column the level's column name
     * @param filterJson the level's filter as JSON, for the message
     * @param error a failure from the driver or from our own code
     * @return a {@link DatalakeException} subtype on the transient or the permanent branch, never null
     */
    public static DatalakeException translateQuery(int level, String column, String filterJson, Throwable error) {
        if (error instanceof DatalakeException known) {
            return known;
        }
        String where = "level " + level + " ('" + column + "')";
        DatalakeTimeoutException timeout = timeout("query reading " + where, error);
        if (timeout != null) {
            return timeout;
        }
        if (isInvalidQuery(error)) {
            return new InvalidQueryException(where + ": the server rejected the filter " + filterJson + ": "
                    + error.getMessage(), error);
        }
        return classified("query failed reading " + where + ": " + error.getMessage(), error);
    }

    /**
     * Tells whether a driver failure is one a retry may survive, by the driver's own marks: the error labels
     * {@code TransientTransactionError} and {@code RetryableWriteError}; a network failure
     * ({@link MongoSocketException}, a cleared connection pool); a replica set without a usable primary
     * ({@link MongoNotPrimaryException}, {@link MongoNodeIsRecoveringException}, a stale primary); a timeout; and
     * the server codes of {@link #TRANSIENT_CODES} (write conflicts among them), on the failure itself, its write
     * errors or its write concern error. Causes are searched too.
     *
     * @param error a failure from the driver
     * @return true when retrying the same call may succeed; false for everything else (bad input, refused
     *     credentials, a duplicate key, a server's refusal of the query, failures the driver does not mark)
     */
    public static boolean isTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatalakeException known) {
                return known.isTransient();
            }
            if (isTransientItself(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells whether a failure is the server refusing the query itself (the user's filter is malformed or uses
     * something the server cannot run), as opposed to an operational failure (network, timeout, authentication,
     * failover), which is not the query's fault.
     *
     * @param error a failure of a find
     * @return true for query-syntax and bad-value errors, false for everything else
     */
    public static boolean isInvalidQuery(Throwable error) {
        if (!(error instanceof MongoServerException server)) {
            return false;
        }
        String name = server.getErrorCodeName();
        return BAD_QUERY_CODES.contains(server.getCode())
                || (name != null && name.startsWith(LOCATION_PREFIX) && server.getCode() > 0);
    }

    private static boolean isTransientItself(Throwable t) {
        if (t instanceof MongoException mongo
                && (mongo.hasErrorLabel(TRANSIENT_TRANSACTION_ERROR) || mongo.hasErrorLabel(RETRYABLE_WRITE_ERROR))) {
            return true;
        }
        if (t instanceof MongoSocketException || t instanceof MongoConnectionPoolClearedException
                || t instanceof MongoNotPrimaryException || t instanceof MongoNodeIsRecoveringException
                || t instanceof MongoStalePrimaryException || t instanceof MongoTimeoutException) {
            return true;
        }
        if (t instanceof MongoBulkWriteException bulk) {
            WriteConcernError concern = bulk.getWriteConcernError();
            return concern != null && TRANSIENT_CODES.contains(concern.getCode())
                    || bulk.getWriteErrors().stream().anyMatch(e -> TRANSIENT_CODES.contains(e.getCode()));
        }
        // MongoWriteException and MongoWriteConcernException report their write (concern) error's code here.
        return t instanceof MongoServerException server && TRANSIENT_CODES.contains(server.getCode());
    }

    private static DatalakeException classified(String message, Throwable error) {
        return isTransient(error)
                ? new DatalakeTransientException(message, error)
                : new DatalakeNonTransientException(message, error);
    }

    /**
     * Maps the driver's timeouts. The lake runs every operation under the driver's client-side operation timeout
     * ({@code timeoutMS}): the driver sends the remaining time as {@code maxTimeMS}, and gives up on its own side
     * (closing the connection) when the server does not answer in time. A server that stops the operation at
     * {@code maxTimeMS} answers {@code MaxTimeMSExpired} (code 50), which the driver reports as a
     * {@link com.mongodb.MongoOperationTimeoutException} caused by a {@link MongoExecutionTimeoutException}. Every
     * other timeout (no server selected, no connection free, no answer) is the client giving up.
     */
    private static @Nullable DatalakeTimeoutException timeout(String context, Throwable error) {
        boolean serverTimeLimit = false;
        boolean clientTimeout = false;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MongoExecutionTimeoutException
                    || t instanceof MongoServerException server && server.getCode() == MAX_TIME_MS_EXPIRED) {
                serverTimeLimit = true;
            } else if (t instanceof MongoTimeoutException || t instanceof MongoSocketReadTimeoutException) {
                clientTimeout = true;
            }
        }
        if (serverTimeLimit) {
            return new DatalakeTimeoutException(context + ": the server stopped the operation at the lake's time"
                    + " limit (MaxTimeMSExpired); a broad operation will run out of time again: narrow it"
                    + TIMEOUT_HINT + " (" + error.getMessage() + ")", error, true);
        }
        if (clientTimeout) {
            return new DatalakeTimeoutException(context + ": no answer from the server within the lake's operation"
                    + " time limit (the server may be unreachable, overloaded or still working); a retry may succeed"
                    + TIMEOUT_HINT + " (" + error.getMessage() + ")", error);
        }
        return null;
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
        if (error instanceof MongoWriteException write) {
            WriteError e = write.getError();
            return e.getCategory() == ErrorCategory.DUPLICATE_KEY ? e : null;
        }
        if (error instanceof MongoBulkWriteException bulk) {
            for (BulkWriteError e : bulk.getWriteErrors()) {
                if (e.getCategory() == ErrorCategory.DUPLICATE_KEY) {
                    return e;
                }
            }
        }
        return null;
    }
}
