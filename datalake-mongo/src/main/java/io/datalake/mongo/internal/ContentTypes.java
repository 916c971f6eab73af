package io.datalake.mongo.internal;

import io.datalake.PayloadInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media type of a byte payload, from its first bytes (magic numbers) with Apache Tika's detector, unless the
 * caller chose one. Only the head of the payload is read: all of a byte array is at hand, a file's head is read
 * once more (a few KiB, never the whole file), a stream's head is recorded as the registry reads it.
 *
 * <p>Never returns {@link PayloadInfo#JSON} or {@link PayloadInfo#BSON}: those types make a reader decode the
 * payload, and raw bytes must read back as bytes.
 */
final class ContentTypes {
    private static final Logger LOG = LoggerFactory.getLogger(ContentTypes.class);
    /** Most bytes read to detect a type; Tika's magic for common formats sits in the first few hundred bytes. */
    static final int HEAD_BYTES = 8 * 1024;

    private ContentTypes() {
    }

    /** Tika's mime-type table, parsed once on first use (about 0.2 s). */
    private static final class Detector {
        static final MimeTypes TYPES = MimeTypes.getDefaultMimeTypes();
    }

    static String of(byte[] bytes, int offset, int length, @Nullable String override) {
        if (override != null) {
            return override;
        }
        int n = Math.min(length, HEAD_BYTES);
        return detect(new ByteArrayInputStream(bytes, offset, n));
    }

    static String of(Path file, @Nullable String override) {
        if (override != null) {
            return override;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return detect(new ByteArrayInputStream(in.readNBytes(HEAD_BYTES)));
        } catch (IOException e) {
            // The upload reads the file again and reports its own error; the type is not worth failing for.
            LOG.debug("cannot read the head of {} to detect its type: {}", file, e.toString());
            return PayloadInfo.BYTES;
        }
    }

    private static String detect(ByteArrayInputStream head) {
        try {
            MediaType type = Detector.TYPES.detect(head, new Metadata());
            String name = type.getBaseType().toString();
            return Arrays.asList(PayloadInfo.JSON, PayloadInfo.BSON).contains(name) ? PayloadInfo.BYTES : name;
        } catch (IOException e) {
            return PayloadInfo.BYTES;
        }
    }
}
