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
        byte[] jpeg = TestImages.withSegments(TestImages.jpeg(64, 48), TestImages.exif(6, "2024:05:06 07:08:09", "123", "+02:00"));

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

        Datum added = add(lake, TestImages.withSegments(TestImages.jpeg(8, 8), TestImages.exif(1, "2023:12:31 23:59:58", null, null)), Map.of());

        assertThat(imageInfo(added)).containsEntry("orientation", 1)
                .containsEntry("captured_at", "2023-12-31T23:59:58");
    }

    @Test
    void aPngRecordsFormatAndSizeOnly() throws IOException {
        Datalake lake = lake();

        Datum added = add(lake, TestImages.png(32, 16), Map.of());

        assertThat(imageInfo(added)).isEqualTo(Map.of("format", "png", "width", 32, "height", 16));
    }

    @Test
    void aCorruptImageIsStoredWithTheReasonItCouldNotBeRead() throws IOException {
        Datalake lake = lake();
        byte[] truncated = Arrays.copyOf(TestImages.jpeg(64, 48), 30);

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
        Datum image = add(lake, TestImages.png(1, 1), Map.of("a", 1));

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
                NewDatum.builder().data(TestImages.png(32, 16)).metadata(Map.of("image_info", mine)).registryUri(registry.uri)
                        .build(),
                NewDatum.builder().data(TestImages.png(32, 16)).registryUri(registry.uri).build())).collectList().block();

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
        byte[] jpeg = TestImages.withSegments(TestImages.jpeg(40, 30), TestImages.padding(20_000), TestImages.exif(8, "2020:02:29 12:00:00", null, null));
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

        Datum added = lake.addDatum(NewDatum.builder().data(new ByteArrayInputStream(TestImages.png(5, 7)))
                .contentType("image/png").registryUri(registry.uri).build()).block();

        assertThat(imageInfo(added)).isEqualTo(Map.of("format", "png", "width", 5, "height", 7));
    }

    @Test
    void aFileIsInspectedFromItsHeader() throws IOException {
        Datalake lake = lake();
        Path file = temp.resolve("photo.jpg");
        Files.write(file, TestImages.withSegments(TestImages.jpeg(24, 12), TestImages.padding(20_000), TestImages.exif(3, "2001:01:01 00:00:00", null, null)));

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
                NewDatum.builder().data(TestImages.png(3, 4)).registryUri(registry.uri).build(),
                NewDatum.builder().data("text".getBytes(StandardCharsets.UTF_8)).registryUri(registry.uri).build(),
                NewDatum.builder().data(ByteBuffer.wrap(TestImages.png(9, 2))).metadata(Map.of("k", "v"))
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
        byte[] bomb = TestImages.pngHeaderOnly(Integer.MAX_VALUE, Integer.MAX_VALUE);
        byte[] large = TestImages.pngHeaderOnly(30_000, 30_000);

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
        byte[] jpeg = TestImages.withSegments(TestImages.jpeg(10, 10), TestImages.padding(1_100_000), TestImages.exif(1, "2020:01:01 00:00:00", null, null));

        Datum added = add(lake, jpeg, Map.of());

        assertThat(imageInfo(added)).containsEntry("format", "jpeg").doesNotContainKey("width")
                .containsEntry("error", "no image dimensions in the first 1048576 bytes inspected (the payload has "
                        + jpeg.length + " bytes)");
        assertThat(bytesOf(lake, added)).isEqualTo(jpeg);
    }

    @Test
    void theSettingTurnsItOff() throws IOException {
        Datalake off = lake(b -> b.imageMetadata(false));
        Datum plain = add(off, TestImages.png(32, 16), Map.of());
        Datalake on = lake(b -> b.imageMetadata(true));
        Datum read = add(on, TestImages.png(32, 16), Map.of());

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
        assertThatThrownBy(() -> add(lake, TestImages.png(2, 2), Map.of("kind", "photo")))
                .isInstanceOf(SchemaViolationException.class).hasMessageContaining("image_info");
        Datum strict = add(lake, TestImages.png(2, 2), Map.of("kind", "strict"));

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
}
