package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * A failure that may go away when the same call is retried: the connection to the server was lost, the replica
 * set had no primary for a moment (an election, a node restarting), a write conflicted with a concurrent
 * transaction, the server or client ran out of time ({@link DatalakeTimeoutException}). The driver marks such
 * failures with the error labels {@code RetryableWriteError} or {@code TransientTransactionError} or with a network
 * or not-primary exception type; the lake's translator follows those marks. The cause keeps the driver's exception.
 *
 * <p>Retrying is safe for reads. For writes, see the README: an {@code addData} whose datums carry caller-chosen ids
 * can be retried (a datum stored by the first attempt refuses the retry with a duplicate-id
 * {@link DatumValidationException}); without ids a retry may store the batch twice.
 */
public class DatalakeTransientException extends DatalakeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed and why a retry may help
     * @param cause the underlying failure, usually the driver's exception
     */
    public DatalakeTransientException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * Tells that a retry may succeed.
     *
     * @return always true
     */
    @Override
    public final boolean isTransient() {
        return true;
    }
}
