package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Thrown before anything is written when a datum's content cannot be stored: a value with no BSON mapping inside
 * {@code data} or {@code metadata}, a map key that is not a string or that MongoDB or queries cannot handle (NUL,
 * a leading {@code $}, a {@code .}), nesting beyond MongoDB's 100 levels or a value that contains itself, a
 * duplicate id.
 */
public class DatumValidationException extends DatalakeNonTransientException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong, naming the path inside the datum and the offending value or type
     */
    public DatumValidationException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what was wrong, naming the path inside the datum and the offending value or type
     * @param cause the underlying failure
     */
    public DatumValidationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
