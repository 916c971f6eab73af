package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a payload registry (file, S3, GCS, ...) fails: a missing object, a hash mismatch, a refused request.
 * The message names the registry URI and the key; credentials are never part of it.
 */
public class RegistryException extends DatalakeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed, naming the registry URI and key
     */
    public RegistryException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what failed, naming the registry URI and key
     * @param cause the underlying failure
     */
    public RegistryException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
