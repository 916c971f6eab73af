package io.datalake.registry;

/**
 * Where a content-addressed payload was stored: what {@link ContentAddressedRegistry#put} reports.
 *
 * @param registryUri the canonical URI of the registry
 * @param key the key, derived from the SHA-256 ({@code ab/cd/<hash>})
 * @param sha256 the SHA-256 of the bytes, 64 lower-case hex digits
 * @param size the number of bytes
 * @param uploaded false when an identical object was already stored and the upload was skipped
 */
public record StoredBlob(String registryUri, String key, String sha256, long size, boolean uploaded) {
}
