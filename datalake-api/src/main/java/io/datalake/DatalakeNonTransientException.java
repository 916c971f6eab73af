package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * A failure that a retry of the same call will meet again, until the caller, the data or the server's
 * configuration changes: an invalid argument or query ({@link InvalidArgumentException},
 * {@link InvalidQueryException}), a datum that cannot be stored ({@link DatumValidationException}, a duplicate id
 * included), a missing or malformed datum ({@link DatumNotFoundException}, {@link MalformedDatumException}), refused
 * credentials, or a server error the driver does not mark as retryable.
 */
public class DatalakeNonTransientException extends DatalakeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed, naming the offending value
     */
    public DatalakeNonTransientException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the underlying cause.
     *
     * @param message what failed, naming the offending value
     * @param cause the underlying failure, kept so nothing is swallowed
     */
    public DatalakeNonTransientException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * Tells that a retry of the same call will fail the same way.
     *
     * @return always false
     */
    @Override
    public final boolean isTransient() {
        return false;
    }
}
