package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Root of every exception datalake throws. Unchecked, like the MongoDB driver's own exceptions; subtypes say what
 * kind of failure it was, and the message names the offending value.
 */
public class DatalakeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what failed, naming the offending value
     */
    public DatalakeException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the underlying cause (for example the driver's exception).
     *
     * @param message what failed, naming the offending value
     * @param cause the underlying failure, kept so nothing is swallowed
     */
    public DatalakeException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
