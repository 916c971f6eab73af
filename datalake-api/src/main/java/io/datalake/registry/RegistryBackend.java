package io.datalake.registry;

import io.datalake.InvalidArgumentException;
import io.datalake.RegistryException;
import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A handle on one payload registry: a flat namespace of immutable byte objects under {@link RegistryKeys valid keys},
 * rooted at {@link #uri()}. Every method is lazy (nothing happens until subscription) and safe to call from many
 * threads at once; blocking backends do their I/O off the caller's thread.
 *
 * <p>Every method fails with {@link InvalidArgumentException} for an invalid key before any I/O, and with
 * {@link RegistryException} naming {@link #uri()} and the key when the store fails. Transient store failures
 * (timeouts, throttling, 5xx) are retried with backoff a bounded number of times before they are signalled;
 * permanent ones (403, 404) are signalled at once.
 *
 * <p>Implementations are created by a {@link RegistryBackendProvider} or by the backend's own factory, and are
 * conformance-tested with the kit in {@code io.datalake:registry-conformance}.
 */
public interface RegistryBackend extends AutoCloseable {
    /** What {@link #size} reports for an object that exists but whose size the backend cannot tell. */
    long UNKNOWN_SIZE = -1;

    /**
     * Returns the canonical URI of this registry: the form stored on datums, with no credentials in it.
     *
     * @return the canonical URI, e.g. {@code file:///data/lake} or {@code s3://bucket/prefix}
     */
    String uri();

    /**
     * Tells whether an object exists.
     *
     * @param key the object's key
     * @return true when an object is stored under {@code key}
     */
    Mono<Boolean> exists(String key);

    /**
     * Returns the size of an object from the store's metadata. Backends override this with the size their metadata
     * lookup reports; the default asks {@link #exists} and cannot tell the size.
     *
     * @param key the object's key
     * @return the size in bytes, or {@link #UNKNOWN_SIZE} when the object exists but its size is unknown; empty
     *     when there is no object under {@code key}, or when the store will not say (an S3 HEAD answered 403 for
     *     lack of {@code s3:ListBucket}), so that the caller uploads
     */
    default Mono<Long> size(String key) {
        return exists(key).flatMap(exists -> exists ? Mono.just(UNKNOWN_SIZE) : Mono.empty());
    }

    /**
     * Looks up an object's metadata without reading it: its size and any checksum the store keeps of the whole
     * object, so content-addressed storage need not trust an existing object blindly. It reuses an object whose
     * store-kept checksum matches the content, re-reads and hashes one without a usable checksum, and replaces one
     * whose checksum or size differs. Backends whose store keeps checksums override this; the default reports
     * {@link #size} with no checksum, so a backend written before this method existed keeps working.
     *
     * @param key the object's key
     * @return the object's metadata; empty when there is no object under {@code key}, or when the store will not
     *     say, so that the caller uploads
     */
    default Mono<BlobStat> stat(String key) {
        return size(key).map(BlobStat::ofSize);
    }

    /**
     * Stores an object, replacing any object under the same key. Atomic for readers: a concurrent reader sees
     * either the old object, no object, or the whole new one, never a partial write. Concurrent writers of the
     * same key leave one complete object.
     *
     * @param key the object's key
     * @param source the bytes to store; read once or more (a retry re-reads it). When the source carries an
     *     {@link BlobSource#expectedSha256() expected hash}, read it through {@link BlobSource#openStream()} or
     *     {@link BlobSource#bytes()} only (its {@link BlobSource#file()} is then null): a stream that throws
     *     {@link BlobChangedException} must abort the write, leaving the key as it was, and the failure must
     *     keep that exception as a cause
     * @return completes when the object is durably stored
     */
    Mono<Void> put(String key, BlobSource source);

    /**
     * Streams an object's bytes. Buffers are emitted as they are read, so an object of any size can be consumed
     * without holding it in memory; each buffer may be reused by nothing else once emitted.
     *
     * @param key the object's key
     * @return the bytes in order; fails with {@link RegistryException} naming the URI and key if there is no such
     *     object
     */
    Flux<ByteBuffer> get(String key);

    /**
     * Deletes an object. Deleting a missing object succeeds.
     *
     * @param key the object's key
     * @return completes when the object is gone
     */
    Mono<Void> delete(String key);

    /**
     * Lists the keys that start with a prefix.
     *
     * @param prefix a key prefix, empty for all keys (validated like a key, except that it may be empty or end
     *     with {@code /})
     * @return the keys, each once, in no particular order
     */
    Flux<String> list(String prefix);

    /**
     * Lists the objects whose keys start with a prefix, with the size and last-modified time the listing returns
     * (no request per object). Backends override this; the default lists the keys with unknown size and time, and
     * garbage collection never deletes an object whose time is unknown, so a backend written before this method
     * existed is never collected.
     *
     * @param prefix a key prefix, as for {@link #list}
     * @return one entry per key, each once, in no particular order
     */
    default Flux<BlobInfo> listInfo(String prefix) {
        return list(prefix).map(BlobInfo::unknown);
    }

    /** Releases the handle's clients and threads. Idempotent. */
    @Override
    void close();
}
