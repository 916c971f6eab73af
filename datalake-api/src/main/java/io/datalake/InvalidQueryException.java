package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a query is invalid; the message names the level index and the offending key or value. Raised before
 * any I/O for everything the client can check, and when the server refuses a level's filter (for example an
 * invalid regular expression or {@code $text} without a text index), with the server's error as the cause.
 */
public class InvalidQueryException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the level index and the offending key or value
     */
    public InvalidQueryException(String message) {
        super(message);
    }

    /**
     * Creates the exception for a query the server refused.
     *
     * @param message what was wrong, naming the level index and the offending filter
     * @param cause the server's error
     */
    public InvalidQueryException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
