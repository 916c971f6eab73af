package io.datalake.registry;

import io.datalake.InvalidArgumentException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One object of a registry listing with the metadata the listing itself returns: its key, its size and when it was
 * last written. Garbage collection uses the time to keep objects younger than its grace period; an object whose time
 * is unknown is never collected.
 *
 * @param key the object's key
 * @param size the size in bytes, or {@link RegistryBackend#UNKNOWN_SIZE}
 * @param lastModified when the object was last written (file modification time, S3 {@code LastModified}, GCS update
 *     time), or null when the store cannot tell
 */
public record BlobInfo(String key, long size, @Nullable Instant lastModified) {
    /**
     * Checks the fields.
     *
     * @throws InvalidArgumentException if the key is null or the size is below {@link RegistryBackend#UNKNOWN_SIZE}
     */
    public BlobInfo {
        if (key == null) {
            throw new InvalidArgumentException("blob key must not be null");
        }
        if (size < RegistryBackend.UNKNOWN_SIZE) {
            throw new InvalidArgumentException("blob size must be >= -1, got " + size);
        }
    }

    /**
     * Returns the listing entry of a key whose size and age are unknown.
     *
     * @param key the key
     * @return the entry
     */
    public static BlobInfo unknown(String key) {
        return new BlobInfo(key, RegistryBackend.UNKNOWN_SIZE, null);
    }
}
