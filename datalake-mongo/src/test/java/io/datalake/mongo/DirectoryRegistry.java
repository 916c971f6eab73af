package io.datalake.mongo;

import io.datalake.registry.BlobSource;
import io.datalake.registry.BlobStat;
import io.datalake.registry.RegistryBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A registry of plain files under a directory (one file a key), so tests can damage objects the way it happens to a
 * file registry: delete, truncate or change the file. It counts metadata lookups and reads. (The real file registry
 * depends on this module's test jar, so this module's tests cannot use it.)
 */
final class DirectoryRegistry implements RegistryBackend {
    final Path root;
    final String uri;
    final AtomicInteger stats = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    /** What {@link #stat} answers instead of the file's size when it returns non-null ({@link #MISSING}: none). */
    volatile Function<String, BlobStat> statOverride = key -> null;
    /** The {@link #statOverride} answer for "no such object". */
    static final BlobStat MISSING = new BlobStat(RegistryBackend.UNKNOWN_SIZE, null, null);

    DirectoryRegistry(Path root) {
        this.root = root;
        this.uri = "dir://" + root.toAbsolutePath();
    }

    Path file(String key) {
        return root.resolve(key);
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public Mono<Boolean> exists(String key) {
        return Mono.fromSupplier(() -> Files.isRegularFile(file(key)));
    }

    @Override
    public Mono<BlobStat> stat(String key) {
        return Mono.fromCallable(() -> {
            stats.incrementAndGet();
            BlobStat override = statOverride.apply(key);
            if (override != null) {
                return override == MISSING ? null : override;
            }
            try {
                return BlobStat.ofSize(Files.size(file(key)));
            } catch (NoSuchFileException e) {
                return null;
            }
        });
    }

    @Override
    public Mono<Void> put(String key, BlobSource source) {
        return Mono.fromRunnable(() -> {
            try (InputStream in = source.openStream()) {
                Path target = file(key);
                Files.createDirectories(target.getParent());
                Path temp = Files.createTempFile(target.getParent(), "put", ".tmp");
                Files.write(temp, in.readAllBytes());
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Flux<ByteBuffer> get(String key) {
        return Mono.fromCallable(() -> {
            reads.incrementAndGet();
            return ByteBuffer.wrap(Files.readAllBytes(file(key)));
        }).flux();
    }

    @Override
    public Mono<Void> delete(String key) {
        return Mono.fromRunnable(() -> {
            try {
                Files.deleteIfExists(file(key));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Flux<String> list(String prefix) {
        return Flux.defer(() -> {
            if (!Files.isDirectory(root)) {
                return Flux.empty();
            }
            try (Stream<Path> files = Files.walk(root)) {
                List<String> keys = files.filter(Files::isRegularFile)
                        .map(p -> root.relativize(p).toString().replace('\\', '/'))
                        .filter(k -> k.startsWith(prefix)).sorted().toList();
                return Flux.fromIterable(keys);
            } catch (IOException e) {
                return Flux.error(new UncheckedIOException(e));
            }
        });
    }

    @Override
    public void close() {
    }
}
