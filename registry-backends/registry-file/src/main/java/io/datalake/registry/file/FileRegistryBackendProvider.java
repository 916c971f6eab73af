package io.datalake.registry.file;

import io.datalake.InvalidArgumentException;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryBackendProvider;
import io.datalake.registry.RegistryUris;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Opens {@code file:} registries; found through {@link java.util.ServiceLoader}. */
public final class FileRegistryBackendProvider implements RegistryBackendProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public FileRegistryBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public String canonicalUri(URI uri) {
        return FileRegistryBackend.canonicalUri(root(uri));
    }

    @Override
    public RegistryBackend open(URI uri, Map<String, String> properties) {
        return FileRegistryBackend.open(root(uri));
    }

    private static Path root(URI uri) {
        if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()
                && !"localhost".equalsIgnoreCase(uri.getHost())) {
            throw new InvalidArgumentException("file registry URI " + RegistryUris.redact(uri.toString()) + " names a remote host; use file:///abs/path");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidArgumentException("file registry URI " + RegistryUris.redact(uri.toString()) + " must not have a query or fragment");
        }
        String path = uri.getPath();
        if (path == null || !path.startsWith("/")) {
            throw new InvalidArgumentException("file registry URI " + RegistryUris.redact(uri.toString()) + " must name an absolute path");
        }
        return Path.of(path);
    }
}
