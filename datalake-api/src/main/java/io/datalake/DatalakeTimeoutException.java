package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a server operation did not finish within the lake's operation time limit
 * ({@link DatalakeSettings#operationTimeout()}, or the limit of a {@link Datalake#withOperationTimeout} view).
 *
 * <p>{@link #isTransient()} tells whether retrying the same call may help: true when the client stopped waiting
 * (the server was unreachable, overloaded or slow to answer, or no connection was free in time), false when the
 * server itself stopped the operation at its time limit ({@code MaxTimeMSExpired}, code 50): the same query will
 * run out of time again, so narrow it or raise the limit.
 */
public class DatalakeTimeoutException extends DatalakeException {
    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    /**
     * Creates the exception.
     *
     * @param message what timed out, and how to raise the limit
     * @param transientFailure whether a retry of the same call may succeed
     * @param cause the driver's timeout exception
     */
    public DatalakeTimeoutException(String message, boolean transientFailure, @Nullable Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /**
     * Tells whether retrying the same call may succeed.
     *
     * @return true when the client gave up waiting (server unreachable, overloaded or slow), false when the server
     *     stopped the operation at its own time limit
     */
    public boolean isTransient() {
        return transientFailure;
    }
}
