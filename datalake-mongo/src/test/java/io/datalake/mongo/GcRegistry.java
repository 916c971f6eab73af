package io.datalake.mongo;

import io.datalake.registry.BlobInfo;
import io.datalake.registry.BlobSource;
import io.datalake.registry.RegistryBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A registry in memory whose listing reports each object's write time (settable, to age objects) and whose reads
 * can run a hook (to play a garbage collection in the middle of a writer's deduplication). Public for the
 * garbage-collection tests of the backend modules.
 */
public final class GcRegistry implements RegistryBackend {
    private final String uri;
    /** Objects by key. */
    public final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    /** Write time by key; tests move it back to age an object. */
    public final Map<String, Instant> times = new ConcurrentHashMap<>();
    /** Runs with the key before each read's bytes are returned; null for none. */
    public volatile Consumer<String> onGet;
    /** Whether the listing reports times. */
    public volatile boolean reportTimes = true;
    /** Keys deleted through {@link #delete}. */
    public final Map<String, Boolean> deleted = new ConcurrentHashMap<>();

    /**
     * Creates an empty registry.
     *
     * @param uri its URI, e.g. {@code mem://gc-1}
     */
    public GcRegistry(String uri) {
        this.uri = uri;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public Mono<Boolean> exists(String key) {
        return Mono.fromSupplier(() -> objects.containsKey(key));
    }

    @Override
    public Mono<Void> put(String key, BlobSource source) {
        return Mono.fromRunnable(() -> {
            try (InputStream in = source.openStream()) {
                objects.put(key, in.readAllBytes());
                times.put(key, Instant.now());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Flux<ByteBuffer> get(String key) {
        return Mono.fromCallable(() -> {
            Consumer<String> hook = onGet;
            byte[] bytes = objects.get(key);
            if (hook != null) {
                hook.accept(key);
            }
            return bytes;
        }).map(ByteBuffer::wrap).flux();
    }

    @Override
    public Mono<Void> delete(String key) {
        return Mono.fromRunnable(() -> {
            objects.remove(key);
            times.remove(key);
            deleted.put(key, true);
        });
    }

    @Override
    public Flux<String> list(String prefix) {
        return Flux.fromIterable(objects.keySet()).filter(k -> k.startsWith(prefix)).sort();
    }

    @Override
    public Flux<BlobInfo> listInfo(String prefix) {
        return list(prefix).map(k -> new BlobInfo(k, objects.getOrDefault(k, new byte[0]).length,
                reportTimes ? times.get(k) : null));
    }

    /**
     * Makes every object look written an hour ago.
     */
    public void ageAll() {
        times.replaceAll((k, t) -> Instant.now().minusSeconds(3600));
    }

    @Override
    public void close() {
    }
}
