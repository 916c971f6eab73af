package io.datalake.registry.file;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import io.datalake.registry.BlobChangedException;
import io.datalake.registry.BlobSource;
import io.datalake.registry.BlobInfo;
import io.datalake.registry.BlobStat;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A registry in a local directory; each key is a file under the root. Blocking file I/O runs on Reactor's
 * bounded-elastic scheduler. Writes go to a temporary file next to the target, are forced to disk, and are then
 * atomically renamed over the target (and the directory is forced), so readers see whole payloads only and a
 * crash leaves at most a temporary file, which {@link #list} ignores. The root directory is created by the first
 * write, never by a read. A key whose path goes through a symbolic link that leads outside the root is refused
 * with {@link RegistryException} naming the key and the link, on reads and writes alike. No checksum is kept, so
 * {@link #stat} reports the size only and content-addressed storage re-reads an existing object to verify it.
 *
 * <p>Failures are {@link RegistryException}s, transient ({@link RegistryException#isTransient()}) only when the
 * file system said a retry may succeed: an I/O timeout or a network failure (a root on a network file system), a
 * stale NFS handle, a resource temporarily unavailable. A missing file, a refused access, a conflicting file, a
 * link out of the root and a source that changed while it was stored are permanent.
 */
public final class FileRegistryBackend implements RegistryBackend {
    private static final int READ_CHUNK = 64 * 1024;
    /**
     * How the JDK reports the errors a retry may survive on Linux and macOS (the C library's {@code strerror}):
     * {@code ESTALE} (an NFS handle gone stale), {@code EAGAIN} (a resource temporarily unavailable) and
     * {@code ETIMEDOUT} (a network file system timed out).
     */
    static final Set<String> TRANSIENT_REASONS =
            Set.of("Stale file handle", "Stale NFS file handle", "Resource temporarily unavailable",
                    "Connection timed out", "Operation timed out");

    private final Path root;
    private final String uri;

    private FileRegistryBackend(Path root) {
        this.root = root;
        this.uri = canonicalUri(root);
    }

    /**
     * Opens a registry rooted at a directory. Nothing is created or read now: the directory is created by the first
     * write, so a read of a registry that does not exist has no side effect and finds no payload.
     *
     * @param root an absolute directory path
     * @return the handle
     * @throws InvalidArgumentException if the path is relative
     */
    public static FileRegistryBackend open(Path root) {
        if (root == null || !root.isAbsolute()) {
            throw new InvalidArgumentException("file registry root must be an absolute path, got " + root);
        }
        return new FileRegistryBackend(root.normalize());
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

    /** The key's path, checked for a valid key only: no I/O, so it may run on the caller's thread. */
    private Path path(String key) {
        RegistryKeys.validate(key);
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new InvalidArgumentException("registry key '" + key + "' escapes the registry root " + uri);
        }
        return path;
    }

    /**
     * The key's path, refused when a symbolic link on the way (a directory or the file itself) leads outside the
     * root: another user of the directory must not make a read return, or a write replace, a file elsewhere. Links
     * that stay inside the root, and a root that is itself a link, are allowed. Blocking: one metadata lookup per
     * existing path element.
     */
    private Path checkedPath(String key) {
        Path path = path(key);
        Path current = root;
        Path realRoot = null;
        for (Path part : root.relativize(path)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                if (realRoot == null) {
                    realRoot = realPath(root, key);
                }
                Path target;
                try {
                    target = current.toRealPath();
                } catch (IOException e) {
                    // A dangling link: where it would lead once its target exists.
                    target = linkTarget(current, key);
                }
                if (!target.startsWith(realRoot)) {
                    throw new RegistryException("key " + key + " in registry " + uri + " goes through the symbolic"
                            + " link " + current + " which leads outside the registry root (to " + target
                            + "); refused: a registry's objects must lie under its root");
                }
            } else if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                break;
            }
        }
        return path;
    }

    private Path realPath(Path path, String key) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw failure("resolve", key, e);
        }
    }

    private Path linkTarget(Path link, String key) {
        try {
            // A link found under the root has a parent: the root or a directory below it.
            Path parent = Objects.requireNonNull(link.getParent(), "parent of a link under the root");
            return parent.resolve(Files.readSymbolicLink(link)).normalize();
        } catch (IOException e) {
            throw failure("resolve", key, e);
        }
    }

    @Override
    public Mono<Boolean> exists(String key) {
        return Mono.fromCallable(() -> Files.isRegularFile(checkedPath(key))).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<Long> size(String key) {
        return stat(key).map(BlobStat::size);
    }

    /** {@inheritDoc} A file system keeps no checksum: only the size is reported. */
    @Override
    public Mono<BlobStat> stat(String key) {
        return Mono.fromCallable(() -> {
            Path file = checkedPath(key);
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return attributes.isRegularFile() ? BlobStat.ofSize(attributes.size()) : null;
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw failure("stat", key, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<Void> put(String key, BlobSource source) {
        return Mono.<Void>fromRunnable(() -> write(checkedPath(key), key, source))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private void write(Path target, String key, BlobSource source) {
        // A key's path lies strictly below the root, so it has a parent directory.
        Path dir = Objects.requireNonNull(target.getParent(), "parent of a key's path");
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
        Path path = checkedPath(key);
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw new RegistryException("no payload in registry " + uri + " under key " + key
                        + " (it is a directory)");
            }
            if (!attributes.isRegularFile()) {
                // A FIFO would block the read until someone writes to it, a device could stream for ever.
                throw new RegistryException("key " + key + " in registry " + uri + " is not a regular file (a pipe,"
                        + " device or socket); refused: a registry's objects are regular files");
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
            Path path = checkedPath(key);
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
            // Directory by directory rather than Files.walk, which fails the whole listing when an entry vanishes
            // under it (a temporary file renamed into place, an object deleted): such an entry is simply not listed.
            return Flux.fromIterable(entries(start))
                    .expand(path -> Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                            ? Flux.fromIterable(entries(path)) : Flux.empty())
                    .filter(Files::isRegularFile)
                    .map(this::keyOf)
                    .filter(key -> !key.endsWith(RegistryKeys.RESERVED_SUFFIX) && key.startsWith(prefix));
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** The entries of one directory; none when it vanished or is no directory any more. */
    private List<Path> entries(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw failure("list", dir.toString(), e);
        } catch (DirectoryIteratorException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return entries;
            }
            throw failure("list", dir.toString(), Objects.requireNonNull(e.getCause()));
        }
        return entries;
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

    /**
     * {@inheritDoc} The time is the file's modification time. One attribute read per entry, not following links:
     * an entry that is a symbolic link is not listed here, so nothing is ever collected through a link.
     */
    @Override
    public Flux<BlobInfo> listInfo(String prefix) {
        return Flux.defer(() -> {
            RegistryKeys.validatePrefix(prefix);
            int slash = prefix.lastIndexOf('/');
            Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
            if (!Files.isDirectory(start)) {
                return Flux.<BlobInfo>empty();
            }
            return Flux.fromIterable(entries(start))
                    .expand(path -> Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                            ? Flux.fromIterable(entries(path)) : Flux.empty())
                    .concatMapIterable(path -> {
                        BasicFileAttributes attributes;
                        try {
                            attributes = Files.readAttributes(path, BasicFileAttributes.class,
                                    LinkOption.NOFOLLOW_LINKS);
                        } catch (NoSuchFileException e) {
                            return List.<BlobInfo>of(); // deleted since its directory was read
                        } catch (IOException e) {
                            throw failure("list", path.toString(), e);
                        }
                        String key = keyOf(path);
                        if (!attributes.isRegularFile() || key.endsWith(RegistryKeys.RESERVED_SUFFIX)
                                || !key.startsWith(prefix)) {
                            return List.<BlobInfo>of();
                        }
                        return List.of(new BlobInfo(key, attributes.size(), attributes.lastModifiedTime().toInstant()));
                    });
        }).subscribeOn(Schedulers.boundedElastic());
    }


    private RegistryException failure(String operation, String key, IOException e) {
        String what = e instanceof FileAlreadyExistsException ? "a conflicting file exists: " + e.getMessage() : e.toString();
        return new RegistryException(operation + " of key " + key + " in registry " + uri + " failed: " + what,
                isTransient(e), e);
    }

    /**
     * Whether a retry may get past an I/O failure: an I/O timeout ({@link InterruptedIOException}), a network
     * failure ({@link SocketException}), or a file-system error the operating system reports as temporary
     * ({@link #TRANSIENT_REASONS}). A source that changed while it was stored ({@link BlobChangedException}) is an
     * {@link IOException} too, and permanent.
     */
    static boolean isTransient(IOException error) {
        if (anyCause(error, t -> t instanceof BlobChangedException)) {
            return false;
        }
        return anyCause(error, t -> t instanceof InterruptedIOException || t instanceof SocketException
                || t instanceof FileSystemException fs && fs.getReason() != null
                        && TRANSIENT_REASONS.contains(fs.getReason()));
    }

    private static boolean anyCause(Throwable error, Predicate<Throwable> test) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
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
