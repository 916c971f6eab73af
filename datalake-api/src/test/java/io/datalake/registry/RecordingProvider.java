package io.datalake.registry;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Test provider of the {@code rec:} scheme: records every registry it opens, with the URI and properties it was
 * opened from. Its canonical URI drops the query, like a backend whose connection settings are not stored.
 */
public final class RecordingProvider implements RegistryBackendProvider {
    /** One open: the URI and the properties the handle was created with. */
    record Opened(String uri, Map<String, String> properties) {
    }

    static final List<Opened> OPENED = new CopyOnWriteArrayList<>();

    /** Used by {@link java.util.ServiceLoader}. */
    public RecordingProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("rec");
    }

    @Override
    public String canonicalUri(URI uri) {
        return "rec://" + uri.getHost() + uri.getPath();
    }

    @Override
    public RegistryBackend open(URI uri, Map<String, String> properties) {
        OPENED.add(new Opened(uri.toString(), Map.copyOf(properties)));
        String canonical = canonicalUri(uri);
        return new RegistryBackend() {
            @Override
            public String uri() {
                return canonical;
            }

            @Override
            public Mono<Boolean> exists(String key) {
                return Mono.just(false);
            }

            @Override
            public Mono<Void> put(String key, BlobSource source) {
                return Mono.empty();
            }

            @Override
            public Flux<ByteBuffer> get(String key) {
                return Flux.empty();
            }

            @Override
            public Mono<Void> delete(String key) {
                return Mono.empty();
            }

            @Override
            public Flux<String> list(String prefix) {
                return Flux.empty();
            }

            @Override
            public void close() {
            }

            @Override
            public String toString() {
                return RegistryUris.redact(canonical);
            }
        };
    }
}
