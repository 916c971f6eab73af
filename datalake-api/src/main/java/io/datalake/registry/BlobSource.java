package io.datalake.registry;

import io.datalake.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Bytes to store in a registry: an in-memory array or a file, either of which can be read more than once (so a
 * failed upload can be retried) and whose size is known up front (so backends can stream with a content length and
 * choose multipart uploads).
 */
public final class BlobSource {
    private final byte @Nullable [] bytes;
    private final @Nullable Path file;
    private final long size;

    private BlobSource(byte @Nullable [] bytes, @Nullable Path file, long size) {
        this.bytes = bytes;
        this.file = file;
        this.size = size;
    }

    /**
     * Wraps an array; the array is not copied and must not change while it is stored.
     *
     * @param bytes the bytes
     * @return the source
     */
    public static BlobSource ofBytes(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidArgumentException("blob bytes must not be null");
        }
        return new BlobSource(bytes, null, bytes.length);
    }

    /**
     * Wraps a regular file; its size is read now and the file must not change while it is stored.
     *
     * @param file the file
     * @return the source
     * @throws InvalidArgumentException if the file is not a readable regular file or its size cannot be read
     */
    public static BlobSource ofFile(Path file) {
        if (file == null || !Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new InvalidArgumentException("blob file " + file + " is not a readable regular file");
        }
        try {
            return new BlobSource(null, file, Files.size(file));
        } catch (IOException e) {
            throw new InvalidArgumentException("blob file " + file + ": cannot read its size: " + e, e);
        }
    }

    /**
     * Returns the number of bytes.
     *
     * @return the size
     */
    public long size() {
        return size;
    }

    /**
     * Returns the array behind this source.
     *
     * @return the array, or null for a file source
     */
    public byte @Nullable [] bytes() {
        return bytes;
    }

    /**
     * Returns the file behind this source.
     *
     * @return the file, or null for an array source
     */
    public @Nullable Path file() {
        return file;
    }

    /**
     * Opens a new stream over the bytes; the caller closes it.
     *
     * @return a stream positioned at the first byte
     * @throws IOException if the file cannot be opened
     */
    public InputStream openStream() throws IOException {
        return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
    }

    @Override
    public String toString() {
        return bytes != null ? "BlobSource{bytes, size=" + size + "}" : "BlobSource{file=" + file + ", size=" + size + "}";
    }
}
