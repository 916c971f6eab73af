package io.datalake;

/**
 * Thrown, before any I/O, when a stored datum names a payload registry that is not in the lake's allow-list
 * ({@link RegistrySettings#allowedRegistries()}). Stored documents are untrusted input: another client may write a
 * {@code registry_uri} naming any directory, bucket or endpoint, so a read only opens registries this lake was
 * configured with. The message names the registry (secrets redacted) and the setting that allows it.
 *
 * <p>Permanent ({@link #isTransient()} is false): a retry is refused the same way until the setting changes.
 */
public class RegistryNotAllowedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    private final String registryUri;

    /**
     * Creates the exception.
     *
     * @param message what was refused and how to allow it
     * @param registryUri the refused registry URI, secrets redacted
     */
    public RegistryNotAllowedException(String message, String registryUri) {
        super(message);
        this.registryUri = registryUri;
    }

    /**
     * Returns the registry the stored datum named.
     *
     * @return the URI with secrets redacted
     */
    public String registryUri() {
        return registryUri;
    }
}
