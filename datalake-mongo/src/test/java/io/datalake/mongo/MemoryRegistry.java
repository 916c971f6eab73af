package io.datalake.mongo;

import io.datalake.registry.BlobSource;
import io.datalake.registry.RegistryBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A registry in memory that counts uploads, for tests that must see whether a payload was written. */
class MemoryRegistry implements RegistryBackend {
    static final String URI = "mem://schemas-test";

    final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    final AtomicInteger puts = new AtomicInteger();

    @Override
    public String uri() {
        return URI;
    }

    @Override
    public Mono<Boolean> exists(String key) {
        return Mono.fromSupplier(() -> objects.containsKey(key));
    }

    @Override
    public Mono<Void> put(String key, BlobSource source) {
        return Mono.fromRunnable(() -> {
            puts.incrementAndGet();
            try (InputStream in = source.openStream()) {
                objects.put(key, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Flux<ByteBuffer> get(String key) {
        return Mono.justOrEmpty(objects.get(key)).map(ByteBuffer::wrap).flux();
    }

    @Override
    public Mono<Void> delete(String key) {
        return Mono.fromRunnable(() -> objects.remove(key));
    }

    @Override
    public Flux<String> list(String prefix) {
        return Flux.fromIterable(objects.keySet()).filter(k -> k.startsWith(prefix)).sort();
    }

    @Override
    public void close() {
    }
}
