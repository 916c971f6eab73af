package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when a payload registry (file, S3, GCS, ...) fails: a missing object, a hash mismatch, a refused request,
 * a throttled or unreachable service. The message names the registry URI and the key; credentials are never part
 * of it.
 *
 * <p>A registry failure can be permanent or transient, so this type sits directly under {@link DatalakeException}
 * (every {@code catch (RegistryException e)} keeps catching both) and carries its verdict per instance in
 * {@link #isTransient()}:
 * <ul>
 *   <li>permanent (the default): a missing object, a hash or size mismatch, a damaged object, access denied, a
 *       registry that is not allowed ({@link RegistryNotAllowedException});</li>
 *   <li>transient (built with {@link #RegistryException(String, boolean, Throwable)} and {@code true}): throttling
 *       (S3 {@code 503 SlowDown}, HTTP 429, GCS 429 and 5xx), a connection that failed or was reset, an I/O
 *       timeout.</li>
 * </ul>
 * A {@code RegistryException} built around another {@link DatalakeException} keeps that cause's verdict, so adding
 * context (naming the datum, say) never turns a throttled registry into a permanent failure. Retry filters should
 * test {@link #isTransient()} (on any {@link DatalakeException}), not {@code instanceof DatalakeTransientException},
 * which does not cover registry failures.
 */
public class RegistryException extends DatalakeException {
    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    /**
     * Creates a permanent registry failure.
     *
     * @param message what failed, naming the registry URI and key
     */
    public RegistryException(String message) {
        this(message, false, null);
    }

    /**
     * Creates a registry failure with a cause; it is transient exactly when the cause is a transient
     * {@link DatalakeException} (for example a backend's throttling failure given more context).
     *
     * @param message what failed, naming the registry URI and key
     * @param cause the underlying failure
     */
    public RegistryException(String message, @Nullable Throwable cause) {
        this(message, cause instanceof DatalakeException d && d.isTransient(), cause);
    }

    /**
     * Creates a registry failure whose transience the caller decided, as a backend does from the service's answer.
     *
     * @param message what failed, naming the registry URI and key
     * @param transientFailure true when a retry may succeed (throttled, unreachable, timed out), false when it
     *     cannot (missing, damaged, refused)
     * @param cause the underlying failure
     */
    public RegistryException(String message, boolean transientFailure, @Nullable Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /**
     * Tells whether retrying the same call may succeed: true for a throttled, unreachable or timed-out registry,
     * false for a missing, damaged or refused object.
     *
     * @return whether a retry may succeed
     */
    @Override
    public boolean isTransient() {
        return transientFailure;
    }
}
