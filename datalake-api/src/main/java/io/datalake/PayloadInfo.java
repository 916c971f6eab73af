package io.datalake;

/**
 * What a registry datum's payload is, recorded on the datum so a reader can decide how to decode it, or whether
 * to fetch it at all, without fetching it.
 *
 * <p>Stored as the datum's {@code payload} sub-document: {@code content_type}, {@code size}, {@code sha256}.
 *
 * @param contentType {@value #BYTES} for byte arrays, streams and files (read back as {@code byte[]}),
 *     {@value #JSON} for any other value (encoded with Jackson, read back as JSON-like values)
 * @param size the payload's size in bytes
 * @param sha256 the SHA-256 of the payload's bytes, 64 lower-case hex digits; every read verifies it
 */
public record PayloadInfo(String contentType, long size, String sha256) {
    /** Content type of raw bytes. */
    public static final String BYTES = "application/octet-stream";
    /** Content type of a value encoded as JSON. */
    public static final String JSON = "application/json";
}
