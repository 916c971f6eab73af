package io.datalake.registry.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.StorageOptions;
import io.datalake.InvalidArgumentException;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryBackendProvider;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens {@code gs://bucket/prefix} registries with a client from Application Default Credentials; found through
 * {@link java.util.ServiceLoader}. Properties ({@code gs.<name>} in {@link io.datalake.RegistrySettings}):
 * {@value #PROJECT_ID}, {@value #HOST} (an emulator or private endpoint; used without credentials), and
 * {@value #MAX_ATTEMPTS} (attempts per request including retries of transient failures). To use a client
 * configured otherwise, pass {@link GcsRegistryBackend#create} to
 * {@link io.datalake.RegistrySettings.Builder#backend}. The URI handed to {@link #open} is always one the user
 * configured or passed in code, never one read from a stored datum, so the host comes from the user's settings only.
 */
public final class GcsRegistryBackendProvider implements RegistryBackendProvider {
    /** Property: the project id. */
    public static final String PROJECT_ID = "projectId";
    /** Property: the endpoint host, e.g. an emulator's {@code http://127.0.0.1:4443}. */
    public static final String HOST = "host";
    /** Property: attempts per request. */
    public static final String MAX_ATTEMPTS = "maxAttempts";

    private static final Set<String> KNOWN = Set.of(PROJECT_ID, HOST, MAX_ATTEMPTS);

    /** Used by {@link java.util.ServiceLoader}. */
    public GcsRegistryBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("gs");
    }

    @Override
    public String canonicalUri(URI uri) {
        return GcsRegistryBackend.canonicalUri(uri);
    }

    @Override
    public RegistryBackend open(URI uri, Map<String, String> properties) {
        String canonical = GcsRegistryBackend.canonicalUri(uri);
        Set<String> unknown = new TreeSet<>(properties.keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            throw new InvalidArgumentException("unknown GCS registry settings " + unknown + " for " + canonical
                    + "; known: " + new TreeSet<>(KNOWN));
        }
        StorageOptions.Builder options = StorageOptions.newBuilder();
        if (properties.containsKey(PROJECT_ID)) {
            options.setProjectId(properties.get(PROJECT_ID));
        }
        if (properties.containsKey(HOST)) {
            options.setHost(properties.get(HOST)).setCredentials(NoCredentials.getInstance());
        }
        if (properties.containsKey(MAX_ATTEMPTS)) {
            int attempts;
            try {
                attempts = Integer.parseInt(properties.get(MAX_ATTEMPTS).trim());
            } catch (NumberFormatException e) {
                attempts = 0;
            }
            if (attempts < 1) {
                throw new InvalidArgumentException("GCS registry setting maxAttempts must be a positive integer, got '"
                        + properties.get(MAX_ATTEMPTS) + "'");
            }
            RetrySettings defaults = StorageOptions.getDefaultRetrySettings();
            options.setRetrySettings(defaults.toBuilder().setMaxAttempts(attempts).build());
        }
        return new GcsRegistryBackend(options.build().getService(), true, uri);
    }
}
