package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * Test images built in code: JPEG and PNG from ImageIO, a hand-built EXIF APP1 segment (orientation, capture time),
 * comment padding, and PNG headers declaring any size with no pixel data. Published in this module's test-jar.
 */
public final class TestImages {
    private TestImages() {
    }

    /** A black JPEG of the given size, as ImageIO writes it (JFIF, no EXIF). */
    public static byte[] jpeg(int width, int height) throws IOException {
        return encode(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "jpeg");
    }

    /** A transparent PNG of the given size, as ImageIO writes it. */
    public static byte[] png(int width, int height) throws IOException {
        return encode(new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB), "png");
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    /** A JPEG with the given segments (APPn, COM: marker and length included) right after its start-of-image marker. */
    public static byte[] withSegments(byte[] jpeg, byte[]... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (byte[] segment : segments) {
            out.writeBytes(segment);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Comment (COM) segments of about {@code bytes} bytes in all. */
    public static byte[] padding(int bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int left = bytes; left > 0; left -= 65_000) {
            int length = Math.min(left, 65_000);
            out.write(0xFF);
            out.write(0xFE);
            out.write((length + 2) >> 8);
            out.write((length + 2) & 0xFF);
            byte[] text = new byte[length];
            Arrays.fill(text, (byte) 'x');
            out.writeBytes(text);
        }
        return out.toByteArray();
    }

    /**
     * An APP1 EXIF segment holding {@link #exifTiff}.
     *
     * @param subSeconds SubSecTimeOriginal, or null for none
     * @param offset OffsetTimeOriginal ({@code +02:00}), or null for none
     */
    public static byte[] exif(int orientation, String dateTimeOriginal, String subSeconds, String offset) {
        byte[] body = exifTiff(orientation, dateTimeOriginal, subSeconds, offset);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = 2 + 6 + body.length;
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /**
     * EXIF as a big-endian TIFF structure: IFD0 with Orientation and the Exif IFD pointer; the Exif IFD with
     * DateTimeOriginal and, when given, SubSecTimeOriginal and OffsetTimeOriginal.
     */
    public static byte[] exifTiff(int orientation, String dateTimeOriginal, String subSeconds, String offset) {
        ByteBuffer tiff = ByteBuffer.allocate(512).order(ByteOrder.BIG_ENDIAN);
        tiff.put("MM".getBytes(StandardCharsets.US_ASCII)).putShort((short) 42).putInt(8);
        // IFD0 at 8: 2 entries (2 + 2 * 12 + 4 = 30 bytes) -> the Exif IFD at 38.
        int exifIfd = 38;
        int exifEntries = 1 + (subSeconds != null ? 1 : 0) + (offset != null ? 1 : 0);
        int values = exifIfd + 2 + exifEntries * 12 + 4;
        tiff.putShort((short) 2);
        entry(tiff, 0x0112, 3, 1, orientation << 16);
        entry(tiff, 0x8769, 4, 1, exifIfd);
        tiff.putInt(0);
        tiff.putShort((short) exifEntries);
        byte[] date = ascii(dateTimeOriginal);
        entry(tiff, 0x9003, 2, date.length, values);
        int next = values + date.length;
        byte[] offsetBytes = offset != null ? ascii(offset) : null;
        if (offsetBytes != null) {
            entry(tiff, 0x9011, 2, offsetBytes.length, next);
        }
        if (subSeconds != null) {
            // At most 4 characters with the terminator: the value sits in the entry itself.
            byte[] sub = Arrays.copyOf(ascii(subSeconds), 4);
            entry(tiff, 0x9291, 2, ascii(subSeconds).length, ByteBuffer.wrap(sub).getInt());
        }
        tiff.putInt(0);
        tiff.put(date);
        if (offsetBytes != null) {
            tiff.put(offsetBytes);
        }
        return Arrays.copyOf(tiff.array(), tiff.position());
    }

    /** A PNG with a chunk of the given type and data inserted right after its IHDR chunk. */
    public static byte[] withChunk(byte[] png, String type, byte[] data) {
        int afterHeader = 8 + 8 + 13 + 4;
        byte[] typeAndData = new byte[4 + data.length];
        System.arraycopy(type.getBytes(StandardCharsets.US_ASCII), 0, typeAndData, 0, 4);
        System.arraycopy(data, 0, typeAndData, 4, data.length);
        ByteBuffer chunk = ByteBuffer.allocate(4 + typeAndData.length + 4);
        chunk.putInt(data.length).put(typeAndData).putInt(crc(typeAndData));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterHeader);
        out.writeBytes(chunk.array());
        out.write(png, afterHeader, png.length - afterHeader);
        return out.toByteArray();
    }

    private static void entry(ByteBuffer tiff, int tag, int type, int count, int value) {
        tiff.putShort((short) tag).putShort((short) type).putInt(count).putInt(value);
    }

    private static byte[] ascii(String text) {
        return (text + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    /** A PNG signature, an IHDR declaring the given size and IEND: no pixel data at all. */
    public static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer png = ByteBuffer.allocate(8 + 25 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
        png.putInt(13).put(ihdr.array()).putInt(crc(ihdr.array()));
        png.putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII)).putInt(crc("IEND".getBytes(
                StandardCharsets.US_ASCII)));
        return png.array();
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
