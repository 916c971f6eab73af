package io.datalake.cli;

import io.datalake.registry.BlobSource;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryBackendProvider;
import io.datalake.registry.file.FileRegistryBackend;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Test registry {@code recfile:///abs/path?anything}: a file registry that accepts (and ignores) query parameters
 * such as credentials, and records what an observer reports at each upload.
 */
public final class RecordingRegistryProvider implements RegistryBackendProvider {
    static volatile Supplier<String> observer = () -> "";
    static final List<String> seenAtPut = new CopyOnWriteArrayList<>();

    /** Used by {@link java.util.ServiceLoader}. */
    public RecordingRegistryProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("recfile");
    }

    @Override
    public String canonicalUri(URI uri) {
        return "recfile://" + uri.getPath();
    }

    @Override
    public RegistryBackend open(URI uri, Map<String, String> properties) {
        RegistryBackend files = FileRegistryBackend.open(Path.of(uri.getPath()));
        String canonical = canonicalUri(uri);
        return new RegistryBackend() {
            @Override
            public String uri() {
                return canonical;
            }

            @Override
            public Mono<Boolean> exists(String key) {
                return files.exists(key);
            }

            @Override
            public Mono<Void> put(String key, BlobSource source) {
                return Mono.fromRunnable(() -> seenAtPut.add(observer.get())).then(files.put(key, source));
            }

            @Override
            public Flux<ByteBuffer> get(String key) {
                return files.get(key);
            }

            @Override
            public Mono<Void> delete(String key) {
                return files.delete(key);
            }

            @Override
            public Flux<String> list(String prefix) {
                return files.list(prefix);
            }

            @Override
            public void close() {
                files.close();
            }
        };
    }
}
