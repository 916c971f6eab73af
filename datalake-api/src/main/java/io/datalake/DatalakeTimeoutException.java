package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a server operation did not finish within the lake's operation time limit
 * ({@link DatalakeSettings#operationTimeout()}, or the limit of a {@link Datalake#withOperationTimeout} view).
 *
 * <p>A timeout is a {@link DatalakeTransientException}, as timeouts are in r2dbc-spi and JDBC: a retry may succeed.
 * {@link #serverTimeLimit()} tells the two kinds apart. When the client stopped waiting (the server was unreachable,
 * overloaded or slow to answer, or no connection was free in time) a retry under the same limit often succeeds.
 * When the server itself stopped the operation at the limit ({@code MaxTimeMSExpired}, code 50) a retry succeeds
 * only if the server was busy or its cache cold the first time; a query that is simply too broad runs out of time
 * again, so narrow it or raise the limit. A retry filter that must not spend the limit twice on the same broad
 * query excludes {@code serverTimeLimit()}.
 *
 * <p>Before issue 11 this exception carried a per-instance {@code isTransient()} that was false for the server's
 * time limit; that fact is now {@link #serverTimeLimit()} and {@link #isTransient()} follows the class hierarchy.
 */
public class DatalakeTimeoutException extends DatalakeTransientException {
    private static final long serialVersionUID = 1L;

    private final boolean serverTimeLimit;

    /**
     * Creates the exception for a client that stopped waiting for the server.
     *
     * @param message what timed out, and how to raise the limit
     * @param cause the driver's timeout exception
     */
    public DatalakeTimeoutException(String message, @Nullable Throwable cause) {
        this(message, cause, false);
    }

    /**
     * Creates the exception.
     *
     * @param message what timed out, and how to raise the limit
     * @param cause the driver's timeout exception
     * @param serverTimeLimit true when the server stopped the operation at its time limit, false when the client
     *     stopped waiting
     */
    public DatalakeTimeoutException(String message, @Nullable Throwable cause, boolean serverTimeLimit) {
        super(message, cause);
        this.serverTimeLimit = serverTimeLimit;
    }

    /**
     * Tells whether the server stopped the operation at its time limit ({@code MaxTimeMSExpired}) rather than the
     * client giving up waiting; the same broad operation is then likely to run out of time again.
     *
     * @return true for the server's own time limit, false when the client stopped waiting
     */
    public boolean serverTimeLimit() {
        return serverTimeLimit;
    }
}
