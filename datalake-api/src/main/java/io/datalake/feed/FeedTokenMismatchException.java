package io.datalake.feed;

import io.datalake.InvalidArgumentException;

/**
 * Thrown when a watch resumes from a token that was made for another filter: the token's position only accounts for
 * the datums that matched its own filter, so resuming a different filter from it could miss datums.
 */
public class FeedTokenMismatchException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which filters differ
     */
    public FeedTokenMismatchException(String message) {
        super(message);
    }
}
