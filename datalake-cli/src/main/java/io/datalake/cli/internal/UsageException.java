package io.datalake.cli.internal;

/**
 * A mistake in how a command was called (bad JSON, a missing or conflicting option) that the command finds after
 * picocli has parsed its arguments. Exits with code 2 like any other usage error.
 */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one line that names the problem
     */
    public UsageException(String message) {
        super(message);
    }
}
