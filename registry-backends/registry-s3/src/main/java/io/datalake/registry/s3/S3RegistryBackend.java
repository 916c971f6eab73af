package io.datalake.registry.s3;

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
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A registry in an S3 bucket under a key prefix, over the AWS SDK v2 {@link S3AsyncClient}: non-blocking, streaming
 * in both directions. Uploads above the client's multipart threshold are split into parts by the SDK; retries of
 * transient failures (timeouts, throttling, 5xx) with backoff follow the client's retry strategy, and permanent
 * failures (403, 404) are not retried. Messages name the registry URI and key, never credentials. A failure left
 * once the SDK's retries are spent is a {@link RegistryException} that is transient
 * ({@link RegistryException#isTransient()}) by the same rule: throttling, 5xx, timeouts, connection failures.
 */
public final class S3RegistryBackend implements RegistryBackend {
    /** Server errors the SDK's retry policy retries, besides throttling: a retry may get past them too. */
    static final Set<Integer> TRANSIENT_STATUS = Set.of(429, 500, 502, 503, 504);
    private final S3AsyncClient client;
    private final S3AsyncClient uploadClient;
    private final long singlePartBelow;
    private final List<? extends AutoCloseable> owned;
    private final S3Location location;
    private final String uri;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param client for reads, listings, deletes: plain GETs, which every S3-compatible store serves (a
     *     multipart-enabled client downloads by part number, which some lack)
     * @param uploadClient for uploads, multipart above its threshold
     * @param owned what {@link #close()} closes, in order
     */
    S3RegistryBackend(S3AsyncClient client, S3AsyncClient uploadClient, List<? extends AutoCloseable> owned,
            S3Location location) {
        this(client, uploadClient, 0, owned, location);
    }

    /**
     * @param singlePartBelow sizes below which {@code client} uploads in one request, with the SHA-256 the
     *     content-addressed key names sent along for S3 to check; 0 when unknown (a caller's client)
     */
    S3RegistryBackend(S3AsyncClient client, S3AsyncClient uploadClient, long singlePartBelow,
            List<? extends AutoCloseable> owned, S3Location location) {
        this.client = client;
        this.uploadClient = uploadClient;
        this.singlePartBelow = singlePartBelow;
        this.owned = owned;
        this.location = location;
        this.uri = location.canonicalUri();
    }

    /**
     * Creates a registry over a client the caller configured and keeps owning (closing this handle does not close
     * the client). With multipart support enabled, the client uploads large payloads in parts, and also downloads
     * them by part number, which some S3-compatible stores do not support.
     *
     * @param client the S3 client
     * @param registryUri {@code s3://bucket/prefix}; its query string may only name the {@code endpoint}, which
     *     then becomes part of the registry's identity
     * @return the handle
     * @throws InvalidArgumentException if the URI is not a valid S3 registry URI
     */
    public static S3RegistryBackend create(S3AsyncClient client, String registryUri) {
        if (client == null || registryUri == null) {
            throw new InvalidArgumentException("client and registryUri must not be null");
        }
        return new S3RegistryBackend(client, client, List.of(), S3Location.parse(URI.create(registryUri)));
    }

    @Override
    public String uri() {
        return uri;
    }

    private String objectKey(String key) {
        return location.objectKey(RegistryKeys.validate(key));
    }

    @Override
    public Mono<Boolean> exists(String key) {
        return Mono.defer(() -> {
            String objectKey = objectKey(key);
            return Mono.fromFuture(() -> client.headObject(b -> b.bucket(location.bucket()).key(objectKey)))
                    .map(response -> true)
                    .onErrorResume(e -> isNotFound(e) ? Mono.just(false) : Mono.error(failure("exists", key, e)));
        });
    }

    @Override
    public Mono<Long> size(String key) {
        return stat(key).map(BlobStat::size);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A HEAD with checksum mode enabled: the SHA-256 S3 computed and verified when the object was uploaded in
     * one part (this backend asks for SHA-256 checksums on every upload), or a full-object CRC32C. The composite
     * checksum of a multipart upload ({@code <base64>-<parts>}) is not the object's hash and is not reported, nor
     * is anything a store does not return (s3proxy returns no checksums).
     *
     * <p>A HEAD answered 403 completes empty: S3 answers 403 instead of 404 for a missing key when the policy
     * lacks {@code s3:ListBucket}, and an upload the caller may make must not fail on a lookup it may not make.
     */
    @Override
    public Mono<BlobStat> stat(String key) {
        return Mono.defer(() -> {
            String objectKey = objectKey(key);
            return Mono.fromFuture(() -> client.headObject(b -> b.bucket(location.bucket()).key(objectKey)
                            .checksumMode(ChecksumMode.ENABLED)))
                    .map(S3RegistryBackend::stat)
                    .onErrorResume(e -> isNotFound(e) || isForbidden(e)
                            ? Mono.empty()
                            : Mono.error(failure("stat", key, e)));
        });
    }

    private static BlobStat stat(HeadObjectResponse response) {
        long size = response.contentLength() != null ? response.contentLength() : UNKNOWN_SIZE;
        boolean composite = response.checksumType() == ChecksumType.COMPOSITE;
        return new BlobStat(size,
                composite ? null : hexOfBase64(response.checksumSHA256(), 32),
                composite ? null : hexOfBase64(response.checksumCRC32C(), 4));
    }

    /** The hex form of a whole-object checksum S3 reports in base64; null for a composite or malformed one. */
    private static @Nullable String hexOfBase64(@Nullable String base64, int length) {
        if (base64 == null || base64.contains("-")) {
            return null;
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(base64);
            return bytes.length == length ? HexFormat.of().formatHex(bytes) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every upload asks for SHA-256 checksums, so S3 verifies the bytes it receives (each part's, for a multipart
     * upload) and keeps the checksum for {@link #stat}. A single-part upload of a source with an expected hash sends
     * that hash, so S3 itself refuses bytes that do not match the key. A file source with an expected hash is
     * streamed through its verifying stream; an upload whose stream fails is aborted (a multipart upload is aborted
     * by the SDK), so nothing is stored under the key.
     */
    @Override
    public Mono<Void> put(String key, BlobSource source) {
        return Mono.defer(() -> {
            String objectKey = objectKey(key);
            byte[] bytes = source.bytes();
            Path file = source.file();
            AsyncRequestBody body = bytes != null ? AsyncRequestBody.fromBytes(bytes)
                    : file != null ? AsyncRequestBody.fromFile(file)
                    : new StreamBody(source);
            String sha256 = source.expectedSha256();
            if (sha256 != null && source.size() < singlePartBelow) {
                // One request carrying the hash the key names: S3 refuses the bytes unless they hash to it, and
                // the SDK need not hash them a second time.
                String checksum = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256));
                return Mono.fromFuture(() -> client.putObject(b -> b.bucket(location.bucket()).key(objectKey)
                                        .contentLength(source.size()).contentType("application/octet-stream")
                                        .checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumSHA256(checksum), body))
                        .then();
            }
            return Mono.fromFuture(() -> uploadClient.putObject(b -> b.bucket(location.bucket()).key(objectKey)
                                    .contentLength(source.size()).contentType("application/octet-stream")
                                    .checksumAlgorithm(ChecksumAlgorithm.SHA256), body))
                    .then();
        }).onErrorMap(e -> failure("put", key, e));
    }

    /**
     * A request body read from {@link BlobSource#openStream()}, opened anew for each subscription so the SDK can
     * retry. A failure of the stream (a {@link io.datalake.registry.BlobChangedException} among them) fails the
     * request before its last byte is sent.
     */
    private static final class StreamBody implements AsyncRequestBody {
        private static final int CHUNK = 64 * 1024;
        private final BlobSource source;

        StreamBody(BlobSource source) {
            this.source = source;
        }

        @Override
        public Optional<Long> contentLength() {
            return Optional.of(source.size());
        }

        @Override
        public String contentType() {
            return "application/octet-stream";
        }

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
            Flux.<ByteBuffer, InputStream>using(source::openStream,
                            in -> Flux.generate(sink -> {
                                try {
                                    byte[] chunk = new byte[CHUNK];
                                    int n = in.read(chunk);
                                    if (n < 0) {
                                        sink.complete();
                                    } else {
                                        sink.next(ByteBuffer.wrap(chunk, 0, n));
                                    }
                                } catch (IOException e) {
                                    sink.error(e);
                                }
                            }),
                            StreamBody::closeQuietly)
                    .subscribeOn(Schedulers.boundedElastic())
                    .subscribe(subscriber);
        }

        private static void closeQuietly(InputStream in) {
            try {
                in.close();
            } catch (IOException e) {
                // A read-only stream has nothing left to flush; the upload's outcome is decided by its reads.
            }
        }
    }

    @Override
    public Flux<ByteBuffer> get(String key) {
        return Mono.defer(() -> {
                    String objectKey = objectKey(key);
                    return Mono.fromFuture(() -> client.getObject(b -> b.bucket(location.bucket()).key(objectKey),
                            AsyncResponseTransformer.toPublisher()));
                })
                .onErrorMap(e -> !(e instanceof InvalidArgumentException), e -> isNotFound(e)
                        ? new RegistryException("no payload in registry " + uri + " under key " + key, unwrap(e))
                        : failure("get", key, e))
                .flatMapMany(Flux::from)
                .onErrorMap(e -> !(e instanceof InvalidArgumentException || e instanceof RegistryException),
                        e -> failure("get", key, e));
    }

    @Override
    public Mono<Void> delete(String key) {
        return Mono.defer(() -> {
            String objectKey = objectKey(key);
            return Mono.fromFuture(() -> client.deleteObject(b -> b.bucket(location.bucket()).key(objectKey)))
                    .onErrorMap(e -> failure("delete", key, e))
                    .then();
        });
    }

    @Override
    public Flux<String> list(String prefix) {
        return Flux.defer(() -> {
            RegistryKeys.validatePrefix(prefix);
            String base = location.prefix().isEmpty() ? "" : location.prefix() + "/";
            return Flux.from(client.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(base + prefix))
                            .contents())
                    .map(S3Object::key)
                    .map(k -> k.substring(base.length()))
                    .onErrorMap(e -> failure("list", prefix, e));
        });
    }

    /** {@inheritDoc} Size and {@code LastModified} come with each page of the listing. */
    @Override
    public Flux<BlobInfo> listInfo(String prefix) {
        return Flux.defer(() -> {
            RegistryKeys.validatePrefix(prefix);
            String base = location.prefix().isEmpty() ? "" : location.prefix() + "/";
            return Flux.from(client.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(base + prefix))
                            .contents())
                    .map(o -> new BlobInfo(o.key().substring(base.length()),
                            o.size() != null ? o.size() : UNKNOWN_SIZE, o.lastModified()))
                    .onErrorMap(e -> failure("list", prefix, e));
        });
    }

    private static boolean isNotFound(Throwable e) {
        Throwable cause = unwrap(e);
        return cause instanceof NoSuchKeyException
                || cause instanceof SdkServiceException service && service.statusCode() == 404;
    }

    private static boolean isForbidden(Throwable e) {
        Throwable cause = unwrap(e);
        return cause instanceof SdkServiceException service && service.statusCode() == 403;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private RuntimeException failure(String operation, String key, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof InvalidArgumentException || cause instanceof RegistryException) {
            return (RuntimeException) cause;
        }
        String status = cause instanceof SdkServiceException service ? " (HTTP " + service.statusCode() + ")" : "";
        String message = cause instanceof SdkException ? cause.getMessage() : cause.toString();
        return new RegistryException(operation + " of key " + key + " in registry " + uri + " failed" + status + ": "
                + message, isTransient(cause), cause);
    }

    /**
     * Whether a retry may get past a failure, by the rule the SDK's own retry policy follows (these failures
     * surface once the SDK's retries are spent): throttling (HTTP 429, S3's {@code 503 SlowDown}) and the other
     * server errors 500, 502, 503 and 504; a call or attempt that timed out; a failure the SDK marks retryable;
     * an I/O failure of the connection. A missing object (404), access denied (403), any other refusal, and a
     * source that changed or could not be read while it was uploaded ({@link BlobChangedException}, a
     * {@link FileSystemException}) are permanent.
     */
    static boolean isTransient(Throwable error) {
        if (anyCause(error, t -> t instanceof BlobChangedException || t instanceof FileSystemException)) {
            return false;
        }
        return anyCause(error, t -> t instanceof SdkServiceException service
                        ? service.isThrottlingException() || TRANSIENT_STATUS.contains(service.statusCode())
                        : t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                                || t instanceof SdkException sdk && sdk.retryable()
                                || t instanceof IOException || t instanceof UncheckedIOException);
    }

    private static boolean anyCause(Throwable error, Predicate<Throwable> test) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
                return true;
            }
        }
        return false;
    }

    /** Closes the clients if this handle created them. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RegistryException failure = null;
        for (AutoCloseable resource : owned) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new RegistryException("closing the S3 clients of " + uri + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "S3RegistryBackend{" + uri + "}";
    }
}
