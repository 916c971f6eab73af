package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Thrown before any I/O when an argument is invalid: a null id, a non-positive batch size, an unknown setting.
 */
public class InvalidArgumentException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the argument and its value
     */
    public InvalidArgumentException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure that revealed the problem.
     *
     * @param message what was wrong, naming the argument and its value
     * @param cause the underlying failure
     */
    public InvalidArgumentException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
