package io.datalake.query.engine.internal;

import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import io.datalake.DatalakeTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Maps the driver's timeouts to {@link DatalakeTimeoutException}. The lake runs every operation under the driver's
 * client-side operation timeout ({@code timeoutMS}): the driver sends the remaining time as {@code maxTimeMS}, and
 * gives up on its own side (closing the connection) when the server does not answer in time. A server that stops
 * the operation at {@code maxTimeMS} answers {@code MaxTimeMSExpired} (code 50), which the driver reports as a
 * {@link com.mongodb.MongoOperationTimeoutException} caused by a {@link MongoExecutionTimeoutException}: the same
 * query will run out of time again, so it is not transient. Every other timeout (no server selected, no connection
 * free, no answer) is the client giving up, and a retry may succeed.
 */
public final class DriverTimeouts {
    /** MongoDB's {@code MaxTimeMSExpired}. */
    static final int MAX_TIME_MS_EXPIRED = 50;
    private static final String HINT = "; raise the limit with DatalakeSettings.Builder.operationTimeout, or per call"
            + " with Datalake.withOperationTimeout";

    private DriverTimeouts() {
    }

    /**
     * Returns the typed timeout a driver failure stands for.
     *
     * @param context what was being done, for the message
     * @param error a failure from the driver
     * @return the timeout exception, or null when the failure is not a timeout
     */
    public static @Nullable DatalakeTimeoutException translate(String context, Throwable error) {
        boolean serverTimeLimit = false;
        boolean clientTimeout = false;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MongoExecutionTimeoutException
                    || t instanceof MongoServerException && ((MongoServerException) t).getCode() == MAX_TIME_MS_EXPIRED) {
                serverTimeLimit = true;
            } else if (t instanceof MongoTimeoutException || t instanceof MongoSocketReadTimeoutException) {
                clientTimeout = true;
            }
        }
        if (serverTimeLimit) {
            return new DatalakeTimeoutException(context + ": the server stopped the operation at the lake's time"
                    + " limit (MaxTimeMSExpired); the same operation will run out of time again: narrow it" + HINT
                    + " (" + error.getMessage() + ")", false, error);
        }
        if (clientTimeout) {
            return new DatalakeTimeoutException(context + ": no answer from the server within the lake's operation"
                    + " time limit (the server may be unreachable, overloaded or still working); a retry may succeed"
                    + HINT + " (" + error.getMessage() + ")", true, error);
        }
        return null;
    }
}
