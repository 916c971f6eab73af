package io.datalake.mongo.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.mongodb.MongoClientSettings;
import io.datalake.Datum;
import io.datalake.DatumValidationException;
import io.datalake.InvalidArgumentException;
import io.datalake.NewDatum;
import io.datalake.PayloadInfo;
import io.datalake.RegistryException;
import io.datalake.RegistryNotAllowedException;
import io.datalake.RegistrySettings;
import io.datalake.registry.BlobSource;
import io.datalake.registry.ContentAddressedRegistry;
import io.datalake.registry.Registries;
import io.datalake.registry.StoredBlob;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bson.BsonBinaryReader;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonSerializationException;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.UuidRepresentation;
import org.bson.codecs.Codec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.configuration.CodecRegistries;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Moves datum payloads between the lake and its registries: decides whether data stays inline or goes to a
 * registry (the datum's own, or the default one for oversized inline data), encodes it (bytes as they are,
 * oversized inline values as BSON so they keep their types, other values as JSON), stores it content-addressed, and
 * loads and verifies it back. Checks that the datum's document fits MongoDB's limit before writing anything. Owns
 * the lake's registry handles.
 */
final class PayloadStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PayloadStore.class);
    /** Name of the stored sub-document describing a registry payload. */
    static final String PAYLOAD = io.datalake.query.engine.DatumFields.PAYLOAD;
    private static final String CONTENT_TYPE = "content_type";
    private static final String SIZE = "size";
    private static final String SHA256 = "sha256";
    /** Strings this short cannot exceed any allowed inline limit (UTF-8 takes at most 3 bytes per char). */
    private static final int SMALL_STRING = 4096;
    /** MongoDB's largest document (16 MiB); an insert of a larger one fails. */
    static final long MAX_DOCUMENT_BYTES = 16L * 1024 * 1024;
    /**
     * Room kept for the fields other than {@code data} and {@code metadata}: id, dates, parent, registry URI
     * and key (at most {@value io.datalake.registry.RegistryKeys#MAX_LENGTH} characters each), payload info.
     */
    private static final long OTHER_FIELDS_BYTES = 8 * 1024;
    /** Field of the BSON document {@code {v: value}} that carries an offloaded inline value. */
    private static final String BSON_VALUE = "v";

    private static final Codec<Document> DOCUMENT_CODEC = CodecRegistries.withUuidRepresentation(
            MongoClientSettings.getDefaultCodecRegistry(), UuidRepresentation.STANDARD).get(Document.class);

    private final RegistrySettings settings;
    /** Whether image payloads get {@code metadata.image_info} ({@link ImageInfo}). */
    private final boolean imageMetadata;
    private final Registries registries;
    private final ObjectMapper json;
    /**
     * Streams this lake has started to read, so a second attempt (a retry, a re-subscription) fails instead of
     * storing the empty rest of the stream; weak, so a stream is forgotten with its datum.
     */
    private final Set<InputStream> readStreams = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    PayloadStore(RegistrySettings settings, boolean imageMetadata) {
        this.settings = settings;
        this.imageMetadata = imageMetadata;
        this.registries = new Registries(settings);
        SimpleModule bsonTypes = new SimpleModule("datalake-bson-types");
        // Values a JSON-like datum may hold that Jackson cannot write on its own: written as their usual strings.
        bsonTypes.addSerializer(ObjectId.class, ToStringSerializer.instance);
        bsonTypes.addSerializer(Instant.class, ToStringSerializer.instance);
        // FAIL_ON_EMPTY_BEANS stays on: a POJO with no properties would otherwise be stored as {} and its content lost.
        this.json = new ObjectMapper().registerModule(bsonTypes);
    }

    /**
     * Where a new datum's data goes, decided before anything is written: it stays in the document, or it is
     * uploaded to a registry before the datum is inserted.
     */
    sealed interface Placement {
        /** The data stays in the datum's document. */
        Placement INLINE = new Inline();

        /** The data stays in the datum's document. */
        record Inline() implements Placement {
        }

        /**
         * The data goes to registry {@code uri}, encoded by its type: bytes as they are, streams and files read
         * once, other values as JSON.
         */
        record Upload(String uri) implements Placement {
        }

        /**
         * An inline value too large for the document, offloaded to registry {@code uri} as the BSON document
         * {@code {v: value}} (its bytes already encoded for measuring) so dates, ids, binaries, decimals and longs
         * keep their types.
         */
        record BsonUpload(String uri, RawBsonDocument encoded, @Nullable Object storable) implements Placement {
        }
    }

    /**
     * A payload written to a registry.
     *
     * @param blob where it is
     * @param info its content type, size and hash
     * @param data the value {@code getDatum} will return for it, or null when it is not held in memory (streams
     *     and files)
     * @param imageInfo what {@link ImageInfo} read from an image payload's head, for {@code metadata.image_info};
     *     null for other payloads and when image metadata is off
     */
    record Stored(StoredBlob blob, PayloadInfo info, @Nullable Object data, @Nullable Document imageInfo) {
    }

    int concurrency() {
        return settings.payloadConcurrency();
    }

    /** The lake's registries and allow-list, for whole-lake work (fsck, gc) that looks objects up itself. */
    Registries registries() {
        return registries;
    }

    /**
     * Decides where a new datum's data goes, checking before anything is written that its document fits MongoDB's
     * limit: inline when it has no registry and its whole document is within the inline limit (the common case,
     * decided without measuring anything again), else by the sizes of its data and metadata.
     *
     * @param datum the new datum
     * @param storable its data converted for storage (null for a registry datum)
     * @param metadata its metadata converted for storage
     * @param inlineDocumentBytes the encoded size of its document with the data inline; ignored for a registry
     *     datum
     * @return the placement
     * @throws DatumValidationException if the metadata leaves no room in a document, or the data is too large to
     *     stay inline and no default registry is configured
     */
    Placement decide(NewDatum datum, @Nullable Object storable, Document metadata, long inlineDocumentBytes) {
        String uri = datum.registryUri();
        // The whole encoded document bounds the data's share of it: no need to measure the parts.
        if (uri == null && inlineDocumentBytes <= settings.inlineLimitBytes()) {
            return Placement.INLINE;
        }
        // A datum whose metadata alone cannot fit in a MongoDB document would otherwise leave its payload behind
        // and fail at the insert.
        long metadataSize = encodedSize(metadata);
        // A byte payload that turns out to be an image gains image_info after its upload: its room is kept now.
        boolean mayBeImage = uri != null || datum.data() instanceof byte[] || datum.data() instanceof ByteBuffer;
        long imageRoom = imageMetadata && mayBeImage ? ImageInfo.MAX_ENCODED_BYTES : 0;
        if (metadataSize + imageRoom + OTHER_FIELDS_BYTES > MAX_DOCUMENT_BYTES) {
            throw new DatumValidationException("metadata" + describe(datum) + ": encoded size "
                    + metadataSize + " bytes leaves no room in MongoDB's " + MAX_DOCUMENT_BYTES
                    + "-byte document limit; keep large values in data, stored in a registry");
        }
        if (uri != null) {
            return new Placement.Upload(uri);
        }
        Object data = datum.data();
        RawBsonDocument encoded = mayBeLarge(data) ? encodeValue(storable) : null;
        long size = encoded != null ? encoded.getByteBuffer().remaining() : 0;
        boolean fits = size + metadataSize + OTHER_FIELDS_BYTES <= MAX_DOCUMENT_BYTES;
        if (size <= settings.inlineLimitBytes() && fits) {
            return Placement.INLINE;
        }
        String defaultUri = settings.defaultRegistry();
        if (defaultUri == null) {
            throw new DatumValidationException("data" + describe(datum) + ": encoded size "
                    + size + " bytes" + (fits
                            ? " exceeds the inline limit of " + settings.inlineLimitBytes() + " bytes"
                            : " with " + metadataSize + " bytes of metadata exceeds MongoDB's "
                                    + MAX_DOCUMENT_BYTES + "-byte document limit")
                    + "; store it in a registry (registryUri) or configure"
                    + " RegistrySettings.defaultRegistry");
        }
        return !(data instanceof byte[]) && encoded != null
                ? new Placement.BsonUpload(defaultUri, encoded, storable)
                : new Placement.Upload(defaultUri);
    }

    /**
     * Writes a payload that {@link #decide} sent to a registry; payload first, so a datum never points at a payload
     * that was not written.
     *
     * @param datum the new datum
     * @param placement where its data goes: an {@link Placement.Upload} or a {@link Placement.BsonUpload}
     * @return the stored payload
     */
    Mono<Stored> write(NewDatum datum, Placement placement) {
        if (placement instanceof Placement.Upload upload) {
            return store(upload.uri(), datum.data(), datum.contentType());
        }
        if (placement instanceof Placement.BsonUpload bson) {
            return storeBson(bson.uri(), bson.encoded(), bson.storable());
        }
        return Mono.error(new IllegalStateException("inline data has no payload to write"));
    }

    private static String describe(NewDatum datum) {
        return datum.id() != null ? " of datum " + datum.id() : "";
    }

    /** Whether a value could exceed an inline limit; only those are encoded to measure them. */
    private static boolean mayBeLarge(@Nullable Object data) {
        return !(data == null || data instanceof Number || data instanceof Boolean
                || data instanceof String string && string.length() < SMALL_STRING);
    }

    /** The BSON document {@code {v: value}}: its size is the value's inline size, its bytes an offloaded payload. */
    private static RawBsonDocument encodeValue(@Nullable Object storable) {
        return new RawBsonDocument(new Document(BSON_VALUE, storable), DOCUMENT_CODEC);
    }

    private static long encodedSize(Document document) {
        return new RawBsonDocument(document, DOCUMENT_CODEC).getByteBuffer().remaining();
    }

    private Mono<Stored> storeBson(String uri, RawBsonDocument encoded, @Nullable Object storable) {
        ByteBuffer buffer = encoded.getByteBuffer().asNIO();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        Object value = BsonValues.fromStored(storable);
        return registry(uri).flatMap(registry -> registry.put(BlobSource.ofBytes(bytes)))
                .map(blob -> stored(blob, PayloadInfo.BSON, value, null));
    }

    /**
     * The content-addressed registry a caller named, opened off the caller's thread: opening may touch the file
     * system (a file registry's canonical path) or build a cloud client, and the caller may be on a non-blocking
     * thread.
     */
    private Mono<ContentAddressedRegistry> registry(String uri) {
        return Mono.fromCallable(() -> new ContentAddressedRegistry(registries.resolve(uri), settings.spoolDirectory()))
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** The registry a stored datum names, resolved against the allow-list off the caller's thread. */
    private Mono<ContentAddressedRegistry> storedRegistry(String uri) {
        // A stored document is untrusted: its registry URI only selects one of the lake's allowed registries.
        return Mono.fromCallable(() -> new ContentAddressedRegistry(registries.resolveStored(uri)))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static @Nullable Object decodeBson(byte[] bytes, String where) {
        try {
            Document document = DOCUMENT_CODEC.decode(new BsonBinaryReader(ByteBuffer.wrap(bytes)),
                    DecoderContext.builder().build());
            return BsonValues.fromStored(document.get(BSON_VALUE));
        } catch (BsonSerializationException | BsonInvalidOperationException e) {
            throw new RegistryException("payload " + where + " is not a valid BSON value: " + e.getMessage(), e);
        }
    }

    /** Stores data in a registry; a byte payload's type is {@code contentType}, else detected from its head. */
    private Mono<Stored> store(String uri, @Nullable Object data, @Nullable String contentType) {
        if (data instanceof byte[] || data instanceof ByteBuffer) {
            byte[] bytes;
            if (data instanceof byte[] array) {
                bytes = array;
            } else {
                ByteBuffer buffer = ((ByteBuffer) data).duplicate();
                bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
            }
            // Detection runs with the upload's preparation off the caller's thread: its first use loads Tika's
            // tables from the class path.
            return registry(uri).flatMap(registry -> {
                String type = ContentTypes.of(bytes, 0, bytes.length, contentType);
                Document image = imageMetadata && ImageInfo.isImage(type)
                        ? ImageInfo.read(bytes, bytes.length, bytes.length, type) : null;
                return registry.put(BlobSource.ofBytes(bytes)).map(blob -> stored(blob, type, bytes, image));
            });
        }
        if (data instanceof InputStream stream) {
            return Mono.defer(() -> {
                claim(stream);
                // The registry owns the stream from here: it reads it once and closes it, even when cancelled
                // before it starts; its head is recorded on the way to detect the type (and an image's, to read
                // its header: the bytes inspected are the bytes stored).
                HeadRecorder recorder = new HeadRecorder(stream, contentType, imageMetadata);
                // Exactly one of the upload (once subscribed) and this guard closes the stream: the guard when the
                // call ends (cancelled, failed) before the upload took it.
                AtomicBoolean owned = new AtomicBoolean();
                return registry(uri)
                        .flatMap(registry -> owned.compareAndSet(false, true) ? registry.put(recorder)
                                : Mono.<StoredBlob>empty())
                        .doFinally(signal -> {
                            if (owned.compareAndSet(false, true)) {
                                recorder.closeQuietly();
                            }
                        })
                        .flatMap(blob -> {
                            String type = recorder.type();
                            if (!recorder.keepsImageHead()) {
                                return Mono.just(stored(blob, type, null, null));
                            }
                            // Off the registry's completion thread (possibly an I/O event loop): headers are parsed.
                            return Mono.fromCallable(() -> stored(blob, type, null, ImageInfo.read(recorder.head(),
                                    recorder.headLength(), blob.size(), type)))
                                    .subscribeOn(Schedulers.boundedElastic());
                        });
            });
        }
        if (data instanceof Path || data instanceof File) {
            Path file = data instanceof File asFile ? asFile.toPath() : (Path) data;
            return registry(uri).flatMap(registry -> {
                // Still on the bounded-elastic thread that opened the registry: these read the file system.
                BlobSource source = BlobSource.ofFile(file);
                FileHead head = imageMetadata ? fileHead(file, contentType)
                        : new FileHead(ContentTypes.of(file, contentType), null);
                return registry.put(source).map(blob -> stored(blob, head.type(), null, head.imageInfo()));
            });
        }
        if (contentType != null) {
            return Mono.error(new DatumValidationException("contentType " + contentType + ": applies to byte"
                    + " payloads (byte[], ByteBuffer, InputStream, Path, File); a "
                    + (data == null ? "null" : data.getClass().getName()) + " value is stored as "
                    + PayloadInfo.JSON));
        }
        byte[] encoded;
        try {
            encoded = json.writeValueAsBytes(data);
        } catch (JsonProcessingException | RuntimeException e) {
            // A Jackson failure (no properties, a getter that throws, a cycle) is a problem with the datum's value.
            return Mono.error(new DatumValidationException("data: cannot encode a value of type "
                    + (data == null ? "null" : data.getClass().getName()) + " as JSON: "
                    + (e instanceof JsonProcessingException jsonError ? jsonError.getOriginalMessage()
                            : e.toString()), e));
        }
        Object decoded = decodeJson(encoded, uri);
        return registry(uri).flatMap(registry -> registry.put(BlobSource.ofBytes(encoded)))
                .map(blob -> stored(blob, PayloadInfo.JSON, decoded, null));
    }

    /** A file payload's content type and, for an image, its {@code image_info}. */
    private record FileHead(String type, @Nullable Document imageInfo) {
    }

    /**
     * Reads a file's head once for both its content type (the first {@link ContentTypes#HEAD_BYTES}, unless the
     * caller chose a type) and, when that is an image type, its header (up to {@link ImageInfo#HEAD_BYTES}); a
     * file that is not an image is read no further than before.
     */
    private static FileHead fileHead(Path file, @Nullable String contentType) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = contentType != null ? new byte[0] : in.readNBytes(ContentTypes.HEAD_BYTES);
            String type = ContentTypes.of(head, 0, head.length, contentType);
            if (!ImageInfo.isImage(type)) {
                return new FileHead(type, null);
            }
            byte[] rest = in.readNBytes(ImageInfo.HEAD_BYTES - head.length);
            byte[] all = Arrays.copyOf(head, head.length + rest.length);
            System.arraycopy(rest, 0, all, head.length, rest.length);
            long size = all.length < ImageInfo.HEAD_BYTES ? all.length : Files.size(file);
            return new FileHead(type, ImageInfo.read(all, all.length, size, type));
        } catch (IOException e) {
            // The upload reads the file again and reports its own error; the type is not worth failing for.
            LOG.debug("cannot read the head of {} to detect its type: {}", file, e.toString());
            return new FileHead(contentType != null ? contentType : PayloadInfo.BYTES, null);
        }
    }

    /**
     * Passes a stream through and keeps a copy of its first bytes, so the payload's type is detected (and an image's
     * header read) from the bytes the registry read instead of from a separate read ahead that a cancellation could
     * strand. Without a caller's type it keeps {@link ContentTypes#HEAD_BYTES} and detects the type from them; an
     * image type (detected or the caller's) makes it keep up to {@link ImageInfo#HEAD_BYTES}.
     */
    private static final class HeadRecorder extends FilterInputStream {
        private final boolean images;
        private byte[] head = new byte[0];
        private int headLength;
        /** Bytes to keep: the detection head until the type is known, then the image head or no more. */
        private int limit;
        private @Nullable String type;
        private final byte[] single = new byte[1];

        HeadRecorder(InputStream in, @Nullable String contentType, boolean images) {
            super(in);
            this.images = images;
            if (contentType != null) {
                type = contentType;
                limit = images && ImageInfo.isImage(contentType) ? ImageInfo.HEAD_BYTES : 0;
            } else {
                limit = ContentTypes.HEAD_BYTES;
            }
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0 && headLength < limit) {
                single[0] = (byte) b;
                record(single, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0 && headLength < limit) {
                record(buffer, offset, n);
            }
            return n;
        }

        private void record(byte[] buffer, int offset, int length) {
            int from = offset;
            int left = length;
            while (left > 0 && headLength < limit) {
                if (headLength == head.length) {
                    // Grown as the bytes come: a small payload never costs the whole head.
                    head = Arrays.copyOf(head, Math.min(limit, Math.max(4096, head.length * 2)));
                }
                int kept = Math.min(left, head.length - headLength);
                System.arraycopy(buffer, from, head, headLength, kept);
                headLength += kept;
                from += kept;
                left -= kept;
                if (type == null && headLength >= ContentTypes.HEAD_BYTES) {
                    decide();
                }
            }
        }

        /** Detects the type from the detection head; an image keeps its head growing. */
        private String decide() {
            String detected = ContentTypes.of(head, 0, headLength, null);
            type = detected;
            limit = images && ImageInfo.isImage(detected) ? ImageInfo.HEAD_BYTES : headLength;
            return detected;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes would escape the head; the registry reads every byte anyway.
            byte[] sink = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            return Math.max(read(sink, 0, sink.length), 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        /** The payload's type: the caller's, else detected from its head; call once the stream is read. */
        String type() {
            String known = type;
            return known != null ? known : decide();
        }

        /** Whether the head kept is an image's, to be read by {@link ImageInfo}; call after {@link #type()}. */
        boolean keepsImageHead() {
            return images && ImageInfo.isImage(type());
        }

        byte[] head() {
            return head;
        }

        int headLength() {
            return headLength;
        }

        void closeQuietly() {
            try {
                close();
            } catch (IOException e) {
                LOG.debug("closing a payload stream failed: {}", e.toString());
            }
        }
    }

    /**
     * Closes a datum's payload stream that the store never started to read, because the add ended (cancelled,
     * failed on its parent check) before its payload's turn: the caller handed the stream over to be read once and
     * closed. The stream is marked as read, so a second attempt fails clearly instead of reading a closed stream;
     * a stream the upload has claimed is left to the upload, which closes it.
     */
    void releaseUnread(NewDatum datum) {
        if (datum.data() instanceof InputStream stream && readStreams.add(stream)) {
            try {
                stream.close();
            } catch (IOException e) {
                LOG.debug("closing an unread payload stream failed: {}", e.toString());
            }
        }
    }

    /** Marks a stream as being read; a stream can be stored once, since its bytes are gone after that. */
    private void claim(InputStream stream) {
        if (!readStreams.add(stream)) {
            throw new DatumValidationException("data: the InputStream " + stream.getClass().getName()
                    + " was already read by an earlier attempt (a retry or a second subscription) and cannot be"
                    + " stored again; pass a byte[], Path or File for data that must survive a retry");
        }
    }

    private static Stored stored(StoredBlob blob, String contentType, @Nullable Object data,
            @Nullable Document imageInfo) {
        return new Stored(blob, new PayloadInfo(contentType, blob.size(), blob.sha256()), data, imageInfo);
    }

    /**
     * Returns the datum with its registry payload loaded into {@code data}; inline datums are returned as they
     * are.
     *
     * @param datum a datum read from MongoDB
     * @param cache payloads already fetched by this call, or null
     */
    Mono<Datum> load(Datum datum, @Nullable PayloadCache cache) {
        String uri = datum.registryUri();
        String key = datum.registryKey();
        if (uri == null || key == null) {
            return Mono.just(datum);
        }
        PayloadInfo info = datum.payload();
        String sha256 = info != null ? info.sha256() : null;
        long size = info != null ? info.size() : -1;
        Mono<Datum> loaded;
        if (cache == null) {
            loaded = fetch(uri, key, sha256, size).map(bytes -> datum.withData(decode(bytes, info, uri, key)));
        } else {
            // The cache holds verified bytes only, keyed by everything their verification depends on; each datum
            // decodes them by its own content type, so two datums sharing bytes never share a decoded value, and
            // only one of them may receive the cached array itself.
            PayloadCache.Entry entry = cache.entries.computeIfAbsent(new BlobKey(uri, key, sha256, size),
                    k -> new PayloadCache.Entry(fetch(uri, key, sha256, size).cache()));
            loaded = entry.bytes.map(bytes -> datum.withData(decode(entry.claim(bytes, info), info, uri, key)));
        }
        return loaded.onErrorMap(RegistryException.class, e -> ofDatum(datum, e));
    }

    /**
     * Payloads fetched by one read, so a payload shared by many datums of that read is fetched and verified once.
     * Thread-safe.
     */
    static final class PayloadCache {
        private final Map<BlobKey, Entry> entries = new ConcurrentHashMap<>();

        /** The bytes of one stored object, and whether the array itself has been handed to a datum. */
        private static final class Entry {
            private final Mono<byte[]> bytes;
            private final AtomicBoolean handedOut = new AtomicBoolean();

            Entry(Mono<byte[]> bytes) {
                this.bytes = bytes;
            }

            /**
             * The array a datum may keep: the cached array once (to a datum whose value is the array itself), a
             * copy after that; decoders that only read it get the cached array. {@code getData} emits no datum
             * before all are loaded, so no caller can change the handed-out array while another datum decodes it.
             */
            byte[] claim(byte[] cached, @Nullable PayloadInfo info) {
                if (decodesToValue(info)) {
                    return cached;
                }
                return handedOut.compareAndSet(false, true) ? cached : cached.clone();
            }
        }
    }

    /** Everything a fetch's outcome depends on: where the object is and what it must hash to and measure. */
    private record BlobKey(String uri, String key, @Nullable String sha256, long size) {
    }

    private static boolean decodesToValue(@Nullable PayloadInfo info) {
        String type = info != null ? info.contentType() : PayloadInfo.BYTES;
        return PayloadInfo.JSON.equals(type) || PayloadInfo.BSON.equals(type);
    }

    /** The payload's value for a datum: JSON and BSON payloads decoded to fresh values, other types as bytes. */
    private @Nullable Object decode(byte[] bytes, @Nullable PayloadInfo info, String uri, String key) {
        String type = info != null ? info.contentType() : PayloadInfo.BYTES;
        if (PayloadInfo.JSON.equals(type)) {
            return decodeJson(bytes, uri + " key " + key);
        }
        return PayloadInfo.BSON.equals(type) ? decodeBson(bytes, uri + " key " + key) : bytes;
    }

    private Mono<byte[]> fetch(String uri, String key, @Nullable String sha256, long size) {
        return storedRegistry(uri).flatMap(registry -> registry.getBytes(key, sha256, size));
    }

    /** Streams a registry datum's payload, verified as it passes. */
    Flux<ByteBuffer> stream(Datum datum) {
        String uri = datum.registryUri();
        String key = datum.registryKey();
        if (uri == null || key == null) {
            return Flux.error(new InvalidArgumentException("datum " + datum.id()
                    + " has no registry payload: its data is inline"));
        }
        PayloadInfo info = datum.payload();
        return storedRegistry(uri)
                .flatMapMany(registry -> registry.get(key, info != null ? info.sha256() : null,
                        info != null ? info.size() : -1))
                .onErrorMap(RegistryException.class, e -> ofDatum(datum, e));
    }

    /** Names the datum in a registry failure, keeping a refused registry's own type. */
    private static RegistryException ofDatum(Datum datum, RegistryException e) {
        String message = "payload of datum " + datum.id() + ": " + e.getMessage();
        return e instanceof RegistryNotAllowedException refused
                ? new RegistryNotAllowedException(message, refused.registryUri())
                : new RegistryException(message, e);
    }

    /** A fresh per-call cache so a payload shared by many datums of one read is fetched once. */
    static PayloadCache newCache() {
        return new PayloadCache();
    }

    private @Nullable Object decodeJson(byte[] bytes, String where) {
        try {
            return jsonLike(json.readValue(bytes, Object.class));
        } catch (IOException e) {
            throw new RegistryException("payload " + where + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Jackson's maps and lists made unmodifiable, and big integers as decimals, like inline values. */
    private static @Nullable Object jsonLike(@Nullable Object value) {
        if (value instanceof Map) {
            Map<String, @Nullable Object> map = new LinkedHashMap<>();
            ((Map<?, ?>) value).forEach((k, v) -> map.put(String.valueOf(k), jsonLike(v)));
            return Collections.unmodifiableMap(map);
        }
        if (value instanceof List) {
            List<@Nullable Object> list = new ArrayList<>();
            ((List<?>) value).forEach(v -> list.add(jsonLike(v)));
            return Collections.unmodifiableList(list);
        }
        if (value instanceof BigInteger big) {
            return new BigDecimal(big);
        }
        return value;
    }

    static Document toDocument(PayloadInfo info) {
        return new Document(CONTENT_TYPE, info.contentType()).append(SIZE, info.size()).append(SHA256, info.sha256());
    }

    static @Nullable PayloadInfo fromStored(@Nullable Map<String, Object> stored) {
        if (stored != null && stored.get(CONTENT_TYPE) instanceof String contentType
                && stored.get(SIZE) instanceof Number size && stored.get(SHA256) instanceof String sha256) {
            return new PayloadInfo(contentType, size.longValue(), sha256);
        }
        return null;
    }

    /**
     * Tells whether an object exists in a registry this lake just wrote to (garbage collection's writer check).
     *
     * @param uri the canonical URI a write reported
     * @param key the key
     */
    Mono<Boolean> exists(String uri, String key) {
        return Mono.fromCallable(() -> registries.resolve(uri)).subscribeOn(Schedulers.boundedElastic())
                .flatMap(backend -> backend.exists(key));
    }

    @Override
    public void close() {
        registries.close();
    }
}
