package io.datalake;

import org.jspecify.annotations.Nullable;

/**
 * Root of every exception datalake throws. Unchecked, like the MongoDB driver's own exceptions; subtypes say what
 * kind of failure it was, and the message names the offending value.
 *
 * <p>Failures come in two branches, after r2dbc-spi's {@code R2dbcTransientException} and
 * {@code R2dbcNonTransientException}:
 * <ul>
 *   <li>{@link DatalakeTransientException}: the same call may succeed if retried (connection lost, no primary,
 *       write conflict, throttling, {@link DatalakeTimeoutException});</li>
 *   <li>{@link DatalakeNonTransientException}: retrying the same call fails the same way until something changes
 *       (a bad argument or query, a missing or malformed datum, a duplicate id, refused credentials).</li>
 * </ul>
 * {@link RegistryException} sits directly under this root, because a registry failure can be either (a damaged
 * object is permanent, a throttled or unreachable registry is not) and {@code catch (RegistryException e)} must keep
 * catching both; its {@link #isTransient()} says which one an instance is. A plain {@code DatalakeException} (not
 * of a branch) is a failure nobody classified, such as a closed lake, and is not transient.
 *
 * <p>{@link #isTransient()} is the one test a retry filter needs: it agrees with the branch of every exception and
 * answers for registry failures too.
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

    /**
     * Tells whether retrying the same call may succeed. True for every {@link DatalakeTransientException} and for
     * a {@link RegistryException} of a throttled, unreachable or timed-out registry; false otherwise.
     *
     * @return whether a retry may succeed
     */
    public boolean isTransient() {
        return false;
    }
}
