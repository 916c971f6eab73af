package io.datalake.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.datalake.mongo.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** The formats {@link ImageInfo} reads beyond JPEG and PNG, the EXIF values it refuses, and damaged headers. */
class ImageInfoTest {

    private static Document read(byte[] bytes, String contentType) {
        return ImageInfo.read(bytes, bytes.length, bytes.length, contentType);
    }

    @Test
    void gifBmpAndTiffRecordTheirSize() throws IOException {
        assertThat(read(imageIo(7, 5, "gif"), "image/gif")).isEqualTo(new Document(Map.of("format", "gif",
                "width", 7, "height", 5)));
        assertThat(read(imageIo(7, 5, "bmp"), "image/bmp")).isEqualTo(new Document(Map.of("format", "bmp",
                "width", 7, "height", 5)));
        assertThat(read(imageIo(7, 5, "tiff"), "image/tiff")).isEqualTo(new Document(Map.of("format", "tiff",
                "width", 7, "height", 5)));
    }

    @Test
    void aWebpRecordsItsSizeAndExifOrientation() {
        byte[] exif = TestImages.exifTiff(5, "2022:07:01 10:20:30", null, null);
        ByteBuffer webp = ByteBuffer.allocate(12 + 18 + 8 + exif.length + exif.length % 2).order(ByteOrder.LITTLE_ENDIAN);
        webp.put(ascii("RIFF")).putInt(webp.capacity() - 8).put(ascii("WEBP"));
        webp.put(ascii("VP8X")).putInt(10).putInt(0x08);
        int width = 1919;
        int height = 1079;
        webp.put((byte) width).put((byte) (width >> 8)).put((byte) (width >> 16));
        webp.put((byte) height).put((byte) (height >> 8)).put((byte) (height >> 16));
        webp.put(ascii("EXIF")).putInt(exif.length).put(exif);

        assertThat(read(webp.array(), "image/webp")).isEqualTo(new Document(Map.of("format", "webp",
                "width", 1920, "height", 1080, "orientation", 5, "captured_at", "2022-07-01T10:20:30")));
    }

    @Test
    void aPngsExifChunkGivesItsOrientationAndCaptureTime() throws IOException {
        byte[] png = TestImages.withChunk(TestImages.png(4, 3), "eXIf",
                TestImages.exifTiff(6, "2019:03:04 05:06:07", "5", "-07:00"));

        assertThat(read(png, "image/png")).isEqualTo(new Document(Map.of("format", "png", "width", 4, "height", 3,
                "orientation", 6, "captured_at", "2019-03-04T05:06:07.500-07:00")));
    }

    @Test
    void exifValuesThatAreNotRealAreLeftOut() throws IOException {
        // Cameras with an unset clock write zeros; orientation has 8 values.
        byte[] jpeg = TestImages.withSegments(TestImages.jpeg(2, 2),
                TestImages.exif(9, "0000:00:00 00:00:00", "12x", "+25:00"));

        assertThat(read(jpeg, "image/jpeg")).isEqualTo(new Document(Map.of("format", "jpeg", "width", 2,
                "height", 2)));
    }

    @Test
    void aSizeBeyondThirtyOneBitsIsNoSize() {
        // PNG limits both to 2^31-1; 0xFFFFFFFF reads as -1 in a signed field and must not become 1.
        byte[] png = TestImages.pngHeaderOnly(-1, 10);

        Document info = read(png, "image/png");

        assertThat(info.getString("format")).isEqualTo("png");
        assertThat(info).doesNotContainKeys("width", "height").containsKey("error");
    }

    @Test
    void anUnsupportedImageFormatSaysSo() {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"
                .getBytes(StandardCharsets.UTF_8);

        Document info = read(svg, "image/svg+xml");

        assertThat(info.getString("format")).isEqualTo("svg+xml");
        assertThat(info.getString("error")).startsWith("not a recognised image");
        assertThat(info).doesNotContainKeys("width", "height");
    }

    @Test
    void damagedHeadersNeverThrowAndAlwaysSayWhatTheyAre() throws IOException {
        byte[] jpeg = TestImages.withSegments(TestImages.jpeg(16, 8), TestImages.exif(3, "2020:01:01 00:00:00",
                "1", "+01:00"));
        byte[] png = TestImages.withChunk(TestImages.png(16, 8), "eXIf",
                TestImages.exifTiff(3, "2020:01:01 00:00:00", null, null));
        byte[][] originals = {jpeg, png, imageIo(16, 8, "gif"), imageIo(16, 8, "bmp"), imageIo(16, 8, "tiff")};
        Random random = new Random(15);
        for (int round = 0; round < 3000; round++) {
            byte[] original = originals[round % originals.length];
            byte[] damaged = random.nextBoolean() ? original.clone()
                    : Arrays.copyOf(original, random.nextInt(original.length));
            for (int flips = 1 + random.nextInt(8); flips > 0 && damaged.length > 0; flips--) {
                damaged[random.nextInt(Math.min(damaged.length, 300))] = (byte) random.nextInt(256);
            }

            Document info = read(damaged, "image/jpeg");

            assertThat(info.getString("format")).as("round %d", round).isNotBlank();
            assertThat(info.containsKey("error") != info.containsKey("width")).as("round %d: %s", round, info)
                    .isTrue();
            assertThat(info.toJson().length()).as("round %d", round).isLessThan(ImageInfo.MAX_ENCODED_BYTES / 2);
        }
    }

    private static byte[] imageIo(int width, int height, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
