package io.datalake.registry;

import io.datalake.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Bytes to store in a registry: an in-memory array or a file, either of which can be read more than once (so a
 * failed upload can be retried) and whose size is known up front (so backends can stream with a content length and
 * choose multipart uploads).
 *
 * <p>A source may carry the SHA-256 its bytes must have ({@link #expecting}); content-addressed storage hands
 * backends such sources, because a file can change between the moment it is hashed and the moment it is uploaded.
 * Every stream {@link #openStream()} opens over such a file re-hashes and counts the bytes as they are read, and
 * throws {@link BlobChangedException} instead of returning the final byte when they differ from the expected hash
 * or size (or when the file holds more or fewer bytes), so a backend that reads through it aborts its write and
 * stores nothing. Such a file source reports no {@link #file()}: a backend cannot read the file around the check.
 */
public final class BlobSource {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private final byte @Nullable [] bytes;
    private final @Nullable Path file;
    private final long size;
    private final @Nullable String expectedSha256;

    private BlobSource(byte @Nullable [] bytes, @Nullable Path file, long size, @Nullable String expectedSha256) {
        this.bytes = bytes;
        this.file = file;
        this.size = size;
        this.expectedSha256 = expectedSha256;
    }

    /**
     * Wraps an array; the array is not copied and must not change while it is stored. (Content-addressed storage
     * copies a caller's array before it hashes it, so this holds for every payload the lake stores.)
     *
     * @param bytes the bytes
     * @return the source
     * @throws InvalidArgumentException if {@code bytes} is null
     */
    public static BlobSource ofBytes(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidArgumentException("blob bytes must not be null");
        }
        return new BlobSource(bytes, null, bytes.length, null);
    }

    /**
     * Wraps a regular file; its size is read now. Stored as it is, the file must not change while it is stored;
     * content-addressed storage checks that it did not (see {@link #expecting}).
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
            return new BlobSource(null, file, Files.size(file), null);
        } catch (IOException e) {
            throw new InvalidArgumentException("blob file " + file + ": cannot read its size: " + e, e);
        }
    }

    /**
     * Returns a source over the same bytes that promises they hash to {@code sha256}. Reading a file source through
     * {@link #openStream()} then verifies the promise as the bytes pass (see the class comment), and its
     * {@link #file()} is null so that no backend bypasses the check; an array source is returned with the
     * expectation recorded but not re-checked, since its array must not change anyway.
     *
     * @param sha256 the SHA-256 of the bytes, 64 lower-case hex digits
     * @return the source
     * @throws InvalidArgumentException if {@code sha256} is not a lower-case hex SHA-256
     */
    public BlobSource expecting(String sha256) {
        if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
            throw new InvalidArgumentException("not a lower-case hex SHA-256: '" + sha256 + "'");
        }
        return new BlobSource(bytes, file, size, sha256);
    }

    /**
     * Returns the SHA-256 the bytes must have, for backends that can have the store verify it too.
     *
     * @return 64 lower-case hex digits, or null when the source carries no expectation
     */
    public @Nullable String expectedSha256() {
        return expectedSha256;
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
     * Returns the file behind this source, for backends that upload a file more efficiently than a stream.
     *
     * @return the file, or null for an array source and for a file source that must be read through
     *     {@link #openStream()} because it carries an {@link #expecting expected hash}
     */
    public @Nullable Path file() {
        return expectedSha256 == null ? file : null;
    }

    /**
     * Opens a new stream over the bytes; the caller closes it. Over a file with an expected hash, the stream's
     * reads throw {@link BlobChangedException} (an {@link IOException}) instead of handing over the final byte when
     * the bytes read do not hash to it or are not {@link #size()} bytes.
     *
     * @return a stream positioned at the first byte
     * @throws IOException if the file cannot be opened
     */
    public InputStream openStream() throws IOException {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        InputStream in = Files.newInputStream(file);
        return expectedSha256 == null ? in : new VerifyingStream(in, this);
    }

    @Override
    public String toString() {
        return bytes != null ? "BlobSource{bytes, size=" + size + "}" : "BlobSource{file=" + file + ", size=" + size + "}";
    }

    /**
     * Counts and hashes the bytes as they are read. The check runs when the count reaches the size, not at the end
     * of the stream: a reader that knows the content length (an HTTP client) may stop there and never ask for more.
     */
    private static final class VerifyingStream extends FilterInputStream {
        private final BlobSource source;
        private final MessageDigest digest = newDigest();
        private long count;
        private boolean verified;

        VerifyingStream(InputStream in, BlobSource source) {
            super(in);
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (verified) {
                // The source's size is reached and checked: anything more means the file grew.
                int n = in.read(buffer, offset, 1);
                if (n > 0) {
                    throw changed("more than " + source.size + " bytes");
                }
                return -1;
            }
            long left = source.size - count;
            int n = in.read(buffer, offset, (int) Math.min(length, Math.max(left, 1)));
            if (n < 0) {
                if (count < source.size) {
                    throw changed(count + " bytes instead of " + source.size);
                }
                verify();
                return -1;
            }
            if (n > left) {
                throw changed("more than " + source.size + " bytes");
            }
            digest.update(buffer, offset, n);
            count += n;
            if (count == source.size) {
                verify();
            }
            return n;
        }

        private void verify() throws IOException {
            if (verified) {
                return;
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(source.expectedSha256)) {
                throw changed("SHA-256 " + actual + " instead of " + source.expectedSha256);
            }
            verified = true;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes would escape the hash; read them instead.
            byte[] sink = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            int read = read(sink, 0, sink.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readlimit) {
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }

        private BlobChangedException changed(String what) {
            return new BlobChangedException("file " + source.file + " changed while it was being stored: read "
                    + what + " since it was hashed; nothing was stored, add it again once it is stable");
        }

        private static MessageDigest newDigest() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    }
}
