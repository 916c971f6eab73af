package io.datalake;

/**
 * Thrown before any I/O when a query is invalid; the message names the level index and the offending key or value.
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
}
