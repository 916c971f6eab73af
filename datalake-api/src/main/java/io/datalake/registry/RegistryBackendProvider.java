package io.datalake.registry;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Service provider of a registry backend, found through {@link java.util.ServiceLoader}: an artifact that adds a
 * scheme lists its implementation in {@code META-INF/services/io.datalake.registry.RegistryBackendProvider}.
 * Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface RegistryBackendProvider {

    /**
     * Returns the URI schemes this provider opens, lower case.
     *
     * @return the schemes, e.g. {@code s3}
     */
    Set<String> schemes();

    /**
     * Returns the canonical form of a registry URI: the form stored on datums and used to share handles, so two
     * URIs naming the same registry must give the same string. It must not contain credentials, because it is
     * stored in MongoDB and printed in messages.
     *
     * @param uri a URI with one of {@link #schemes()}
     * @return the canonical URI
     * @throws InvalidArgumentException if the URI does not name a registry of this kind
     */
    String canonicalUri(URI uri);

    /**
     * Opens a handle on a registry.
     *
     * @param uri the registry URI as the user gave it (its query string may carry settings and credentials)
     * @param properties backend settings from {@link io.datalake.RegistrySettings#properties()}, overridden by
     *     the URI's query parameters
     * @return the open handle, whose {@link RegistryBackend#uri()} is {@link #canonicalUri(URI)}
     * @throws InvalidArgumentException if the URI or a setting is invalid
     * @throws RegistryException if the client cannot be created
     */
    RegistryBackend open(URI uri, Map<String, String> properties);
}
