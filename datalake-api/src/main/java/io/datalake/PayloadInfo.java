package io.datalake;

/**
 * What a registry datum's payload is, recorded on the datum so a reader can decide how to decode it, or whether
 * to fetch it at all, without fetching it.
 *
 * <p>Stored as the datum's {@code payload} sub-document: {@code content_type}, {@code size}, {@code sha256}.
 *
 * @param contentType for byte arrays, buffers, streams and files (read back as {@code byte[]}): the media type
 *     chosen with {@link NewDatum.Builder#contentType(String)}, else the one Apache Tika detects from the first bytes
 *     (such as {@code image/png}, {@code image/jpeg}, {@code application/pdf}, {@code text/plain}), else {@value #BYTES};
 *     {@value #JSON} for any other value given with a registry (encoded with Jackson, read back as JSON-like
 *     values), {@value #BSON} for oversized inline data moved to the default registry (encoded as BSON, read back
 *     with the same types as inline data: {@code Instant}, {@code ObjectId}, {@code byte[]}, {@code BigDecimal},
 *     {@code Long}, ...)
 * @param size the payload's size in bytes
 * @param sha256 the SHA-256 of the payload's bytes, 64 lower-case hex digits; every read verifies it
 */
public record PayloadInfo(String contentType, long size, String sha256) {
    /** Content type of raw bytes whose type was neither given nor recognised. */
    public static final String BYTES = "application/octet-stream";
    /** Content type of a value encoded as JSON. */
    public static final String JSON = "application/json";
    /** Content type of an inline value moved to a registry, encoded as the BSON document {@code {v: value}}. */
    public static final String BSON = "application/bson";
}
