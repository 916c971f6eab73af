package io.datalake.registry;

import io.datalake.DatalakeException;
import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import io.datalake.RegistryNotAllowedException;
import io.datalake.RegistrySettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Resolves registry URIs to backend handles. Providers are found with {@link ServiceLoader} by URI scheme; a handle
 * is opened once per canonical URI and shared (so {@code file:///data} and {@code /data} use one handle), and
 * {@link #close()} closes every handle. Thread-safe.
 *
 * <p>Holds the allow-list: the canonical URIs of the registries the lake was configured with (default registry,
 * ready-made backends, {@link RegistrySettings#allowedRegistries()}) and of those a caller wrote to in code, each
 * with the URI it is opened from. A URI read from a stored document ({@link #resolveStored}) only selects an entry
 * of that list; the handle is always opened from the configured URI, never from the stored string.
 *
 * <p>Supported API: this is how the lake discovers backends, so tools and tests that need a handle for a URI the
 * way the lake opens it (for example a backend's conformance test resolving its own scheme) use this class.
 */
public final class Registries implements AutoCloseable {
    private final RegistrySettings settings;
    private final Map<String, RegistryBackendProvider> providers;
    private final ConcurrentHashMap<String, RegistryBackend> handles = new ConcurrentHashMap<>();
    /** Canonical URI of each allowed registry, mapped to the trusted URI (settings or code) it is opened from. */
    private final ConcurrentHashMap<String, String> allowed = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Creates a resolver with the providers on the classpath, the settings' ready-made handles and allow-list.
     *
     * @param settings the registry settings
     * @throws InvalidArgumentException if two ready-made handles have the same URI, or if the default registry
     *     or an allowed registry is malformed or has no backend on the classpath
     */
    public Registries(RegistrySettings settings) {
        this.settings = settings;
        this.providers = loadProviders();
        for (RegistryBackend backend : settings.backends()) {
            if (handles.putIfAbsent(backend.uri(), backend) != null) {
                throw new InvalidArgumentException("two registry backends were given for " + backend.uri());
            }
            allowed.put(backend.uri(), backend.uri());
        }
        if (settings.defaultRegistry() != null) {
            allow(settings.defaultRegistry(), "RegistrySettings.defaultRegistry");
        }
        for (String uri : settings.allowedRegistries()) {
            allow(uri, "RegistrySettings.allow");
        }
    }

    private void allow(String uri, String setting) {
        String canonical;
        try {
            canonical = canonicalUri(uri);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(setting + ": " + e.getMessage(), e);
        }
        allowed.putIfAbsent(canonical, uri);
    }

    private static Map<String, RegistryBackendProvider> loadProviders() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Map<String, RegistryBackendProvider> found = new TreeMap<>();
        for (RegistryBackendProvider provider : ServiceLoader.load(RegistryBackendProvider.class,
                loader != null ? loader : Registries.class.getClassLoader())) {
            for (String scheme : provider.schemes()) {
                // The first provider of a scheme wins, like the class path's own lookup order.
                found.putIfAbsent(scheme, provider);
            }
        }
        return found;
    }

    /**
     * Returns the schemes that can be opened: those of the providers on the classpath.
     *
     * @return the schemes, sorted
     */
    public Set<String> availableSchemes() {
        return new TreeSet<>(providers.keySet());
    }

    /**
     * Returns the canonical form of a registry URI without opening it: what is stored on a datum.
     *
     * @param uri a registry URI or an absolute file path
     * @return the canonical URI, without credentials
     * @throws InvalidArgumentException if the URI is malformed or its scheme has no provider
     */
    public String canonicalUri(String uri) {
        URI parsed = parse(uri);
        if (handles.containsKey(uri)) {
            return uri;
        }
        return provider(parsed).canonicalUri(parsed);
    }

    /**
     * Returns the handle of a registry a caller named in code (a write's registry URI, the default registry),
     * opening it on first use. Such a URI is trusted like the settings: its registry joins the allow-list, so this
     * lake can read back what it wrote there. If the registry is already allowed, the handle is opened from the
     * URI it was first configured with.
     *
     * @param uri a registry URI ({@code file:///data}, {@code s3://bucket/prefix}, ...) or an absolute file path
     * @return the shared handle
     * @throws InvalidArgumentException if the URI is malformed or its scheme has no provider
     * @throws RegistryException if the backend cannot be opened
     * @throws DatalakeException if this resolver is closed
     */
    public RegistryBackend resolve(String uri) {
        requireOpen(uri);
        RegistryBackend ready = handles.get(uri);
        if (ready != null) {
            return ready;
        }
        String canonical = canonicalUri(uri);
        allowed.putIfAbsent(canonical, uri);
        return handle(canonical);
    }

    /**
     * Returns the handle of a registry named by a stored datum. A stored document is untrusted: only a registry of
     * the allow-list is opened, and always from its configured URI, so neither a path, an endpoint nor credentials
     * can come from the stored string. Nothing is opened, created or contacted for any other registry.
     *
     * @param uri the {@code registry_uri} of a stored datum
     * @return the shared handle
     * @throws RegistryNotAllowedException if the URI is not one of the allowed registries (or is malformed)
     * @throws RegistryException if the backend cannot be opened
     * @throws DatalakeException if this resolver is closed
     */
    public RegistryBackend resolveStored(String uri) {
        requireOpen(uri);
        RegistryBackend ready = handles.get(uri);
        if (ready != null) {
            return ready;
        }
        @Nullable String canonical;
        try {
            URI parsed = parse(uri);
            RegistryBackendProvider provider = providers.get(RegistryUris.scheme(parsed));
            canonical = provider == null ? null : provider.canonicalUri(parsed);
        } catch (DatalakeException e) {
            canonical = null;
        }
        if (canonical == null || !allowed.containsKey(canonical)) {
            String shown = RegistryUris.redact(String.valueOf(uri));
            throw new RegistryNotAllowedException("the stored registry " + shown + " is not one of this lake's"
                    + " registries " + new TreeSet<>(allowed.keySet()) + "; stored datums cannot choose where"
                    + " payloads are read from. If you trust it, allow it: RegistrySettings.builder().allow(\""
                    + shown + "\") (command line: --registry or DATALAKE_REGISTRY)", shown);
        }
        return handle(canonical);
    }

    private void requireOpen(String uri) {
        if (closed.get()) {
            throw new DatalakeException("registries are closed; cannot open " + RegistryUris.redact(uri));
        }
    }

    /** Opens (once) the handle of an allowed registry from the URI it was configured with. */
    private RegistryBackend handle(String canonical) {
        RegistryBackend ready = handles.get(canonical);
        if (ready != null) {
            return ready;
        }
        // Both callers put canonical in the allow-list (or checked it is there) first.
        URI parsed = parse(Objects.requireNonNull(allowed.get(canonical), canonical));
        RegistryBackendProvider provider = provider(parsed);
        RegistryBackend handle = handles.computeIfAbsent(canonical, k -> open(provider, parsed));
        if (closed.get()) {
            // Lost a race with close(): do not leak a handle nobody will close.
            handles.remove(canonical, handle);
            handle.close();
            throw new DatalakeException("registries are closed; cannot open " + canonical);
        }
        return handle;
    }

    private RegistryBackend open(RegistryBackendProvider provider, URI uri) {
        String scheme = RegistryUris.scheme(uri);
        Map<String, String> properties = new HashMap<>();
        String prefix = scheme + ".";
        settings.properties().forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                properties.put(name.substring(prefix.length()), value);
            }
        });
        properties.putAll(RegistryUris.queryParameters(uri));
        try {
            return provider.open(uri, properties);
        } catch (DatalakeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RegistryException("cannot open registry " + RegistryUris.redact(uri.toString()) + ": " + e, e);
        }
    }

    private RegistryBackendProvider provider(URI uri) {
        String scheme = RegistryUris.scheme(uri);
        RegistryBackendProvider provider = providers.get(scheme);
        if (provider == null) {
            throw new InvalidArgumentException("no registry backend for scheme '" + scheme + "' of "
                    + RegistryUris.redact(uri.toString()) + "; schemes on the classpath: " + availableSchemes()
                    + " (add the backend's artifact, e.g. io.datalake:registry-" + scheme + ")");
        }
        return provider;
    }

    /** Parses a URI, turning an absolute path into a {@code file:} URI. */
    static URI parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new InvalidArgumentException("registry URI must not be blank");
        }
        if (uri.startsWith("/")) {
            try {
                return Path.of(uri).toAbsolutePath().normalize().toUri();
            } catch (InvalidPathException e) {
                throw new InvalidArgumentException("invalid registry path '" + uri + "': " + e.getMessage());
            }
        }
        try {
            URI parsed = new URI(uri);
            if (parsed.getScheme() == null) {
                throw new InvalidArgumentException("registry URI '" + RegistryUris.redact(uri)
                        + "' has no scheme; use file:///abs/path, an absolute path, s3://bucket/prefix or"
                        + " gs://bucket/prefix");
            }
            return parsed;
        } catch (URISyntaxException e) {
            throw new InvalidArgumentException("invalid registry URI '" + RegistryUris.redact(uri) + "': "
                    + e.getReason());
        }
    }

    /** Closes every handle; later {@link #resolve} calls fail. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<RuntimeException> failures = new ArrayList<>();
        for (RegistryBackend handle : handles.values()) {
            try {
                handle.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        handles.clear();
        if (!failures.isEmpty()) {
            RegistryException e = new RegistryException("closing " + failures.size() + " registry handles failed",
                    failures.get(0));
            failures.subList(1, failures.size()).forEach(e::addSuppressed);
            throw e;
        }
    }
}
