package io.datalake.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.Datalake;
import io.datalake.DatalakeSettings;
import io.datalake.Datum;
import io.datalake.NewDatum;
import io.datalake.RegistrySettings;
import io.datalake.schema.DatumViolations;
import io.datalake.schema.SchemaSettings;
import io.datalake.schema.SchemaViolationException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code metadata.image_info} on ingest: what an image payload added with a registry records (format, width,
 * height, EXIF orientation and capture time), for every kind of byte source, and what a corrupt image, a non-image,
 * a caller's own value, a header beyond the bytes inspected and a decompression bomb get.
 */
class EmbeddedImageMetadataTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path temp;

    private DirectoryRegistry registry;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private Datalake lake(Consumer<DatalakeSettings.Builder> customizer) {
        registry = new DirectoryRegistry(temp.resolve("registry"));
        Datalake lake = TestLakes.newLake(b -> {
            b.registry(RegistrySettings.builder().backend(registry).build());
            customizer.accept(b);
        });
        toClose.add(lake);
        return lake;
    }

    private Datalake lake() {
        return lake(b -> { });
    }

    private Datum add(Datalake lake, Object data, Map<String, Object> metadata) {
        return lake.addDatum(NewDatum.builder().data(data).metadata(metadata).registryUri(registry.uri).build())
                .block();
    }

    /** The stored document's metadata, as another client (the Python datalake) reads it. */
    private static Document storedMetadata(Datalake lake, ObjectId id) {
        Document stored = Mono.from(TestLakes.documents(lake).find(new Document("_id", id)).first()).block();
        return stored.get("metadata", Document.class);
    }

    @Test
    void aJpegRecordsFormatSizeOrientationAndCaptureTimeAsPlainTypes() throws IOException {
        Datalake lake = lake();
        byte[] jpeg = withExif(jpeg(64, 48), exif(6, "2024:05:06 07:08:09", "123", "+02:00"));

        Datum added = add(lake, jpeg, Map.of("source", "camera"));

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("format", "jpeg");
        expected.put("width", 64);
        expected.put("height", 48);
        expected.put("orientation", 6);
        expected.put("captured_at", "2024-05-06T07:08:09.123+02:00");
        assertThat(added.metadata()).containsEntry("source", "camera").containsEntry("image_info", expected);
        assertThat(lake.getDatum(added.id()).block().metadata()).containsEntry("image_info", expected);
        Document stored = storedMetadata(lake, added.id()).get("image_info", Document.class);
        assertThat(stored).isEqualTo(new Document(expected));
        // 32-bit integers and a string: what a Python client reads as int and datetime.fromisoformat parses.
        assertThat(stored.get("width")).isInstanceOf(Integer.class);
        assertThat(stored.get("captured_at")).isInstanceOf(String.class);
    }

    @Test
    void aCaptureTimeWithoutZoneOrSubSecondsIsALocalDateTime() throws IOException {
        Datalake lake = lake();

        Datum added = add(lake, withExif(jpeg(8, 8), exif(1, "2023:12:31 23:59:58", null, null)), Map.of());

        assertThat(imageInfo(added)).containsEntry("orientation", 1)
                .containsEntry("captured_at", "2023-12-31T23:59:58");
    }

    @Test
    void aPngRecordsFormatAndSizeOnly() throws IOException {
        Datalake lake = lake();

        Datum added = add(lake, png(32, 16), Map.of());

        assertThat(imageInfo(added)).isEqualTo(Map.of("format", "png", "width", 32, "height", 16));
    }

    @Test
    void aCorruptImageIsStoredWithTheReasonItCouldNotBeRead() throws IOException {
        Datalake lake = lake();
        byte[] truncated = Arrays.copyOf(jpeg(64, 48), 30);

        Datum added = add(lake, truncated, Map.of());

        assertThat(imageInfo(added)).containsEntry("format", "jpeg").doesNotContainKeys("width", "height")
                .containsEntry("error", "truncated: the data ends inside the image header");
        assertThat(added.payload().contentType()).isEqualTo("image/jpeg");
        assertThat(bytesOf(lake, added)).isEqualTo(truncated);
    }

    @Test
    void aPayloadClaimedToBeAnImageThatIsNoneRecordsWhy() {
        Datalake lake = lake();
        byte[] text = "not an image at all".getBytes(StandardCharsets.UTF_8);

        Datum added = lake.addDatum(NewDatum.builder().data(text).contentType("image/png").registryUri(registry.uri)
                .build()).block();

        assertThat(imageInfo(added)).containsEntry("format", "png").doesNotContainKey("width");
        assertThat((String) imageInfo(added).get("error")).startsWith("not a recognised image");
        assertThat(bytesOf(lake, added)).isEqualTo(text);
    }

    @Test
    void onlyImagePayloadsGetTheKey() throws IOException {
        Datalake lake = lake();

        Datum text = add(lake, "plain text, not an image".getBytes(StandardCharsets.UTF_8), Map.of("a", 1));
        Datum json = add(lake, Map.of("width", 3), Map.of());
        Datum image = add(lake, png(1, 1), Map.of("a", 1));

        assertThat(text.metadata()).isEqualTo(Map.of("a", 1));
        assertThat(storedMetadata(lake, text.id())).doesNotContainKey("image_info");
        assertThat(json.metadata()).isEmpty();
        assertThat(image.metadata()).containsEntry("a", 1).containsKey("image_info");
    }

    @Test
    void theCallersOwnImageInfoIsKeptWhereTheOthersOfTheBatchAreRead() throws IOException {
        Datalake lake = lake();
        Map<String, Object> mine = Map.of("width", 1000, "by", "labeller");

        List<Datum> added = lake.addData(Flux.just(
                NewDatum.builder().data(png(32, 16)).metadata(Map.of("image_info", mine)).registryUri(registry.uri)
                        .build(),
                NewDatum.builder().data(png(32, 16)).registryUri(registry.uri).build())).collectList().block();

        assertThat(added.get(0).metadata()).isEqualTo(Map.of("image_info", mine));
        assertThat(storedMetadata(lake, added.get(0).id()).get("image_info", Document.class))
                .isEqualTo(new Document(mine));
        assertThat(imageInfo(added.get(1))).isEqualTo(Map.of("format", "png", "width", 32, "height", 16));
    }

    @Test
    void aStreamIsInspectedFromTheBytesTheRegistryReadEvenWhenItsHeaderIsPastTheDetectionHead()
            throws IOException {
        Datalake lake = lake();
        // 20 KB of comments before the EXIF and the frame header: beyond the 8 KiB the type is detected from.
        byte[] jpeg = withExif(jpeg(40, 30), padding(20_000), exif(8, "2020:02:29 12:00:00", null, null));
        ByteArrayInputStream stream = new ByteArrayInputStream(jpeg);

        Datum added = add(lake, stream, Map.of());

        assertThat(imageInfo(added)).isEqualTo(Map.of("format", "jpeg", "width", 40, "height", 30,
                "orientation", 8, "captured_at", "2020-02-29T12:00:00"));
        assertThat(stream.available()).isZero();
        assertThat(bytesOf(lake, added)).isEqualTo(jpeg);
    }

    @Test
    void aStreamWithTheCallersImageTypeIsInspectedToo() throws IOException {
        Datalake lake = lake();

        Datum added = lake.addDatum(NewDatum.builder().data(new ByteArrayInputStream(png(5, 7)))
                .contentType("image/png").registryUri(registry.uri).build()).block();

        assertThat(imageInfo(added)).isEqualTo(Map.of("format", "png", "width", 5, "height", 7));
    }

    @Test
    void aFileIsInspectedFromItsHeader() throws IOException {
        Datalake lake = lake();
        Path file = temp.resolve("photo.jpg");
        Files.write(file, withExif(jpeg(24, 12), padding(20_000), exif(3, "2001:01:01 00:00:00", null, null)));

        Datum added = add(lake, file, Map.of());
        Datum asFile = add(lake, file.toFile(), Map.of());

        Map<String, Object> expected = Map.of("format", "jpeg", "width", 24, "height", 12, "orientation", 3,
                "captured_at", "2001-01-01T00:00:00");
        assertThat(imageInfo(added)).isEqualTo(expected);
        assertThat(imageInfo(asFile)).isEqualTo(expected);
    }

    @Test
    void addDataRecordsItForEachImageOfTheBatch() throws IOException {
        Datalake lake = lake();
        List<NewDatum> batch = List.of(
                NewDatum.builder().data(png(3, 4)).registryUri(registry.uri).build(),
                NewDatum.builder().data("text".getBytes(StandardCharsets.UTF_8)).registryUri(registry.uri).build(),
                NewDatum.builder().data(ByteBuffer.wrap(png(9, 2))).metadata(Map.of("k", "v"))
                        .registryUri(registry.uri).build());

        List<Datum> added = lake.addData(Flux.fromIterable(batch)).collectList().block();

        assertThat(imageInfo(added.get(0))).isEqualTo(Map.of("format", "png", "width", 3, "height", 4));
        assertThat(added.get(1).metadata()).isEmpty();
        assertThat(added.get(2).metadata()).containsEntry("k", "v")
                .containsEntry("image_info", Map.of("format", "png", "width", 9, "height", 2));
        assertThat(storedMetadata(lake, added.get(2).id()).get("image_info", Document.class))
                .isEqualTo(new Document(Map.of("format", "png", "width", 9, "height", 2)));
    }

    @Test
    void aDecompressionBombHeaderIsRecordedWithoutDecodingIt() {
        Datalake lake = lake();
        // Decoding would need 2^31-1 squared pixels; only the header is read, so this costs a few bytes.
        byte[] bomb = pngHeaderOnly(Integer.MAX_VALUE, Integer.MAX_VALUE);
        byte[] large = pngHeaderOnly(30_000, 30_000);

        Datum huge = add(lake, bomb, Map.of());
        Datum big = add(lake, new ByteArrayInputStream(large), Map.of());

        assertThat(imageInfo(huge)).isEqualTo(Map.of("format", "png", "width", Integer.MAX_VALUE,
                "height", Integer.MAX_VALUE));
        assertThat(imageInfo(big)).isEqualTo(Map.of("format", "png", "width", 30_000, "height", 30_000));
    }

    @Test
    void aHeaderBeyondTheBytesInspectedIsReportedAsSuch() throws IOException {
        Datalake lake = lake();
        // 1.1 MB of comments before the frame header: past the first MiB that is inspected.
        byte[] jpeg = withExif(jpeg(10, 10), padding(1_100_000), exif(1, "2020:01:01 00:00:00", null, null));

        Datum added = add(lake, jpeg, Map.of());

        assertThat(imageInfo(added)).containsEntry("format", "jpeg").doesNotContainKey("width")
                .containsEntry("error", "no image dimensions in the first 1048576 bytes inspected (the payload has "
                        + jpeg.length + " bytes)");
        assertThat(bytesOf(lake, added)).isEqualTo(jpeg);
    }

    @Test
    void theSettingTurnsItOff() throws IOException {
        Datalake off = lake(b -> b.imageMetadata(false));
        Datum plain = add(off, png(32, 16), Map.of());
        Datalake on = lake(b -> b.imageMetadata(true));
        Datum read = add(on, png(32, 16), Map.of());

        assertThat(plain.metadata()).isEmpty();
        assertThat(storedMetadata(off, plain.id())).doesNotContainKey("image_info");
        assertThat(read.metadata()).containsKey("image_info");
    }

    @Test
    void schemasValidateTheCallersMetadataOnlyAndCheckSeesTheStoredImageInfo() throws IOException {
        Datalake lake = lake(b -> b.schemas(SchemaSettings.builder().kindSelector("metadata.kind").build()));
        lake.schemas().register("photo", """
                {"properties": {"metadata": {"required": ["image_info"]}}}""").block();
        lake.schemas().register("strict", """
                {"properties": {"metadata": {"additionalProperties": false,
                                             "properties": {"kind": {"type": "string"}}}}}""").block();

        // The add is validated before the payload is read: image_info is not there yet.
        assertThatThrownBy(() -> add(lake, png(2, 2), Map.of("kind", "photo")))
                .isInstanceOf(SchemaViolationException.class).hasMessageContaining("image_info");
        Datum strict = add(lake, png(2, 2), Map.of("kind", "strict"));

        // Stored, it has image_info, which a check of the stored datums sees.
        assertThat(strict.metadata()).containsKey("image_info");
        List<DatumViolations> violations = lake.schemas().check("strict").collectList().block();
        assertThat(violations).hasSize(1);
        assertThat(violations.get(0).datumId()).isEqualTo(strict.id());
        assertThat(violations.get(0).toString()).contains("image_info");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> imageInfo(Datum datum) {
        Object info = datum.metadata().get("image_info");
        assertThat(info).as("image_info of %s", datum.metadata()).isInstanceOf(Map.class);
        return (Map<String, Object>) info;
    }

    private static byte[] bytesOf(Datalake lake, Datum datum) {
        List<ByteBuffer> buffers = lake.getPayload(datum.id()).collectList().block();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer buffer : buffers) {
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            out.writeBytes(chunk);
        }
        return out.toByteArray();
    }

    private static byte[] jpeg(int width, int height) throws IOException {
        return encode(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "jpeg");
    }

    private static byte[] png(int width, int height) throws IOException {
        return encode(new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB), "png");
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    /** A JPEG with the given segments inserted right after its start-of-image marker. */
    private static byte[] withExif(byte[] jpeg, byte[]... segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        for (byte[] segment : segments) {
            out.writeBytes(segment);
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Comment (COM) segments of about {@code bytes} bytes in all. */
    private static byte[] padding(int bytes) {
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
     * An APP1 EXIF segment (big-endian TIFF): IFD0 with Orientation and the Exif IFD pointer; the Exif IFD with
     * DateTimeOriginal and, when given, SubSecTimeOriginal and OffsetTimeOriginal.
     */
    private static byte[] exif(int orientation, String dateTimeOriginal, String subSeconds, String offset) {
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
            next += offsetBytes.length;
        }
        if (subSeconds != null) {
            byte[] sub = Arrays.copyOf(ascii(subSeconds), 4);
            entry(tiff, 0x9291, 2, ascii(subSeconds).length, ByteBuffer.wrap(sub).getInt());
        }
        tiff.putInt(0);
        tiff.put(date);
        if (offsetBytes != null) {
            tiff.put(offsetBytes);
        }
        byte[] body = Arrays.copyOf(tiff.array(), tiff.position());
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

    private static void entry(ByteBuffer tiff, int tag, int type, int count, int value) {
        tiff.putShort((short) tag).putShort((short) type).putInt(count).putInt(value);
    }

    private static byte[] ascii(String text) {
        return (text + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    /** A PNG signature, an IHDR declaring the given size and IEND: no pixel data at all. */
    private static byte[] pngHeaderOnly(int width, int height) {
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
