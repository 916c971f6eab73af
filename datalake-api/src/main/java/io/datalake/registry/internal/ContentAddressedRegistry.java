package io.datalake.registry.internal;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import io.datalake.registry.BlobSource;
import io.datalake.registry.RegistryBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Content-addressed storage over a {@link RegistryBackend}: a payload is stored under a key derived from the
 * SHA-256 of its bytes, sharded as {@code ab/cd/<hash>} so no directory or listing grows without bound. Identical
 * payloads are therefore stored once, and an upload is skipped when an object of the same size already exists
 * (a truncated or foreign object under the key is replaced). Every read verifies
 * the hash and the size, and signals {@link RegistryException} instead of returning corrupt bytes.
 *
 * <p>Streams of unknown length are first spooled to a temporary file while they are hashed (the key must be known
 * before the upload starts), so payloads of any size are stored without holding them in memory.
 */
public final class ContentAddressedRegistry {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final int COPY_BUFFER = 64 * 1024;
    /** Largest payload {@link #getBytes} can return: the largest Java array. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final RegistryBackend backend;
    private final @Nullable Path spoolDirectory;

    /**
     * Wraps a backend, spooling streams to the system's temporary directory.
     *
     * @param backend the backend that holds the objects
     */
    public ContentAddressedRegistry(RegistryBackend backend) {
        this(backend, null);
    }

    /**
     * Wraps a backend.
     *
     * @param backend the backend that holds the objects
     * @param spoolDirectory where streams are spooled before upload, or null for the system's temporary directory
     */
    public ContentAddressedRegistry(RegistryBackend backend, @Nullable Path spoolDirectory) {
        this.backend = backend;
        this.spoolDirectory = spoolDirectory;
    }

    /**
     * Returns the backend.
     *
     * @return the wrapped backend
     */
    public RegistryBackend backend() {
        return backend;
    }

    /**
     * Returns the key of the payload with a given hash.
     *
     * @param sha256 64 lower-case hex digits
     * @return {@code ab/cd/<sha256>}
     * @throws InvalidArgumentException if {@code sha256} is not a SHA-256 in lower-case hex
     */
    public static String keyFor(String sha256) {
        if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
            throw new InvalidArgumentException("not a lower-case hex SHA-256: '" + sha256 + "'");
        }
        return sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256;
    }

    /**
     * Returns the hash a content-addressed key was derived from.
     *
     * @param key a key
     * @return the SHA-256 in hex, or null when the key is not of the form {@code ab/cd/<sha256>}
     */
    public static @Nullable String hashOfKey(String key) {
        int slash = key.lastIndexOf('/');
        String last = key.substring(slash + 1);
        return SHA256_HEX.matcher(last).matches() && key.equals(keyFor(last)) ? last : null;
    }

    /**
     * Stores bytes under their hash, skipping the upload when an object of the same size already exists.
     *
     * @param source the bytes
     * @return where they were stored
     */
    public Mono<StoredBlob> put(BlobSource source) {
        return Mono.fromCallable(() -> sha256(source))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(sha -> putHashed(source, sha));
    }

    /**
     * Stores a stream under its hash: reads it to the end into a temporary file while hashing, closes it, uploads
     * the file unless an identical object exists, and deletes the file.
     *
     * @param stream the bytes; read once and closed
     * @return where they were stored
     */
    public Mono<StoredBlob> put(InputStream stream) {
        return Mono.using(
                () -> spoolDirectory != null
                        ? Files.createTempFile(spoolDirectory, "datalake-spool-", ".bin")
                        : Files.createTempFile("datalake-spool-", ".bin"),
                spool -> Mono.fromCallable(() -> spool(stream, spool))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(sha -> putHashed(BlobSource.ofFile(spool), sha)),
                ContentAddressedRegistry::deleteQuietly);
    }

    private Mono<StoredBlob> putHashed(BlobSource source, String sha) {
        String key = keyFor(sha);
        // An existing object is reused only when its size matches: a truncated or foreign object under the key
        // is replaced, and an object of unknown size (or a store that will not say) is uploaded again.
        return backend.size(key)
                .filter(size -> size == source.size())
                .map(size -> new StoredBlob(backend.uri(), key, sha, source.size(), false))
                .switchIfEmpty(Mono.defer(() -> backend.put(key, source)
                        .thenReturn(new StoredBlob(backend.uri(), key, sha, source.size(), true))));
    }

    /**
     * Streams a payload and verifies it: the stream fails with {@link RegistryException} instead of completing
     * when the bytes do not hash to {@code sha256} or their count differs from {@code size}. A consumer that must
     * never act on corrupt bytes acts only once the stream completes (as {@link #getBytes} does).
     *
     * @param key the key
     * @param sha256 the expected SHA-256 in hex, or null to derive it from a content-addressed key (no check if
     *     the key is not one)
     * @param size the expected size, or a negative number when unknown
     * @return the bytes
     */
    public Flux<ByteBuffer> get(String key, @Nullable String sha256, long size) {
        String expected = sha256 != null ? sha256 : hashOfKey(key);
        return Flux.defer(() -> {
            MessageDigest digest = newDigest();
            long[] count = new long[1];
            return backend.get(key)
                    .map(buffer -> {
                        count[0] += buffer.remaining();
                        if (size >= 0 && count[0] > size) {
                            throw corrupt(key, "more than the expected " + size + " bytes");
                        }
                        digest.update(buffer.duplicate());
                        return buffer;
                    })
                    .concatWith(Mono.defer(() -> {
                        String actual = HexFormat.of().formatHex(digest.digest());
                        if (size >= 0 && count[0] != size) {
                            return Mono.error(corrupt(key, count[0] + " bytes instead of " + size));
                        }
                        if (expected != null && !expected.equals(actual)) {
                            return Mono.error(corrupt(key, "SHA-256 " + actual + " instead of " + expected));
                        }
                        return Mono.empty();
                    }));
        });
    }

    /**
     * Reads a whole payload into memory, verified as {@link #get} does; corrupt bytes are never returned.
     *
     * @param key the key
     * @param sha256 the expected SHA-256, or null to derive it from the key
     * @param size the expected size, or negative when unknown
     * @return the bytes
     */
    public Mono<byte[]> getBytes(String key, @Nullable String sha256, long size) {
        if (size > MAX_ARRAY) {
            return Mono.error(new RegistryException("payload " + backend.uri() + " key " + key + " has " + size
                    + " bytes, too many for one array; stream it instead"));
        }
        return get(key, sha256, size)
                .collect(() -> new ByteArrayOutputStream(size > 0 ? (int) size : 32), ContentAddressedRegistry::append)
                .map(ByteArrayOutputStream::toByteArray);
    }

    /**
     * Computes the SHA-256 of some bytes.
     *
     * @param source the bytes
     * @return 64 lower-case hex digits
     * @throws RegistryException naming the file if a file source cannot be read
     */
    public static String sha256(BlobSource source) {
        byte[] bytes = source.bytes();
        if (bytes != null) {
            return HexFormat.of().formatHex(newDigest().digest(bytes));
        }
        try (InputStream in = new DigestInputStream(source.openStream(), newDigest())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new RegistryException("cannot read " + source + " to hash it: " + e, e);
        }
    }

    private static String spool(InputStream stream, Path spool) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = new DigestInputStream(stream, digest);
                OutputStream out = Files.newOutputStream(spool)) {
            byte[] buffer = new byte[COPY_BUFFER];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void append(ByteArrayOutputStream out, ByteBuffer buffer) {
        if (buffer.hasArray()) {
            out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        } else {
            byte[] copy = new byte[buffer.remaining()];
            buffer.duplicate().get(copy);
            out.write(copy, 0, copy.length);
        }
    }

    private RegistryException corrupt(String key, String what) {
        return new RegistryException("payload " + backend.uri() + " key " + key + " is corrupt: read " + what);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover spool file in the temporary directory is harmless; the upload's outcome matters more.
        }
    }
}
