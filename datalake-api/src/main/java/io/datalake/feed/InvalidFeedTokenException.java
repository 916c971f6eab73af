package io.datalake.feed;

import io.datalake.InvalidArgumentException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown when a text is not a feed token this library wrote: not base64url, truncated, altered (its checksum does
 * not match), of an unknown version or kind, or holding a position that cannot be read back.
 */
public class InvalidFeedTokenException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong with the token
     */
    public InvalidFeedTokenException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the failure that revealed the problem.
     *
     * @param message what was wrong with the token
     * @param cause the underlying failure
     */
    public InvalidFeedTokenException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
