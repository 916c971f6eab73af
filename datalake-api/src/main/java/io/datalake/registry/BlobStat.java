package io.datalake.registry;

import io.datalake.InvalidArgumentException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a registry's metadata lookup tells about a stored object, without reading it: its size and the checksums
 * the store itself keeps and verifies, so content-addressed storage can tell cheaply whether an existing object
 * still holds the bytes its key names.
 *
 * @param size the size in bytes, or {@link RegistryBackend#UNKNOWN_SIZE} when the store cannot tell
 * @param sha256 the whole object's SHA-256 as the store computed it on upload (64 lower-case hex digits), or null
 *     when the store keeps none (a file, an S3 object uploaded without it, the composite checksum of a multipart
 *     upload, which is not the object's SHA-256)
 * @param crc32c the whole object's CRC32C as the store keeps it (8 lower-case hex digits, big-endian), or null
 */
public record BlobStat(long size, @Nullable String sha256, @Nullable String crc32c) {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CRC32C_HEX = Pattern.compile("[0-9a-f]{8}");

    /**
     * Checks the fields.
     *
     * @throws InvalidArgumentException if a checksum is not in the documented form or the size is below
     *     {@link RegistryBackend#UNKNOWN_SIZE}
     */
    public BlobStat {
        if (size < RegistryBackend.UNKNOWN_SIZE) {
            throw new InvalidArgumentException("blob size must be >= -1, got " + size);
        }
        if (sha256 != null && !SHA256_HEX.matcher(sha256).matches()) {
            throw new InvalidArgumentException("not a lower-case hex SHA-256: '" + sha256 + "'");
        }
        if (crc32c != null && !CRC32C_HEX.matcher(crc32c).matches()) {
            throw new InvalidArgumentException("not 8 lower-case hex digits of a CRC32C: '" + crc32c + "'");
        }
    }

    /**
     * Returns a stat with a size and no checksum.
     *
     * @param size the size, or {@link RegistryBackend#UNKNOWN_SIZE}
     * @return the stat
     */
    public static BlobStat ofSize(long size) {
        return new BlobStat(size, null, null);
    }
}
