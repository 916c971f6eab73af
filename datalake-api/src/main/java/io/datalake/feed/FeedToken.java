package io.datalake.feed;

import io.datalake.InvalidArgumentException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * A position in the change feed, serialisable as an opaque URL-safe string: store {@link #encode()} and resume with
 * {@code WatchOptions.builder().from(FeedToken.parse(text))}. A token is bound to the filter it was made for
 * (resuming another filter from it fails with {@link FeedTokenMismatchException}).
 *
 * <p>The text is base64url (no padding) over: a format version byte ({@link #VERSION}), the kind of position
 * ({@link Kind}), an 8-byte fingerprint of the filter, the position's state compressed with DEFLATE, and a CRC-32 of
 * all of it, so junk, truncated or altered text is refused by {@link #parse}. Callers treat the content as opaque;
 * the accessors below are for lake implementations. Immutable and thread-safe; a token handed out with an event
 * computes its text on first use.
 */
public final class FeedToken {
    /** The format version written by this library; {@link #parse} refuses any other. */
    public static final int VERSION = 1;
    /** Longest text {@link #parse} accepts (characters). */
    public static final int MAX_ENCODED_LENGTH = 8 << 20;
    /** Largest decompressed state {@link #parse} accepts (bytes), so a crafted token cannot exhaust memory. */
    public static final int MAX_STATE_BYTES = 32 << 20;

    private static final int HEADER = 2 + Long.BYTES;
    private static final int CRC = Integer.BYTES;

    /** What kind of position a token holds. */
    public enum Kind {
        /** A position of the polling tail over {@code _id} (any MongoDB server, the embedded one too). */
        TAIL(1),
        /** A change stream resume position (replica sets and sharded clusters). */
        CHANGE_STREAM(2);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        static @Nullable Kind of(int code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            return null;
        }
    }

    private final Kind kind;
    private final long filterFingerprint;
    private final Supplier<byte[]> stateSource;
    private volatile byte @Nullable [] state;
    private volatile @Nullable String encoded;

    private FeedToken(Kind kind, long filterFingerprint, Supplier<byte[]> stateSource, byte @Nullable [] state,
            @Nullable String encoded) {
        this.kind = kind;
        this.filterFingerprint = filterFingerprint;
        this.stateSource = stateSource;
        this.state = state;
        this.encoded = encoded;
    }

    /**
     * Creates a token; for lake implementations. The state is computed on first use, at most once per token, so a
     * feed can hand a token to every event and pay for the encoding only of those a caller stores.
     *
     * @param kind the kind of position
     * @param filterFingerprint {@link WatchOptions#filterFingerprint()} of the filter the position belongs to
     * @param state computes the position's state (uncompressed); called at most once, must not return null
     * @return the token
     * @throws InvalidArgumentException if {@code kind} or {@code state} is null
     */
    public static FeedToken of(Kind kind, long filterFingerprint, Supplier<byte[]> state) {
        if (kind == null || state == null) {
            throw new InvalidArgumentException("FeedToken: kind and state must not be null");
        }
        return new FeedToken(kind, filterFingerprint, state, null, null);
    }

    /**
     * Reads a token written by {@link #encode()}.
     *
     * @param text the token text
     * @return the token
     * @throws InvalidFeedTokenException if the text is null, empty, too long, not base64url, truncated or altered
     *     (checksum), of another {@link #VERSION} or of an unknown kind; the message says which
     */
    public static FeedToken parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidFeedTokenException("feed token must not be null or blank");
        }
        String trimmed = text.strip();
        if (trimmed.length() > MAX_ENCODED_LENGTH) {
            throw new InvalidFeedTokenException("feed token is " + trimmed.length() + " characters, more than "
                    + MAX_ENCODED_LENGTH);
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw new InvalidFeedTokenException("feed token is not base64url: '" + abbreviate(trimmed) + "'", e);
        }
        if (bytes.length < HEADER + CRC) {
            throw new InvalidFeedTokenException("feed token is truncated: '" + abbreviate(trimmed) + "'");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - CRC);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - CRC, CRC).getInt()) {
            throw new InvalidFeedTokenException("feed token is damaged (checksum mismatch): '"
                    + abbreviate(trimmed) + "'");
        }
        int version = bytes[0] & 0xff;
        if (version != VERSION) {
            throw new InvalidFeedTokenException("feed token has format version " + version
                    + ", this library reads version " + VERSION);
        }
        Kind kind = Kind.of(bytes[1] & 0xff);
        if (kind == null) {
            throw new InvalidFeedTokenException("feed token has an unknown kind " + (bytes[1] & 0xff));
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, Long.BYTES).getLong();
        byte[] state = inflate(bytes, HEADER, bytes.length - CRC - HEADER);
        return new FeedToken(kind, fingerprint, () -> state, state, trimmed);
    }

    /**
     * Returns the token as text: URL-safe base64 without padding, safe in file names, shell arguments and URLs.
     *
     * @return the text {@link #parse} reads back into an equal token
     */
    public String encode() {
        String text = encoded;
        if (text == null) {
            byte[] compressed = deflate(state());
            ByteBuffer buffer = ByteBuffer.allocate(HEADER + compressed.length + CRC);
            buffer.put((byte) VERSION).put((byte) kind.code).putLong(filterFingerprint).put(compressed);
            CRC32 crc = new CRC32();
            crc.update(buffer.array(), 0, buffer.position());
            buffer.putInt((int) crc.getValue());
            text = Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
            encoded = text;
        }
        return text;
    }

    /**
     * Returns the kind of position; for lake implementations.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the fingerprint of the filter this position belongs to; for lake implementations.
     *
     * @return the value of {@link WatchOptions#filterFingerprint()} when the position was made
     */
    public long filterFingerprint() {
        return filterFingerprint;
    }

    /**
     * Returns the position's state, uncompressed; for lake implementations, which define its layout per kind.
     *
     * @return a copy of the state
     */
    public byte[] state() {
        byte[] s = state;
        if (s == null) {
            s = stateSource.get();
            if (s == null) {
                throw new IllegalStateException("feed token state source returned null");
            }
            state = s;
        }
        return s.clone();
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof FeedToken && ((FeedToken) o).encode().equals(encode());
    }

    @Override
    public int hashCode() {
        return encode().hashCode();
    }

    /**
     * Returns the token text ({@link #encode()}), abbreviated when long.
     *
     * @return a description
     */
    @Override
    public String toString() {
        return "FeedToken{" + kind + ", " + abbreviate(encode()) + "}";
    }

    private static byte[] deflate(byte[] input) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        try {
            deflater.setInput(input);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, input.length / 2));
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static byte[] inflate(byte[] input, int offset, int length) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(input, offset, length);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length * 4));
            byte[] chunk = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new InvalidFeedTokenException("feed token is truncated (incomplete state)");
                }
                out.write(chunk, 0, n);
                if (out.size() > MAX_STATE_BYTES) {
                    throw new InvalidFeedTokenException("feed token state exceeds " + MAX_STATE_BYTES + " bytes");
                }
            }
            if (inflater.getRemaining() > 0) {
                throw new InvalidFeedTokenException("feed token has " + inflater.getRemaining()
                        + " bytes after its state");
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new InvalidFeedTokenException("feed token state is not readable: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...(" + text.length() + " chars)";
    }
}
