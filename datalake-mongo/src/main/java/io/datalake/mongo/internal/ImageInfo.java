package io.datalake.mongo.internal;

import com.drew.imaging.FileType;
import com.drew.imaging.FileTypeDetector;
import com.drew.imaging.ImageProcessingException;
import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.imaging.jpeg.JpegSegmentData;
import com.drew.imaging.jpeg.JpegSegmentMetadataReader;
import com.drew.imaging.jpeg.JpegSegmentReader;
import com.drew.imaging.jpeg.JpegSegmentType;
import com.drew.imaging.png.PngChunkType;
import com.drew.imaging.png.PngHeader;
import com.drew.imaging.png.PngProcessingException;
import com.drew.imaging.riff.RiffReader;
import com.drew.imaging.tiff.TiffMetadataReader;
import com.drew.imaging.tiff.TiffProcessingException;
import com.drew.imaging.tiff.TiffReader;
import com.drew.lang.BufferBoundsException;
import com.drew.lang.ByteArrayReader;
import com.drew.lang.SequentialByteArrayReader;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.bmp.BmpHeaderDirectory;
import com.drew.metadata.bmp.BmpReader;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.ExifTiffHandler;
import com.drew.metadata.gif.GifHeaderDirectory;
import com.drew.metadata.gif.GifReader;
import com.drew.metadata.jpeg.JpegDirectory;
import com.drew.metadata.jpeg.JpegReader;
import com.drew.metadata.png.PngDirectory;
import com.drew.metadata.webp.WebpDirectory;
import com.drew.metadata.webp.WebpRiffHandler;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code metadata.image_info} of an image payload: its format, width and height, and its EXIF orientation and
 * capture time when it has them, read from the payload's first {@link #HEAD_BYTES} bytes with metadata-extractor.
 * Only headers are parsed, never pixel data, so an image that declares huge dimensions (a decompression bomb) costs
 * no more than any other; every reader works over the bounded head held in memory, so a length field cannot make
 * it allocate more than the head.
 *
 * <p>The document holds {@code format} (string, lower case: {@code jpeg}, {@code png}, {@code gif}, {@code bmp},
 * {@code webp}, {@code tiff}, else the content type's subtype), {@code width} and {@code height} (32-bit integers,
 * pixels as stored, before any EXIF rotation), {@code orientation} (32-bit integer 1-8, EXIF tag 0x0112, only when
 * present and valid) and {@code captured_at} (string, EXIF DateTimeOriginal as ISO-8601 local date-time
 * {@code 2024-05-06T07:08:09}, with {@code .mmm} from SubSecTimeOriginal and {@code +02:00} from OffsetTimeOriginal
 * when present: EXIF times carry no zone of their own, so a BSON date would invent one). An image whose dimensions
 * cannot be read gets {@code error} (string) instead of {@code width}/{@code height}, with the format when known.
 */
final class ImageInfo {
    private static final Logger LOG = LoggerFactory.getLogger(ImageInfo.class);

    /** The metadata key. */
    static final String KEY = "image_info";
    /** Most bytes of a payload inspected: room for the APP segments (EXIF, XMP, ICC) a JPEG keeps before its frame. */
    static final int HEAD_BYTES = 1024 * 1024;
    /**
     * An upper bound of the encoded document, reserved in the document size check before the payload is written:
     * every string in it is bounded.
     */
    static final int MAX_ENCODED_BYTES = 1024;

    static final String FORMAT = "format";
    static final String WIDTH = "width";
    static final String HEIGHT = "height";
    static final String ORIENTATION = "orientation";
    static final String CAPTURED_AT = "captured_at";
    static final String ERROR = "error";

    private static final int MAX_FORMAT_CHARS = 32;
    private static final int MAX_ERROR_CHARS = 240;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final DateTimeFormatter EXIF_DATE_TIME = DateTimeFormatter.ofPattern("uuuu:MM:dd HH:mm:ss")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern OFFSET = Pattern.compile("[+-](?:[01]\\d|2[0-3]):[0-5]\\d");
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    /** The JPEG segments read: frame headers for the dimensions, APP1 for EXIF. */
    private static final List<JpegSegmentMetadataReader> JPEG_READERS = List.of(new JpegReader(), new ExifReader());

    private ImageInfo() {
    }

    /**
     * Whether a payload of this content type is inspected: {@code image/*} only, so other payloads cost one string
     * comparison.
     */
    static boolean isImage(@Nullable String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "image/", 0, 6);
    }

    /**
     * Reads an image's header. Never throws: whatever cannot be read is described in {@code error}.
     *
     * @param head the payload's first bytes (at most {@link #HEAD_BYTES} of them are read)
     * @param length how many bytes of {@code head} are the payload's
     * @param payloadSize the payload's whole size, to tell a damaged header from one beyond the bytes inspected
     * @param contentType the payload's content type, an {@code image/*} type
     * @return the {@code image_info} document
     */
    static Document read(byte[] head, int length, long payloadSize, String contentType) {
        int n = Math.min(length, HEAD_BYTES);
        byte[] bytes = n == head.length ? head : Arrays.copyOf(head, n);
        FileType type = detect(bytes);
        Document info = new Document(FORMAT, format(type, contentType));
        Metadata metadata = new Metadata();
        Exception failure = null;
        try {
            switch (type) {
                case Jpeg -> jpeg(bytes, metadata);
                case Png -> png(bytes, metadata);
                case Gif -> new GifReader().extract(new SequentialByteArrayReader(bytes), metadata);
                case Bmp -> new BmpReader().extract(new SequentialByteArrayReader(bytes), metadata);
                case WebP -> new RiffReader().processRiff(new SequentialByteArrayReader(bytes),
                        new WebpRiffHandler(metadata));
                case Tiff -> metadata = TiffMetadataReader.readMetadata(new ByteArrayReader(bytes));
                default -> {
                    return info.append(ERROR, bounded(type == FileType.Unknown
                            ? "not a recognised image: no JPEG, PNG, GIF, BMP, WebP or TIFF signature (content type "
                                    + contentType + ")"
                            : "unsupported image format " + type.getName() + ": dimensions are not read"));
                }
            }
        } catch (IOException | ImageProcessingException | RuntimeException e) {
            // A reader that fails after the dimensions (a damaged EXIF block, a truncated GIF frame) still leaves them.
            failure = e;
        } catch (StackOverflowError e) {
            // Crafted nesting (IFDs, boxes) must not fail the add: the image is stored all the same.
            failure = new ImageProcessingException("nesting too deep");
        }
        int[] size = dimensions(type, metadata);
        if (size == null) {
            boolean ranOut = failure instanceof EOFException || failure instanceof BufferBoundsException;
            String why = n < payloadSize && (failure == null || ranOut)
                    ? "no image dimensions in the first " + n + " bytes inspected (the payload has " + payloadSize
                            + " bytes)"
                    : ranOut
                            ? "truncated: the data ends inside the image header"
                            : failure != null ? "unreadable " + info.getString(FORMAT) + " header: " + message(failure)
                                    : "no image dimensions found in the " + info.getString(FORMAT) + " header";
            LOG.debug("image payload of {} bytes: {}", payloadSize, why);
            return info.append(ERROR, bounded(why));
        }
        info.append(WIDTH, size[0]).append(HEIGHT, size[1]);
        ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        Integer orientation = ifd0 == null ? null : ifd0.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
        if (orientation != null && orientation >= 1 && orientation <= 8) {
            info.append(ORIENTATION, orientation);
        }
        String capturedAt = capturedAt(metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class));
        if (capturedAt != null) {
            info.append(CAPTURED_AT, capturedAt);
        }
        return info;
    }

    private static FileType detect(byte[] bytes) {
        try {
            return FileTypeDetector.detectFileType(new BufferedInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException | RuntimeException e) {
            return FileType.Unknown;
        }
    }

    /** The format's lower-case name: the detected one, else the content type's subtype without {@code x-}. */
    private static String format(FileType type, String contentType) {
        String name;
        if (type != FileType.Unknown) {
            name = type.getName();
        } else {
            int slash = contentType.indexOf('/');
            int end = contentType.indexOf(';');
            name = contentType.substring(slash + 1, end < 0 ? contentType.length() : end).trim();
            if (name.startsWith("x-")) {
                name = name.substring(2);
            }
        }
        name = name.toLowerCase(Locale.ROOT);
        return name.length() > MAX_FORMAT_CHARS ? name.substring(0, MAX_FORMAT_CHARS) : name;
    }

    private static void jpeg(byte[] bytes, Metadata metadata) throws IOException, ImageProcessingException {
        Set<JpegSegmentType> segments = new HashSet<>();
        for (JpegSegmentMetadataReader reader : JPEG_READERS) {
            reader.getSegmentTypes().forEach(segments::add);
        }
        // Segments up to the start of scan only: the compressed image data is never read.
        SequentialByteArrayReader reader = new SequentialByteArrayReader(bytes);
        JpegSegmentData found = JpegSegmentReader.readSegments(reader, segments);
        JpegMetadataReader.processJpegSegmentData(metadata, JPEG_READERS, found);
        // The segment reader stops quietly where the bytes end; without a frame header that is a truncation.
        if (reader.available() == 0 && metadata.getFirstDirectoryOfType(JpegDirectory.class) == null) {
            throw new EOFException("the data ends before the JPEG frame header");
        }
    }

    /**
     * Walks a PNG's chunks for IHDR (dimensions) and eXIf, skipping the others (IDAT unread, compressed text and
     * ICC profiles never inflated) and stopping where the bytes end: metadata-extractor's own PNG reader needs the
     * whole file and inflates every zTXt/iTXt/iCCP chunk without a bound.
     */
    private static void png(byte[] bytes, Metadata metadata) throws IOException, ImageProcessingException {
        SequentialByteArrayReader reader = new SequentialByteArrayReader(bytes);
        reader.setMotorolaByteOrder(true);
        if (!Arrays.equals(PNG_SIGNATURE, reader.getBytes(PNG_SIGNATURE.length))) {
            throw new PngProcessingException("PNG signature mismatch");
        }
        boolean first = true;
        while (reader.available() >= 8) {
            int length = reader.getInt32();
            if (length < 0) {
                throw new PngProcessingException("PNG chunk length exceeds the maximum");
            }
            String type = new String(reader.getBytes(4), StandardCharsets.ISO_8859_1);
            if (first && !PngChunkType.IHDR.getIdentifier().equals(type)) {
                throw new PngProcessingException("the first chunk is '" + type + "', not IHDR");
            }
            first = false;
            if (PngChunkType.IHDR.getIdentifier().equals(type)) {
                PngHeader header = new PngHeader(reader.getBytes(length));
                PngDirectory directory = new PngDirectory(PngChunkType.IHDR);
                directory.setInt(PngDirectory.TAG_IMAGE_WIDTH, header.getImageWidth());
                directory.setInt(PngDirectory.TAG_IMAGE_HEIGHT, header.getImageHeight());
                metadata.addDirectory(directory);
            } else if (PngChunkType.eXIf.getIdentifier().equals(type)) {
                byte[] exif = reader.getBytes(length);
                try {
                    new TiffReader().processTiff(new ByteArrayReader(exif), new ExifTiffHandler(metadata, null, 0), 0);
                } catch (TiffProcessingException | IOException e) {
                    LOG.debug("unreadable eXIf chunk in a PNG payload: {}", e.toString());
                }
            } else if (PngChunkType.IEND.getIdentifier().equals(type)) {
                return;
            } else {
                reader.skip(length);
            }
            reader.skip(4); // CRC
        }
    }

    private static int @Nullable [] dimensions(FileType type, Metadata metadata) {
        Class<? extends Directory> directory;
        int widthTag;
        int heightTag;
        switch (type) {
            case Jpeg -> {
                directory = JpegDirectory.class;
                widthTag = JpegDirectory.TAG_IMAGE_WIDTH;
                heightTag = JpegDirectory.TAG_IMAGE_HEIGHT;
            }
            case Png -> {
                directory = PngDirectory.class;
                widthTag = PngDirectory.TAG_IMAGE_WIDTH;
                heightTag = PngDirectory.TAG_IMAGE_HEIGHT;
            }
            case Gif -> {
                directory = GifHeaderDirectory.class;
                widthTag = GifHeaderDirectory.TAG_IMAGE_WIDTH;
                heightTag = GifHeaderDirectory.TAG_IMAGE_HEIGHT;
            }
            case Bmp -> {
                directory = BmpHeaderDirectory.class;
                widthTag = BmpHeaderDirectory.TAG_IMAGE_WIDTH;
                heightTag = BmpHeaderDirectory.TAG_IMAGE_HEIGHT;
            }
            case WebP -> {
                directory = WebpDirectory.class;
                widthTag = WebpDirectory.TAG_IMAGE_WIDTH;
                heightTag = WebpDirectory.TAG_IMAGE_HEIGHT;
            }
            case Tiff -> {
                directory = ExifIFD0Directory.class;
                widthTag = ExifIFD0Directory.TAG_IMAGE_WIDTH;
                heightTag = ExifIFD0Directory.TAG_IMAGE_HEIGHT;
            }
            default -> {
                return null;
            }
        }
        for (Directory found : metadata.getDirectoriesOfType(directory)) {
            Integer width = found.getInteger(widthTag);
            Integer height = found.getInteger(heightTag);
            // A bottom-up BMP stores a negative height, the image is as tall either way; any other negative value
            // is a 32-bit field past the formats' own limit.
            if (type == FileType.Bmp && height != null && height < 0 && height != Integer.MIN_VALUE) {
                height = -height;
            }
            if (width != null && height != null && width > 0 && height > 0) {
                return new int[] {width, height};
            }
        }
        return null;
    }

    /** EXIF DateTimeOriginal as ISO-8601, or null when absent or not a real date ({@code 0000:00:00 00:00:00}). */
    private static @Nullable String capturedAt(@Nullable ExifSubIFDDirectory exif) {
        if (exif == null) {
            return null;
        }
        String original = exif.getString(ExifSubIFDDirectory.TAG_DATETIME_ORIGINAL);
        if (original == null) {
            return null;
        }
        LocalDateTime time;
        try {
            time = LocalDateTime.parse(original.trim(), EXIF_DATE_TIME);
        } catch (DateTimeException e) {
            return null;
        }
        StringBuilder iso = new StringBuilder(String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d",
                time.getYear(), time.getMonthValue(), time.getDayOfMonth(), time.getHour(), time.getMinute(),
                time.getSecond()));
        String subSeconds = exif.getString(ExifSubIFDDirectory.TAG_SUBSECOND_TIME_ORIGINAL);
        if (subSeconds != null && DIGITS.matcher(subSeconds.trim()).matches()) {
            // Milliseconds, as every ISO-8601 parser (Python's datetime.fromisoformat included) reads them.
            iso.append('.').append((subSeconds.trim() + "00").substring(0, 3));
        }
        String offset = exif.getString(ExifSubIFDDirectory.TAG_TIME_ZONE_ORIGINAL);
        if (offset != null && OFFSET.matcher(offset.trim()).matches()) {
            iso.append(offset.trim());
        }
        return iso.toString();
    }

    private static String message(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** A stored string of bounded length without control characters: stored documents are read by other tools. */
    private static String bounded(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", " ");
        return clean.length() > MAX_ERROR_CHARS ? clean.substring(0, MAX_ERROR_CHARS - 3) + "..." : clean;
    }
}
