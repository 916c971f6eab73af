package io.datalake.registry;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Content-addressed storage over a {@link RegistryBackend}: a payload is stored under a key derived from the
 * SHA-256 of its bytes, sharded as {@code ab/cd/<hash>} so no directory or listing grows without bound. Identical
 * payloads are therefore stored once. Every read verifies the hash and the size, and signals
 * {@link RegistryException} instead of returning corrupt bytes.
 *
 * <p>The bytes stored are the bytes hashed: a caller's array is copied before it is hashed, and a file is handed to
 * the backend as a source that re-hashes it while it is uploaded and fails the upload before its final byte when
 * it changed since it was hashed (see {@link BlobSource#expecting}). A file that changes underneath therefore gives
 * a {@link RegistryException} naming it, never a payload that fails verification.
 *
 * <p>Deduplication trusts an existing object only once verified, with one policy for every backend, from the
 * backend's {@link RegistryBackend#stat}: a size that differs, or a store-kept SHA-256 or CRC32C that differs from
 * the content's, means the object is replaced (repaired); a matching SHA-256 (or CRC32C) means it is reused; an
 * object without a usable checksum is read back and hashed, and reused only if it hashes to its key. A damaged
 * object is therefore repaired by the next put of the same content.
 *
 * <p>Streams of unknown length are first spooled to a temporary file while they are hashed (the key must be known
 * before the upload starts), so payloads of any size are stored without holding them in memory.
 *
 * <p>Supported API: it is the layer the lake stores payloads through, so a backend author can exercise a backend
 * exactly as the lake will (the {@code registry-conformance} kit does). An instance holds no mutable state and may be
 * shared by threads.
 */
public final class ContentAddressedRegistry {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final int COPY_BUFFER = 64 * 1024;
    /** First buffer of {@link #getBytes}; it grows by doubling as bytes arrive. */
    private static final int INITIAL_BUFFER = 8 * 1024;
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
     * Stores bytes under their hash, skipping the upload when a verified identical object already exists.
     *
     * @param source the bytes; an array is copied first, so the caller's array may change afterwards
     * @return where they were stored; fails with {@link RegistryException} naming the file if a file source
     *     changed while it was being stored (nothing is then stored under the key)
     */
    public Mono<StoredBlob> put(BlobSource source) {
        return Mono.fromCallable(() -> {
                    byte[] bytes = source.bytes();
                    // A private copy: the array hashed is the array uploaded, whatever the caller does with its own.
                    BlobSource stable = bytes != null ? BlobSource.ofBytes(bytes.clone()) : source;
                    return new Hashed(stable, hash(stable));
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(hashed -> putHashed(hashed.source, hashed.hashes));
    }

    /**
     * Stores a stream under its hash: reads it to the end into a temporary file while hashing, closes it, uploads
     * the file unless a verified identical object exists, and deletes the file. The temporary file is created and
     * written off the caller's thread.
     *
     * <p>The stream is read once and closed in every outcome, including a cancellation before reading started (it
     * is then closed without being read). A cancellation while spooling stops the copy at the next buffer and
     * deletes the temporary file; no spool file outlives the call.
     *
     * @param stream the bytes; read once and closed
     * @return where they were stored
     */
    public Mono<StoredBlob> put(InputStream stream) {
        return Mono.defer(() -> {
            Spool spool = new Spool(stream);
            return Mono.fromCallable(spool::write)
                    .subscribeOn(Schedulers.boundedElastic())
                    .flatMap(hashes -> Mono.defer(() -> putHashed(BlobSource.ofFile(spool.written()), hashes))
                            // Deleted before the outcome is signalled, so no spool file outlives a finished call.
                            .flatMap(blob -> spool.delete().thenReturn(blob))
                            // A failure caused by the release deleting the file under the upload reaches no one.
                            .onErrorResume(e -> spool.delete().then(spool.released ? Mono.empty() : Mono.error(e))))
                    .doFinally(signal -> spool.release());
        });
    }

    /**
     * One stream's trip through a temporary file. Whichever of {@link #write} and {@link #release} comes second
     * cleans up after the other: the stream is closed by the writer once it started, else by the release; the file is
     * deleted by the release, or by the writer when the release came first. Release never blocks the caller's
     * thread: a file it must delete is deleted on the bounded-elastic scheduler.
     */
    private final class Spool {
        private final InputStream stream;
        /** Claimed by the first of the writer (to read the stream) and the release (to close it unread). */
        private final AtomicBoolean streamClaimed = new AtomicBoolean();
        private volatile boolean released;
        private volatile @Nullable Path file;

        Spool(InputStream stream) {
            this.stream = stream;
        }

        /**
         * Spools the stream; returns null (the call completes empty, unseen by the cancelled subscriber) when the
         * call was released first, so a cancellation does not surface as a dropped error.
         */
        @Nullable Hashes write() throws IOException {
            if (!streamClaimed.compareAndSet(false, true)) {
                return null;
            }
            try (InputStream in = stream) {
                Path created = spoolDirectory != null
                        ? Files.createTempFile(spoolDirectory, "datalake-spool-", ".bin")
                        : Files.createTempFile("datalake-spool-", ".bin");
                file = created;
                MessageDigest digest = newDigest();
                CRC32C crc = new CRC32C();
                try (OutputStream out = Files.newOutputStream(created)) {
                    byte[] buffer = new byte[COPY_BUFFER];
                    for (int n; !released && (n = in.read(buffer)) >= 0; ) {
                        digest.update(buffer, 0, n);
                        crc.update(buffer, 0, n);
                        out.write(buffer, 0, n);
                    }
                } catch (IOException | RuntimeException e) {
                    deleteQuietly(created);
                    if (released) {
                        return null; // interrupted by the cancellation itself
                    }
                    throw e;
                }
                if (released) {
                    deleteQuietly(created);
                    return null;
                }
                return new Hashes(HexFormat.of().formatHex(digest.digest()), crc32cHex(crc));
            }
        }

        /** The spool file; set before {@link #write()} returns hashes, so present whenever they exist. */
        Path written() {
            return Objects.requireNonNull(file, "spool file");
        }

        /** Deletes the spool file off the caller's thread. */
        Mono<Void> delete() {
            Path written = file;
            return written == null ? Mono.empty()
                    : Mono.<Void>fromRunnable(() -> deleteQuietly(written)).subscribeOn(Schedulers.boundedElastic());
        }

        void release() {
            released = true;
            if (streamClaimed.compareAndSet(false, true)) {
                try {
                    stream.close();
                } catch (IOException e) {
                    // Nothing was read from it; the call's own outcome is what the caller learns.
                }
            }
            Path written = file;
            if (written != null) {
                Schedulers.boundedElastic().schedule(() -> deleteQuietly(written));
            }
        }
    }

    private Mono<StoredBlob> putHashed(BlobSource hashedSource, Hashes hashes) {
        String key = keyFor(hashes.sha256);
        long size = hashedSource.size();
        BlobSource source = hashedSource.expecting(hashes.sha256);
        StoredBlob reused = new StoredBlob(backend.uri(), key, hashes.sha256, size, false);
        Mono<StoredBlob> upload = Mono.defer(() -> backend.put(key, source)
                .onErrorMap(ContentAddressedRegistry::changedWhileStored)
                .thenReturn(new StoredBlob(backend.uri(), key, hashes.sha256, size, true)));
        return backend.stat(key)
                .flatMap(stat -> {
                    if (stat.size() != RegistryBackend.UNKNOWN_SIZE && stat.size() != size) {
                        return Mono.<StoredBlob>empty(); // truncated or foreign: replace it
                    }
                    if (stat.sha256() != null) {
                        return stat.sha256().equals(hashes.sha256) ? Mono.just(reused) : Mono.empty();
                    }
                    if (stat.crc32c() != null && stat.size() == size) {
                        return stat.crc32c().equals(hashes.crc32c) ? Mono.just(reused) : Mono.empty();
                    }
                    // No checksum the store vouches for: read the object back and reuse it only if it hashes to
                    // its key; any failure to read it (corrupt, vanished, unreadable) means upload it again.
                    return get(key, hashes.sha256, size).then(Mono.just(reused))
                            .onErrorResume(RegistryException.class, e -> Mono.empty());
                })
                .switchIfEmpty(upload);
    }

    /**
     * A source that changed under the upload is reported as such, naming the file, whatever the backend wrapped; it
     * is permanent even when the backend took the I/O failure for a transient one.
     */
    private static Throwable changedWhileStored(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof BlobChangedException) {
                return new RegistryException(String.valueOf(cause.getMessage()), false, error);
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return error;
    }

    /**
     * Streams a payload and verifies it: the stream fails with {@link RegistryException} instead of completing
     * when the bytes do not hash to {@code sha256} or their count differs from {@code size}. With a known size the
     * hash is checked before the buffer holding the last byte is emitted, so the error comes instead of that buffer;
     * earlier buffers of a corrupt payload have been emitted by then, so a consumer that must never act on corrupt
     * bytes acts only once the stream completes (as {@link #getBytes} does).
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
            boolean[] verified = new boolean[1];
            return backend.get(key)
                    .map(buffer -> {
                        count[0] += buffer.remaining();
                        if (size >= 0 && count[0] > size) {
                            throw corrupt(key, "more than the expected " + size + " bytes");
                        }
                        digest.update(buffer.duplicate());
                        if (count[0] == size && expected != null) {
                            // Checked before the buffer holding the last byte is emitted: a consumer of a corrupt
                            // payload never receives the whole of it.
                            String actual = HexFormat.of().formatHex(digest.digest());
                            verified[0] = true;
                            if (!expected.equals(actual)) {
                                throw corrupt(key, "SHA-256 " + actual + " instead of " + expected);
                            }
                        }
                        return buffer;
                    })
                    .concatWith(Mono.defer(() -> {
                        if (size >= 0 && count[0] != size) {
                            return Mono.error(corrupt(key, count[0] + " bytes instead of " + size));
                        }
                        if (!verified[0] && expected != null) {
                            String actual = HexFormat.of().formatHex(digest.digest());
                            if (!expected.equals(actual)) {
                                return Mono.error(corrupt(key, "SHA-256 " + actual + " instead of " + expected));
                            }
                        }
                        return Mono.empty();
                    }));
        });
    }

    /**
     * Reads a whole payload into memory, verified as {@link #get} does; corrupt bytes are never returned. The
     * recorded size is not trusted for allocation (it comes from a stored document): the buffer grows with the bytes
     * actually read, and reading stops with an error as soon as they exceed the recorded size.
     *
     * @param key the key
     * @param sha256 the expected SHA-256, or null to derive it from the key
     * @param size the expected size, or negative when unknown
     * @return the bytes; fails with {@link RegistryException} when the payload differs from its recorded size or
     *     hash, has more bytes than one array can hold, or does not fit in the memory left
     */
    public Mono<byte[]> getBytes(String key, @Nullable String sha256, long size) {
        if (size > MAX_ARRAY) {
            return Mono.error(new RegistryException("payload " + backend.uri() + " key " + key + " has " + size
                    + " bytes, too many for one array; stream it instead"));
        }
        return get(key, sha256, size)
                .collect(() -> new Accumulator(key), Accumulator::append)
                .map(Accumulator::toByteArray);
    }

    /**
     * Collects buffers into one array, growing it as bytes arrive. An allocation the heap cannot satisfy becomes a
     * {@link RegistryException}: Reactor treats {@link OutOfMemoryError} as fatal and would never signal the
     * subscriber, so a read would hang instead of failing.
     */
    private final class Accumulator {
        private final String key;
        private byte[] bytes = new byte[INITIAL_BUFFER];
        private int count;

        Accumulator(String key) {
            this.key = key;
        }

        void append(ByteBuffer buffer) {
            int n = buffer.remaining();
            if (n > MAX_ARRAY - count) {
                throw new RegistryException("payload " + backend.uri() + " key " + key + " has more than " + MAX_ARRAY
                        + " bytes, too many for one array; stream it instead");
            }
            if (count + n > bytes.length) {
                long grown = Math.max(count + n, Math.min(MAX_ARRAY, 2L * bytes.length));
                bytes = allocate(grown, count, bytes);
            }
            buffer.duplicate().get(bytes, count, n);
            count += n;
        }

        byte[] toByteArray() {
            return count == bytes.length ? bytes : allocate(count, count, bytes);
        }

        private byte[] allocate(long length, int keep, byte[] from) {
            byte[] to;
            try {
                to = new byte[(int) length];
            } catch (OutOfMemoryError e) {
                throw new RegistryException("payload " + backend.uri() + " key " + key + " does not fit in memory ("
                        + length + " bytes needed after reading " + keep + "); stream it instead", e);
            }
            System.arraycopy(from, 0, to, 0, keep);
            return to;
        }
    }

    /**
     * Computes the SHA-256 of some bytes.
     *
     * @param source the bytes
     * @return 64 lower-case hex digits
     * @throws RegistryException naming the file if a file source cannot be read or no longer has its size
     */
    public static String sha256(BlobSource source) {
        return hash(source).sha256;
    }

    /** One pass over the bytes: the SHA-256 names the key, the CRC32C lets a store that keeps one vouch for it. */
    private static Hashes hash(BlobSource source) {
        byte[] bytes = source.bytes();
        if (bytes != null) {
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            return new Hashes(HexFormat.of().formatHex(newDigest().digest(bytes)), crc32cHex(crc));
        }
        MessageDigest digest = newDigest();
        CRC32C crc = new CRC32C();
        long count = 0;
        try (InputStream in = source.openStream()) {
            byte[] buffer = new byte[COPY_BUFFER];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                crc.update(buffer, 0, n);
                count += n;
            }
        } catch (IOException e) {
            throw new RegistryException("cannot read " + source + " to hash it: " + e, e);
        }
        if (count != source.size()) {
            throw new RegistryException("file " + source.file() + " changed while it was being stored: it had "
                    + source.size() + " bytes when it was opened and " + count + " when it was hashed; nothing was"
                    + " stored, add it again once it is stable");
        }
        return new Hashes(HexFormat.of().formatHex(digest.digest()), crc32cHex(crc));
    }

    private static String crc32cHex(CRC32C crc) {
        return String.format("%08x", crc.getValue());
    }

    /** The content's checksums from the hashing pass. */
    private record Hashes(String sha256, String crc32c) {
    }

    /** A source and its checksums, where the source is the one that was hashed. */
    private record Hashed(BlobSource source, Hashes hashes) {
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
