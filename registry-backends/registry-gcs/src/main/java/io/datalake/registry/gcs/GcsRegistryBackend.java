package io.datalake.registry.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import io.datalake.registry.BlobChangedException;
import io.datalake.registry.BlobSource;
import io.datalake.registry.BlobStat;
import io.datalake.registry.RegistryBackend;
import io.datalake.registry.RegistryKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A registry in a GCS bucket under a key prefix. The {@link Storage} client is blocking, so every call runs on
 * Reactor's bounded-elastic scheduler; payloads stream in both directions through its read and write channels.
 * An object becomes visible only when its upload is finalized, so readers never see a partial payload. Transient
 * failures are retried by the client's retry settings; permanent ones (403, 404) are not. A failure left once
 * those retries are spent is a {@link RegistryException} that is transient ({@link RegistryException#isTransient()})
 * for throttling (429), server errors (5xx), timeouts and connection failures, permanent otherwise.
 */
public final class GcsRegistryBackend implements RegistryBackend {
    private static final int CHUNK = 256 * 1024;
    private static final int PRECONDITION_FAILED = 412;
    /** Statuses a retry may get past: request timeout, throttling and the server errors GCS asks clients to retry. */
    static final Set<Integer> TRANSIENT_STATUS = Set.of(408, 429, 500, 502, 503, 504);
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._\\-]{1,220}[a-z0-9]");

    private final Storage storage;
    private final boolean ownsStorage;
    private final String bucket;
    private final String prefix;
    private final String uri;
    private final AtomicBoolean closed = new AtomicBoolean();

    GcsRegistryBackend(Storage storage, boolean ownsStorage, URI registryUri) {
        this.storage = storage;
        this.ownsStorage = ownsStorage;
        this.bucket = bucket(registryUri);
        this.prefix = prefix(registryUri);
        this.uri = canonicalUri(registryUri);
    }

    /**
     * Creates a registry over a {@link Storage} the caller configured and keeps owning (closing this handle does
     * not close it).
     *
     * @param storage the client, real or in-memory
     * @param registryUri {@code gs://bucket/prefix}
     * @return the handle
     * @throws InvalidArgumentException if the URI is not a valid GCS registry URI
     */
    public static GcsRegistryBackend create(Storage storage, String registryUri) {
        if (storage == null || registryUri == null) {
            throw new InvalidArgumentException("storage and registryUri must not be null");
        }
        try {
            return new GcsRegistryBackend(storage, false, new URI(registryUri));
        } catch (java.net.URISyntaxException e) {
            throw new InvalidArgumentException("invalid GCS registry URI '" + registryUri + "': " + e.getReason());
        }
    }

    static String canonicalUri(URI uri) {
        String prefix = prefix(uri);
        return "gs://" + bucket(uri) + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    private static String bucket(URI uri) {
        String bucket = uri.getHost() != null ? uri.getHost() : uri.getRawAuthority();
        if (!"gs".equalsIgnoreCase(uri.getScheme()) || bucket == null || !BUCKET.matcher(bucket).matches()
                || uri.getUserInfo() != null || uri.getPort() != -1) {
            throw new InvalidArgumentException("GCS registry URI " + uri
                    + " must be gs://bucket/prefix with a valid bucket name");
        }
        return bucket;
    }

    private static String prefix(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String prefix = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (!prefix.isEmpty()) {
            RegistryKeys.validatePrefix(prefix);
        }
        return prefix;
    }

    @Override
    public String uri() {
        return uri;
    }

    private BlobId blobId(String key) {
        RegistryKeys.validate(key);
        return BlobId.of(bucket, prefix.isEmpty() ? key : prefix + "/" + key);
    }

    @Override
    public Mono<Boolean> exists(String key) {
        return Mono.fromCallable(() -> {
            BlobId id = blobId(key);
            try {
                return storage.get(id) != null;
            } catch (BaseServiceException e) {
                throw failure("exists", key, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Mono<Long> size(String key) {
        return stat(key).map(BlobStat::size);
    }

    /**
     * {@inheritDoc}
     *
     * <p>GCS keeps a CRC32C of every object (composite ones included), which it verifies on upload; it is reported
     * with the size. A {@code Storage} that keeps none (the in-memory one of google-cloud-nio) reports the size only.
     */
    @Override
    public Mono<BlobStat> stat(String key) {
        return Mono.fromCallable(() -> {
            BlobId id = blobId(key);
            try {
                Blob blob = storage.get(id);
                if (blob == null) {
                    return null;
                }
                return new BlobStat(blob.getSize() != null ? blob.getSize() : UNKNOWN_SIZE, null,
                        crc32cHex(blob.getCrc32c()));
            } catch (BaseServiceException e) {
                throw failure("stat", key, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** GCS reports CRC32C as base64 of four big-endian bytes; null when absent or malformed. */
    private static @Nullable String crc32cHex(@Nullable String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(base64);
            return bytes.length == 4 ? HexFormat.of().formatHex(bytes) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public Mono<Void> put(String key, BlobSource source) {
        return Mono.<Void>fromRunnable(() -> {
            BlobId id = blobId(key);
            BlobInfo info = BlobInfo.newBuilder(id).setContentType("application/octet-stream").build();
            try {
                // A precondition makes the upload idempotent, so the client may retry it: create only if absent,
                // or replace only the generation seen now. A 412 means a concurrent writer got there first, and
                // its whole object stands (last writer wins, as the contract allows).
                Blob current = storage.get(id);
                Long generation = current != null ? current.getGeneration() : null;
                byte[] bytes = source.bytes();
                if (bytes != null) {
                    storage.create(info, bytes, generation == null ? Storage.BlobTargetOption.doesNotExist()
                            : Storage.BlobTargetOption.generationMatch(generation));
                } else {
                    writeStreaming(info, source, generation == null ? Storage.BlobWriteOption.doesNotExist()
                            : Storage.BlobWriteOption.generationMatch(generation));
                }
            } catch (SourceFailure e) {
                // The source failed (or changed since it was hashed): never mistaken for a lost race, whatever
                // object a concurrent writer, an earlier upload, or a Storage that shows unfinished uploads left.
                throw failure("put", key, e.source, false);
            } catch (BaseServiceException | IOException e) {
                if (!hasStatus(e, PRECONDITION_FAILED) && !createdConcurrently(id, e)) {
                    throw failure("put", key, e);
                }
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * Whether a failed create lost a race against another writer of the same key. Real GCS answers such a lost
     * {@code doesNotExist} precondition with 412; other {@code Storage} implementations (the in-memory one among
     * them) report it differently, so the object's presence is checked as well. The content-addressed layer above
     * verifies the winner's size and hash, so accepting it loses nothing.
     */
    private boolean createdConcurrently(BlobId id, Exception failure) {
        try {
            return storage.get(id) != null;
        } catch (BaseServiceException e) {
            failure.addSuppressed(e);
            return false;
        }
    }

    /**
     * Streams a file into a resumable upload. The channel is closed, which finalizes the object, only once every
     * byte was written: on failure it is abandoned, so a half-written payload never becomes an object (the
     * unfinished upload session expires on its own).
     */
    private void writeStreaming(BlobInfo info, BlobSource source, Storage.BlobWriteOption precondition)
            throws IOException {
        // The source is opened first: one that cannot be read starts no upload session at all.
        try (InputStream in = source.openStream()) {
            WriteChannel writer = storage.writer(info, precondition);
            writer.setChunkSize(CHUNK * 4);
            OutputStream out = Channels.newOutputStream(new UnclosableChannel(writer));
            byte[] buffer = new byte[CHUNK];
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new SourceFailure(e);
                }
                if (n < 0) {
                    break;
                }
                out.write(buffer, 0, n);
            }
            writer.close();
        }
    }

    /** A failure to read the source, told apart from the store's failures. */
    private static final class SourceFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** The source's failure, typed (getCause() is nullable in general). */
        final IOException source;

        SourceFailure(IOException cause) {
            super(cause);
            this.source = cause;
        }
    }

    /** Keeps the output stream's close from finalizing the upload; only {@link #writeStreaming} closes it. */
    private static final class UnclosableChannel implements WritableByteChannel {
        private final WritableByteChannel channel;

        UnclosableChannel(WritableByteChannel channel) {
            this.channel = channel;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return channel.write(src);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() {
        }
    }

    @Override
    public Flux<ByteBuffer> get(String key) {
        return Flux.using(
                        () -> open(key),
                        reader -> Flux.<ByteBuffer>generate(sink -> {
                            try {
                                ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
                                if (reader.read(buffer) < 0) {
                                    sink.complete();
                                } else {
                                    sink.next(buffer.flip());
                                }
                            } catch (IOException | BaseServiceException e) {
                                sink.error(isNotFound(e) ? missing(key, e) : failure("get", key, e));
                            }
                        }),
                        ReadChannel::close)
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** Opens a reader on an object that exists; the existence check gives a clear error up front. */
    private ReadChannel open(String key) {
        BlobId id = blobId(key);
        try {
            Blob blob = storage.get(id);
            if (blob == null) {
                throw missing(key, null);
            }
            // Pin the generation so a concurrent overwrite cannot splice two objects into one read.
            return storage.reader(blob.getBlobId());
        } catch (BaseServiceException e) {
            throw isNotFound(e) ? missing(key, e) : failure("get", key, e);
        }
    }

    @Override
    public Mono<Void> delete(String key) {
        return Mono.<Void>fromRunnable(() -> {
            BlobId id = blobId(key);
            try {
                storage.delete(id);
            } catch (BaseServiceException e) {
                throw failure("delete", key, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Flux<String> list(String keyPrefix) {
        return Flux.defer(() -> {
            RegistryKeys.validatePrefix(keyPrefix);
            String base = prefix.isEmpty() ? "" : prefix + "/";
            try {
                return Flux.fromIterable(storage.list(bucket, Storage.BlobListOption.prefix(base + keyPrefix))
                                .iterateAll())
                        .map(blob -> blob.getName().substring(base.length()));
            } catch (BaseServiceException e) {
                throw failure("list", keyPrefix, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** {@inheritDoc} Size and update time come with each page of the listing. */
    @Override
    public Flux<io.datalake.registry.BlobInfo> listInfo(String keyPrefix) {
        return Flux.defer(() -> {
            RegistryKeys.validatePrefix(keyPrefix);
            String base = prefix.isEmpty() ? "" : prefix + "/";
            try {
                return Flux.fromIterable(storage.list(bucket, Storage.BlobListOption.prefix(base + keyPrefix))
                                .iterateAll())
                        .map(blob -> new io.datalake.registry.BlobInfo(blob.getName().substring(base.length()),
                                blob.getSize() != null ? blob.getSize() : UNKNOWN_SIZE, updated(blob)));
            } catch (BaseServiceException e) {
                throw failure("list", keyPrefix, e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** The object's update time (a GCS object is immutable, so its creation time is the same), null if absent. */
    private static @Nullable Instant updated(Blob blob) {
        Long millis = blob.getUpdateTime() != null ? blob.getUpdateTime() : blob.getCreateTime();
        return millis != null ? Instant.ofEpochMilli(millis) : null;
    }

    private static boolean isNotFound(Throwable e) {
        return hasStatus(e, 404);
    }

    /** Whether a failure, or one of its causes (the write channel wraps them in IOException), has this status. */
    private static boolean hasStatus(Throwable e, int status) {
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof BaseServiceException service && service.getCode() == status) {
                return true;
            }
            cause = cause.getCause();
        }
        return false;
    }

    private RegistryException missing(String key, @Nullable Throwable cause) {
        return new RegistryException("no payload in registry " + uri + " under key " + key, cause);
    }

    private RegistryException failure(String operation, String key, Exception e) {
        return failure(operation, key, e, isTransient(e));
    }

    private RegistryException failure(String operation, String key, Exception e, boolean transientFailure) {
        String status = e instanceof StorageException storage ? " (HTTP " + storage.getCode() + ")" : "";
        return new RegistryException(operation + " of key " + key + " in registry " + uri + " failed" + status + ": "
                + e.getMessage(), transientFailure, e);
    }

    /**
     * Whether a retry may get past a failure, by the service's own verdict: the first
     * {@link BaseServiceException} in the chain decides ({@link BaseServiceException#isRetryable()}, which the
     * client sets for connection failures and timeouts, or HTTP 408, 429, 500, 502, 503, 504); without one, a
     * network failure or an I/O timeout is transient. A missing object (404), access denied (403), any other
     * refusal and a source that changed or could not be read while it was uploaded are permanent.
     */
    static boolean isTransient(Throwable error) {
        boolean network = false;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BlobChangedException || t instanceof FileSystemException) {
                return false;
            }
            if (t instanceof BaseServiceException service) {
                return service.isRetryable() || TRANSIENT_STATUS.contains(service.getCode());
            }
            network |= t instanceof SocketException || t instanceof InterruptedIOException;
        }
        return network;
    }

    /** Closes the client if this handle created it. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsStorage) {
            try {
                storage.close();
            } catch (Exception e) {
                throw new RegistryException("closing the GCS client of " + uri + " failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "GcsRegistryBackend{" + uri + "}";
    }
}
