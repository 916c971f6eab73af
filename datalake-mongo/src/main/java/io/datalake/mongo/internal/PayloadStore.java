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
import io.datalake.registry.internal.ContentAddressedRegistry;
import io.datalake.registry.internal.Registries;
import io.datalake.registry.internal.StoredBlob;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Moves datum payloads between the lake and its registries: decides whether data stays inline or goes to a
 * registry (the datum's own, or the default one for oversized inline data), encodes it (bytes as they are,
 * oversized inline values as BSON so they keep their types, other values as JSON), stores it content-addressed, and
 * loads and verifies it back. Checks that the datum's document fits MongoDB's limit before writing anything. Owns
 * the lake's registry handles.
 */
final class PayloadStore implements AutoCloseable {
    /** Name of the stored sub-document describing a registry payload. */
    static final String PAYLOAD = "payload";
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
    private final Registries registries;
    private final ObjectMapper json;
    /**
     * Streams this lake has started to read, so a second attempt (a retry, a re-subscription) fails instead of
     * storing the empty rest of the stream; weak, so a stream is forgotten with its datum.
     */
    private final Set<InputStream> readStreams = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    PayloadStore(RegistrySettings settings) {
        this.settings = settings;
        this.registries = new Registries(settings);
        SimpleModule bsonTypes = new SimpleModule("datalake-bson-types");
        // Values a JSON-like datum may hold that Jackson cannot write on its own: written as their usual strings.
        bsonTypes.addSerializer(ObjectId.class, ToStringSerializer.instance);
        bsonTypes.addSerializer(Instant.class, ToStringSerializer.instance);
        // FAIL_ON_EMPTY_BEANS stays on: a POJO with no properties would otherwise be stored as {} and its content lost.
        this.json = new ObjectMapper().registerModule(bsonTypes);
    }

    /** Where a new datum's data goes: inline (no stored payload) or a registry payload already written. */
    record Placement(@Nullable Stored stored) {
        static final Placement INLINE = new Placement(null);
    }

    /**
     * A payload written to a registry.
     *
     * @param blob where it is
     * @param info its content type, size and hash
     * @param data the value {@code getDatum} will return for it, or null when it is not held in memory (streams
     *     and files)
     */
    record Stored(StoredBlob blob, PayloadInfo info, @Nullable Object data) {
    }

    int concurrency() {
        return settings.payloadConcurrency();
    }

    /**
     * Writes a datum's payload to its registry if it has one or if its inline data is too large; payload first,
     * so a datum never points at a payload that was not written.
     */
    Mono<Placement> place(NewDatum datum, long encodedDocumentBytes) {
        // The whole encoded document bounds the data's share of it: no need to measure the parts again.
        if (datum.registryUri() == null && encodedDocumentBytes <= settings.inlineLimitBytes()) {
            return Mono.just(Placement.INLINE);
        }
        return place(datum);
    }

    /**
     * Writes a datum's payload to its registry if it has one or if its inline data is too large, measuring the
     * data and metadata; payload first, so a datum never points at a payload that was not written.
     */
    Mono<Placement> place(NewDatum datum) {
        return Mono.defer(() -> {
            String uri = datum.registryUri();
            Object data = datum.data();
            // Checked before any payload is written: a datum whose metadata alone cannot fit in a MongoDB
            // document would otherwise leave its payload behind and fail at the insert.
            long metadataSize = encodedSize(BsonValues.toDocument(datum.metadata(), "metadata"));
            if (metadataSize + OTHER_FIELDS_BYTES > MAX_DOCUMENT_BYTES) {
                return Mono.error(new DatumValidationException("metadata" + describe(datum) + ": encoded size "
                        + metadataSize + " bytes leaves no room in MongoDB's " + MAX_DOCUMENT_BYTES
                        + "-byte document limit; keep large values in data, stored in a registry"));
            }
            if (uri == null) {
                Object storable = mayBeLarge(data) ? BsonValues.toStorable(data, "data") : null;
                RawBsonDocument encoded = storable != null ? encodeValue(storable) : null;
                long size = encoded != null ? encoded.getByteBuffer().remaining() : 0;
                boolean fits = size + metadataSize + OTHER_FIELDS_BYTES <= MAX_DOCUMENT_BYTES;
                if (size <= settings.inlineLimitBytes() && fits) {
                    return Mono.just(Placement.INLINE);
                }
                uri = settings.defaultRegistry();
                if (uri == null) {
                    return Mono.error(new DatumValidationException("data" + describe(datum) + ": encoded size "
                            + size + " bytes" + (fits
                                    ? " exceeds the inline limit of " + settings.inlineLimitBytes() + " bytes"
                                    : " with " + metadataSize + " bytes of metadata exceeds MongoDB's "
                                            + MAX_DOCUMENT_BYTES + "-byte document limit")
                            + "; store it in a registry (registryUri) or configure"
                            + " RegistrySettings.defaultRegistry"));
                }
                if (!(data instanceof byte[]) && encoded != null) {
                    // Stored as BSON, not JSON, so dates, ids, binaries, decimals and longs keep their types.
                    return storeBson(uri, encoded, storable).map(Placement::new);
                }
            }
            return store(uri, data, datum.contentType()).map(Placement::new);
        });
    }

    private static String describe(NewDatum datum) {
        return datum.id() != null ? " of datum " + datum.id() : "";
    }

    /** Whether a value could exceed an inline limit; only those are encoded to measure them. */
    private static boolean mayBeLarge(@Nullable Object data) {
        return !(data == null || data instanceof Number || data instanceof Boolean
                || data instanceof String && ((String) data).length() < SMALL_STRING);
    }

    /** The BSON document {@code {v: value}}: its size is the value's inline size, its bytes an offloaded payload. */
    private static RawBsonDocument encodeValue(@Nullable Object storable) {
        return new RawBsonDocument(new Document(BSON_VALUE, storable), DOCUMENT_CODEC);
    }

    private static long encodedSize(Document document) {
        return new RawBsonDocument(document, DOCUMENT_CODEC).getByteBuffer().remaining();
    }

    private Mono<Stored> storeBson(String uri, RawBsonDocument encoded, @Nullable Object storable) {
        ContentAddressedRegistry registry = new ContentAddressedRegistry(registries.resolve(uri),
                settings.spoolDirectory());
        ByteBuffer buffer = encoded.getByteBuffer().asNIO();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        Object value = BsonValues.fromStored(storable);
        return registry.put(BlobSource.ofBytes(bytes)).map(blob -> stored(blob, PayloadInfo.BSON, value));
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
        ContentAddressedRegistry registry = new ContentAddressedRegistry(registries.resolve(uri),
                settings.spoolDirectory());
        if (data instanceof byte[]) {
            byte[] bytes = (byte[]) data;
            String type = ContentTypes.of(bytes, 0, bytes.length, contentType);
            return registry.put(BlobSource.ofBytes(bytes)).map(blob -> stored(blob, type, bytes));
        }
        if (data instanceof ByteBuffer) {
            ByteBuffer buffer = ((ByteBuffer) data).duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            String type = ContentTypes.of(bytes, 0, bytes.length, contentType);
            return registry.put(BlobSource.ofBytes(bytes)).map(blob -> stored(blob, type, bytes));
        }
        if (data instanceof InputStream) {
            InputStream stream = (InputStream) data;
            return Mono.fromCallable(() -> {
                claim(stream);
                return ContentTypes.peek(stream, contentType);
            }).flatMap(peeked -> registry.put(peeked.stream())
                    .map(blob -> stored(blob, peeked.contentType(), null)));
        }
        if (data instanceof Path || data instanceof File) {
            Path file = data instanceof File ? ((File) data).toPath() : (Path) data;
            return Mono.fromCallable(() -> BlobSource.ofFile(file))
                    .flatMap(source -> {
                        String type = ContentTypes.of(file, contentType);
                        return registry.put(source).map(blob -> stored(blob, type, null));
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
                    + data.getClass().getName() + " as JSON: "
                    + (e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage()
                            : e.toString()), e));
        }
        Object decoded = decodeJson(encoded, uri);
        return registry.put(BlobSource.ofBytes(encoded)).map(blob -> stored(blob, PayloadInfo.JSON, decoded));
    }

    /** Marks a stream as being read; a stream can be stored once, since its bytes are gone after that. */
    private void claim(InputStream stream) {
        if (!readStreams.add(stream)) {
            throw new DatumValidationException("data: the InputStream " + stream.getClass().getName()
                    + " was already read by an earlier attempt (a retry or a second subscription) and cannot be"
                    + " stored again; pass a byte[], Path or File for data that must survive a retry");
        }
    }

    private static Stored stored(StoredBlob blob, String contentType, @Nullable Object data) {
        return new Stored(blob, new PayloadInfo(contentType, blob.size(), blob.sha256()), data);
    }

    /**
     * Returns the datum with its registry payload loaded into {@code data}; inline datums are returned as they
     * are.
     *
     * @param datum a datum read from MongoDB
     * @param cache payloads already fetched by this call, by URI and key, or null
     */
    Mono<Datum> load(Datum datum, @Nullable Map<String, Mono<@Nullable Object>> cache) {
        String uri = datum.registryUri();
        String key = datum.registryKey();
        if (uri == null || key == null) {
            return Mono.just(datum);
        }
        Mono<@Nullable Object> fetch = Mono.defer(() -> fetch(datum, uri, key));
        if (cache != null) {
            fetch = cache.computeIfAbsent(uri + "\n" + key, k -> Mono.defer(() -> fetch(datum, uri, key)).cache());
        }
        return fetch.map(Wrapper::new)
                .defaultIfEmpty(new Wrapper(null))
                .map(w -> datum.withData(w.value))
                .onErrorMap(RegistryException.class, e -> ofDatum(datum, e));
    }

    /** Lets a null payload value (JSON {@code null}) travel through a Mono, which cannot carry null. */
    private record Wrapper(@Nullable Object value) {
    }

    private Mono<@Nullable Object> fetch(Datum datum, String uri, String key) {
        PayloadInfo info = datum.payload();
        // A stored document is untrusted: its registry URI only selects one of the lake's allowed registries.
        ContentAddressedRegistry registry = new ContentAddressedRegistry(registries.resolveStored(uri));
        return registry.getBytes(key, info != null ? info.sha256() : null, info != null ? info.size() : -1)
                .mapNotNull(bytes -> {
                    String type = info != null ? info.contentType() : PayloadInfo.BYTES;
                    if (PayloadInfo.JSON.equals(type)) {
                        return decodeJson(bytes, uri + " key " + key);
                    }
                    return PayloadInfo.BSON.equals(type) ? decodeBson(bytes, uri + " key " + key) : bytes;
                });
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
        return Flux.defer(() -> new ContentAddressedRegistry(registries.resolveStored(uri))
                        .get(key, info != null ? info.sha256() : null, info != null ? info.size() : -1))
                .onErrorMap(RegistryException.class, e -> ofDatum(datum, e));
    }

    /** Names the datum in a registry failure, keeping a refused registry's own type. */
    private static RegistryException ofDatum(Datum datum, RegistryException e) {
        String message = "payload of datum " + datum.id() + ": " + e.getMessage();
        return e instanceof RegistryNotAllowedException
                ? new RegistryNotAllowedException(message, ((RegistryNotAllowedException) e).registryUri())
                : new RegistryException(message, e);
    }

    /** A fresh per-call cache so a payload shared by many datums of one read is fetched once. */
    static Map<String, Mono<@Nullable Object>> newCache() {
        return new ConcurrentHashMap<>();
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
        if (value instanceof BigInteger) {
            return new BigDecimal((BigInteger) value);
        }
        return value;
    }

    static Document toDocument(PayloadInfo info) {
        return new Document(CONTENT_TYPE, info.contentType()).append(SIZE, info.size()).append(SHA256, info.sha256());
    }

    static @Nullable PayloadInfo fromStored(@Nullable Map<String, Object> stored) {
        if (stored == null || !(stored.get(CONTENT_TYPE) instanceof String) || !(stored.get(SIZE) instanceof Number)
                || !(stored.get(SHA256) instanceof String)) {
            return null;
        }
        return new PayloadInfo((String) stored.get(CONTENT_TYPE), ((Number) stored.get(SIZE)).longValue(),
                (String) stored.get(SHA256));
    }

    @Override
    public void close() {
        registries.close();
    }
}
