package io.datalake.registry.file;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import io.datalake.registry.BlobSource;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A registry in a local directory; each key is a file under the root. Blocking file I/O runs on Reactor's
 * bounded-elastic scheduler. Writes go to a temporary file next to the target, are forced to disk, and are then
 * atomically renamed over the target (and the directory is forced), so readers see whole payloads only and a
 * crash leaves at most a temporary file, which {@link #list} ignores.
 */
public final class FileRegistryBackend implements RegistryBackend {
    private static final int READ_CHUNK = 64 * 1024;

    private final Path root;
    private final String uri;

    private FileRegistryBackend(Path root) {
        this.root = root;
        this.uri = canonicalUri(root);
    }

    /**
     * Opens a registry rooted at a directory, creating the directory if needed.
     *
     * @param root an absolute directory path
     * @return the handle
     * @throws InvalidArgumentException if the path is relative
     * @throws RegistryException if the directory cannot be created
     */
    public static FileRegistryBackend open(Path root) {
        if (root == null || !root.isAbsolute()) {
            throw new InvalidArgumentException("file registry root must be an absolute path, got " + root);
        }
        Path normalized = root.normalize();
        try {
            Files.createDirectories(normalized);
        } catch (IOException e) {
            throw new RegistryException("cannot create file registry directory " + normalized + ": " + e, e);
        }
        return new FileRegistryBackend(normalized);
    }

    static String canonicalUri(Path root) {
        String uri = root.toAbsolutePath().normalize().toUri().toString();
        // toUri() appends '/' for existing directories only; strip it so the URI does not depend on the disk.
        return uri.endsWith("/") && !uri.equals("file:///") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /**
     * Returns the root directory.
     *
     * @return the absolute, normalized root
     */
    public Path root() {
        return root;
    }

    @Override
    public String uri() {
        return uri;
    }

    private Path path(String key) {
        RegistryKeys.validate(key);
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new InvalidArgumentException("registry key '" + key + "' escapes the registry root " + uri);
        }
        return path;
    }

    @Override
    public Mono<Boolean> exists(String key) {
        return Mono.fromCallable(() -> Files.isRegularFile(path(key))).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<Long> size(String key) {
        return Mono.fromCallable(() -> {
            Path file = path(key);
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return attributes.isRegularFile() ? attributes.size() : null;
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw failure("size", key, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<Void> put(String key, BlobSource source) {
        return Mono.<Void>fromRunnable(() -> write(path(key), key, source)).subscribeOn(Schedulers.boundedElastic());
    }

    private void write(Path target, String key, BlobSource source) {
        Path dir = target.getParent();
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + RegistryKeys.RESERVED_SUFFIX);
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    InputStream in = source.openStream()) {
                OutputStream out = Channels.newOutputStream(channel);
                in.transferTo(out);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(dir);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw failure("write", key, e);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /** Makes the rename itself durable; some platforms cannot open a directory, and then the rename must do. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not supported here (e.g. Windows): the file's own data was forced before the rename.
        }
    }

    @Override
    public Flux<ByteBuffer> get(String key) {
        return Flux.using(
                        () -> open(key),
                        channel -> Flux.<ByteBuffer>generate(sink -> {
                            try {
                                ByteBuffer buffer = ByteBuffer.allocate(READ_CHUNK);
                                if (channel.read(buffer) < 0) {
                                    sink.complete();
                                } else {
                                    sink.next(buffer.flip());
                                }
                            } catch (IOException e) {
                                sink.error(failure("read", key, e));
                            }
                        }),
                        FileRegistryBackend::closeQuietly)
                .subscribeOn(Schedulers.boundedElastic());
    }

    private FileChannel open(String key) {
        Path path = path(key);
        try {
            if (Files.isDirectory(path)) {
                throw new RegistryException("no payload in registry " + uri + " under key " + key
                        + " (it is a directory)");
            }
            return FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new RegistryException("no payload in registry " + uri + " under key " + key, e);
        } catch (IOException e) {
            throw failure("open", key, e);
        }
    }

    @Override
    public Mono<Void> delete(String key) {
        return Mono.<Void>fromRunnable(() -> {
            Path path = path(key);
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw failure("delete", key, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Flux<String> list(String prefix) {
        return Flux.defer(() -> {
            RegistryKeys.validatePrefix(prefix);
            int slash = prefix.lastIndexOf('/');
            Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
            if (!Files.isDirectory(start)) {
                return Flux.empty();
            }
            return Flux.using(() -> walk(start),
                    files -> Flux.fromStream(files
                            .filter(Files::isRegularFile)
                            .map(this::keyOf)
                            .filter(key -> !key.endsWith(RegistryKeys.RESERVED_SUFFIX) && key.startsWith(prefix))),
                    Stream::close);
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private Stream<Path> walk(Path start) {
        try {
            return Files.walk(start);
        } catch (IOException e) {
            throw failure("list", start.toString(), e);
        }
    }

    private String keyOf(Path file) {
        StringBuilder key = new StringBuilder();
        for (Path part : root.relativize(file)) {
            if (key.length() > 0) {
                key.append('/');
            }
            key.append(part);
        }
        return key.toString();
    }

    private RegistryException failure(String operation, String key, IOException e) {
        String what = e instanceof FileAlreadyExistsException ? "a conflicting file exists: " + e.getMessage() : e.toString();
        return new RegistryException(operation + " of key " + key + " in registry " + uri + " failed: " + what, e);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // The temporary file is invisible to readers and list(); the write's own error is the one to report.
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // A read-only channel has nothing left to flush.
        }
    }

    /** Nothing to release: every operation opens and closes its own files. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "FileRegistryBackend{" + uri + "}";
    }
}
