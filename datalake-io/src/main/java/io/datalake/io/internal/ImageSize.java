package io.datalake.io.internal;

import io.datalake.Datum;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.jspecify.annotations.Nullable;

/**
 * An image's width and height in pixels, from the datum's {@code metadata.image_info} (recorded on ingest) or else
 * from the image file's header.
 *
 * @param width positive
 * @param height positive
 */
record ImageSize(int width, int height) {
    /** The metadata key image ingest writes ({@code {format, width, height, ...}}). */
    static final String METADATA_KEY = "image_info";

    /**
     * Reads {@code metadata.image_info.width/height}. Stored metadata is untrusted: only positive integers count.
     *
     * @return the size, or null when either is missing or not a positive integer
     */
    static @Nullable ImageSize fromMetadata(Datum datum) {
        if (!(datum.metadata().get(METADATA_KEY) instanceof Map<?, ?> info)) {
            return null;
        }
        int width = positiveInt(info.get("width"));
        int height = positiveInt(info.get("height"));
        return width > 0 && height > 0 ? new ImageSize(width, height) : null;
    }

    /**
     * Reads the size from an image file's header with ImageIO, without decoding the pixels (so a huge or hostile
     * image costs no memory). ImageIO of the JDK reads PNG, JPEG, GIF, BMP, WBMP and TIFF.
     *
     * @return the size
     * @throws IOException with the reason when no installed reader understands the file
     */
    static ImageSize fromFile(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("cannot open " + file);
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("no ImageIO reader recognises the file's format");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new IOException("the header says " + width + "x" + height);
                }
                return new ImageSize(width, height);
            } catch (RuntimeException e) {
                // Readers of a corrupt header throw unchecked exceptions too.
                throw new IOException("header unreadable: " + e, e);
            } finally {
                reader.dispose();
            }
        }
    }

    private static int positiveInt(@Nullable Object value) {
        if ((value instanceof Integer || value instanceof Long) && ((Number) value).longValue() > 0
                && ((Number) value).longValue() <= Integer.MAX_VALUE) {
            return ((Number) value).intValue();
        }
        return 0;
    }
}
